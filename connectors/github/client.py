"""GET JSON from GitHub through guarded PyGithub clients, one per concurrent caller.

PyGithub's connection object keeps the verb and URL between ``request()`` and
``getresponse()``, so one ``Github`` shared by threads can cross responses
(PyGithub PR #2052). Each concurrent caller therefore leases its own client; all of
them share the guard's ``RequestStats``.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import github
import requests
from github import GithubException

from connectors.errors import ConnectorError
from connectors.github.auth import READ_POLICY, USER_AGENT
from connectors.github.guard import harden_github
from connectors.github.settings import GitHubSettings
from connectors.github.wire import MalformedResponse, listed
from connectors.provenance import RequestStats
from connectors.transport import RetryPolicy

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class ApiError(ConnectorError):
    """GitHub answered with an error, or could not be reached."""

    def __init__(self, status: int | None, message: str, *, rate_limited: bool = False) -> None:
        self.status = status
        self.message = message
        self.rate_limited = rate_limited
        super().__init__(self.why)

    @property
    def why(self) -> str:
        text = f"{self.status} {self.message}" if self.status else self.message
        return f"{text} (rate limit outlasted the retry budget)" if self.rate_limited else text

    @property
    def bad_credentials(self) -> bool:
        return self.status == 401


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _not_json(body: Any) -> bool:
    """PyGithub wraps a non-JSON body (a proxy's HTML page) as ``{"data": text}``."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("data"), str)
        and set(body) <= {"data", "url"}
    )


def api_error(exc: GithubException) -> ApiError:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = _one_line(str(data.get("message") or exc.message or "error"))
    headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
    limited = exc.status == 429 or (
        exc.status == 403
        and (
            headers.get("x-ratelimit-remaining") == "0"
            or "retry-after" in headers
            or "rate limit" in message.lower()
        )
    )
    return ApiError(exc.status, message, rate_limited=limited)


def new_client(
    settings: GitHubSettings, auth: Any, stats: RequestStats, retry: RetryPolicy | None
) -> Any:
    """A ``github.Github`` whose every connection is read-only, retried and counted."""
    client = github.Github(
        auth=auth,
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        user_agent=USER_AGENT,
        per_page=settings.per_page,
        retry=None,  # the guard retries, honouring Retry-After within a budget
        # PyGithub's throttle is per client and unlocked; the worker cap bounds us instead.
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    return harden_github(client, READ_POLICY, stats, retry)


class GitHubApi:
    """Paginated GETs with errors turned into ``ApiError`` / ``MalformedResponse``."""

    def __init__(self, factory: Callable[[], Any], base_url: str, per_page: int) -> None:
        self._factory = factory
        self._origin = urlsplit(base_url)[:2]
        self._per_page = per_page
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._clients: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def lease(self) -> Iterator[Any]:
        """A client for this thread's exclusive use until the block ends."""
        try:
            client = self._idle.get_nowait()
        except queue.Empty:
            client = self._factory()
            with self._lock:
                self._clients.append(client)
        try:
            yield client
        finally:
            self._idle.put(client)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        with self.lease() as client:
            return self._call(client, path, dict(params or {}))[1]

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Generator[Any, None, None]:
        """Each page's body, following ``Link: rel="next"`` until there is none."""
        url: str | None = path
        query = {"per_page": self._per_page, **(params or {})}
        with self.lease() as client:
            while url is not None:
                headers, body = self._call(client, url, query)
                yield body
                url, query = self._next(headers), {}  # the next link carries the query

    def items(
        self, path: str, params: Mapping[str, Any] | None = None, *, key: str | None = None
    ) -> Generator[Any, None, None]:
        for body in self.pages(path, params):
            yield from listed(body, key)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _next(self, headers: Mapping[str, Any]) -> str | None:
        match = _NEXT.search(str(headers.get("link", "")))
        if match is None:
            return None
        url = match.group(1)
        if urlsplit(url)[:2] != self._origin:  # never follow a link off the API host
            raise MalformedResponse(f"malformed response: next page off {self._origin[1]}: {url}")
        return url

    @staticmethod
    def _call(client: Any, url: str, params: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        try:
            headers, body = client.requester.requestJsonAndCheck("GET", url, parameters=params)
        except GithubException as exc:
            raise api_error(exc) from None
        except requests.RequestException as exc:
            raise ApiError(None, f"network error: {type(exc).__name__}") from None
        except ValueError as exc:  # a body that starts like JSON but is not
            raise MalformedResponse(
                f"malformed response: bad JSON ({_one_line(str(exc), 80)})"
            ) from None
        if _not_json(body):
            raise MalformedResponse(f"malformed response: not JSON: {_one_line(body['data'], 60)}")
        return headers, body
