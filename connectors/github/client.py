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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import github
import requests
from github import GithubException

from connectors.errors import ConnectorError, LossyRedirect
from connectors.github.auth import USER_AGENT, read_policy
from connectors.github.guard import harden_github
from connectors.github.settings import GitHubSettings
from connectors.github.wire import MalformedResponse, listed
from connectors.graphql_guard import RATE_LIMIT_TYPES
from connectors.provenance import RequestStats
from connectors.transport import RetryPolicy

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_LAST = re.compile(r'<([^>]+)>;\s*rel="last"')


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
    return harden_github(client, read_policy(settings.base_url), stats, retry)


@dataclass(frozen=True)
class GraphQLAnswer:
    """``data`` of a GraphQL answer, and its errors (GitHub answers partly: a PR that is
    not found is null in ``data`` with an error naming its path)."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error_at(self, key: str) -> str | None:
        """The message of the first error whose path passes through ``key``."""
        for error in self.errors:
            path = error.get("path")
            if isinstance(path, list) and key in path:
                return _one_line(str(error.get("message") or error.get("type") or "error"))
        return None


def _graphql_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        raise MalformedResponse("malformed response: GraphQL errors is not a list")
    return [e for e in errors if isinstance(e, dict)]


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

    def first_page(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, list[str]]:
        """Page 1, and the URLs of every later page (from its ``Link: rel="last"``).

        Lets a caller fetch pages 2..n at once instead of one after another; GitHub's
        numbered pages make every URL known from the first answer.
        """
        with self.lease() as client:
            headers, body = self._call(client, path, {"per_page": self._per_page, **(params or {})})
        return body, self._later_pages(headers)

    def get_url(self, url: str) -> Any:
        """A page URL from ``first_page`` (it carries its own query)."""
        with self.lease() as client:
            return self._call(client, url, {})[1]

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLAnswer:
        """One GraphQL query through the guarded client; a spent rate limit is an error."""
        payload = {"query": query, "variables": dict(variables or {})}
        with self.lease() as client:
            requester = client.requester
            _, body = self._call(client, requester.graphql_url, payload, verb="POST")
        if not isinstance(body, dict):
            raise MalformedResponse("malformed response: GraphQL answer is not an object")
        errors = _graphql_errors(body)
        limited = [e for e in errors if e.get("type") in RATE_LIMIT_TYPES]
        if limited:
            message = _one_line(str(limited[0].get("message") or "GraphQL rate limit exceeded"))
            raise ApiError(None, message, rate_limited=True)
        data = body.get("data")
        if not isinstance(data, dict):
            first = errors[0].get("message") if errors else "no data"
            raise ApiError(None, f"GraphQL: {_one_line(str(first))}")
        return GraphQLAnswer(data, errors)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _next(self, headers: Mapping[str, Any]) -> str | None:
        match = _NEXT.search(str(headers.get("link", "")))
        return self._on_host(match.group(1)) if match else None

    def _later_pages(self, headers: Mapping[str, Any]) -> list[str]:
        match = _LAST.search(str(headers.get("link", "")))
        if match is None:
            return []
        last = urlsplit(self._on_host(match.group(1)))
        query = dict(parse_qsl(last.query))
        count = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
        return [urlunsplit(last._replace(query=urlencode({**query, "page": page})))
                for page in range(2, count + 1)]

    def _on_host(self, url: str) -> str:
        if urlsplit(url)[:2] != self._origin:  # never follow a link off the API host
            raise MalformedResponse(f"malformed response: next page off {self._origin[1]}: {url}")
        return url

    @staticmethod
    def _call(
        client: Any, url: str, params: dict[str, Any], *, verb: str = "GET"
    ) -> tuple[dict[str, Any], Any]:
        try:
            if verb == "GET":
                headers, body = client.requester.requestJsonAndCheck(
                    "GET", url, parameters=params)
            else:
                headers, body = client.requester.requestJsonAndCheck(verb, url, input=params)
        except GithubException as exc:
            raise api_error(exc) from None
        except LossyRedirect as exc:
            raise ApiError(exc.status, f"moved to {exc.location or 'elsewhere'} (a renamed or "
                           "transferred repository); not followed, the re-request would drop "
                           "the query") from None
        except requests.RequestException as exc:
            raise ApiError(None, f"network error: {type(exc).__name__}") from None
        except ValueError as exc:  # a body that starts like JSON but is not
            raise MalformedResponse(
                f"malformed response: bad JSON ({_one_line(str(exc), 80)})"
            ) from None
        if _not_json(body):
            raise MalformedResponse(f"malformed response: not JSON: {_one_line(body['data'], 60)}")
        return headers, body
