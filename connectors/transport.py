"""Transport-level guard shared by every connector.

Connectors are read-only *by construction*: the guard sits in the HTTP transport of
each client (a ``requests`` adapter for PyGithub, jira, atlassian-python-api and OSV;
a botocore ``before-call`` handler for boto3), so no code path above it can send a
write, whatever library call it makes. The same adapter retries rate limits and
server errors within a bounded wait, sets a timeout on every call, and counts requests.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from connectors import graphql_guard
from connectors.errors import LossyRedirect, ReadOnlyViolation
from connectors.provenance import RequestStats

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SECONDARY_LIMIT_MIN_WAIT_S = 60.0  # GitHub: "wait at least one minute" without Retry-After


@dataclass(frozen=True)
class ReadOnlyPolicy:
    """GET/HEAD/OPTIONS everywhere, plus POST only to named read-only endpoints.

    Patterns match the whole path (``fullmatch``), so ``/rest/api/2/search`` can never
    allow ``/evil/rest/api/2/search``. A POST to a ``graphql_paths`` endpoint passes only
    when its document holds nothing but queries. ``refuse_lossy_redirects``: a redirect
    answered to a request with a query string is an error, since a client that follows
    it by path alone (PyGithub does) would read another listing than the one asked for.
    """

    source: str
    read_only_posts: tuple[re.Pattern[str], ...] = ()
    graphql_paths: tuple[re.Pattern[str], ...] = ()
    refuse_lossy_redirects: bool = False

    @classmethod
    def with_posts(
        cls,
        source: str,
        patterns: Iterable[str],
        *,
        graphql: Iterable[str] = (),
        refuse_lossy_redirects: bool = False,
    ) -> ReadOnlyPolicy:
        return cls(
            source,
            tuple(re.compile(p) for p in patterns),
            tuple(re.compile(p) for p in graphql),
            refuse_lossy_redirects,
        )

    def check(self, method: str, url: str, body: bytes | str | None = None) -> None:
        method = method.upper()
        if method in READ_METHODS:
            return
        path = urlsplit(url).path
        if method == "POST" and any(p.fullmatch(path) for p in self.read_only_posts):
            return
        if method == "POST" and self.is_graphql(url):
            why = graphql_guard.refusal(body)
            if why is None:
                return
            raise ReadOnlyViolation(self.source, f"POST {path} (GraphQL: {why})")
        raise ReadOnlyViolation(self.source, f"{method} {path}")

    def is_graphql(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(p.fullmatch(path) for p in self.graphql_paths)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: honours Retry-After / X-RateLimit-Reset, caps the total wait."""

    max_attempts: int = 5
    total_wait_budget_s: float = 120.0
    base_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    timeout_s: tuple[float, float] = (10.0, 60.0)  # (connect, read)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    now: Callable[[], float] = field(default=time.time, compare=False)

    def backoff(self, attempt: int) -> float:
        # Full jitter keeps parallel workers from retrying in lock-step.
        ceiling = min(self.max_backoff_s, self.base_backoff_s * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value.strip() if value else None


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``X-RateLimit-Reset``."""
    retry_after = _header(headers, "Retry-After")
    if retry_after:
        if retry_after.isdigit():
            return float(retry_after)
        parsed = email.utils.parsedate_to_datetime(retry_after)
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    remaining = _header(headers, "X-RateLimit-Remaining")
    reset = _header(headers, "X-RateLimit-Reset")
    if remaining == "0" and reset and reset.isdigit():
        return max(0.0, float(reset) - now) + 1.0
    return None


def is_rate_limited(response: requests.Response) -> bool:
    """429 anywhere; GitHub's primary and secondary limits answer 403."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if _header(response.headers, "X-RateLimit-Remaining") == "0":
        return True
    if _header(response.headers, "Retry-After"):
        return True
    return "secondary rate limit" in response.text.lower()


def graphql_rate_limited(response: requests.Response) -> bool:
    """GitHub answers a spent GraphQL limit with 200 and a ``RATE_LIMITED`` error."""
    return response.status_code == 200 and graphql_guard.rate_limited(response.content)


def _graphql_wait(response: requests.Response, now: float) -> float:
    """``Retry-After``, else the reset time (``remaining`` is not always 0 then)."""
    retry_after = _header(response.headers, "Retry-After")
    reset = _header(response.headers, "X-RateLimit-Reset")
    if not retry_after and reset and reset.isdigit():
        return max(0.0, float(reset) - now) + 1.0
    return retry_after_seconds(response.headers, now) or SECONDARY_LIMIT_MIN_WAIT_S


def wait_for(
    response: requests.Response, attempt: int, policy: RetryPolicy, *, graphql: bool = False
) -> float | None:
    """How long to wait before retrying ``response``, or None when it is final."""
    if graphql and graphql_rate_limited(response):
        return _graphql_wait(response, policy.now())
    limited = is_rate_limited(response)
    if not limited and response.status_code not in RETRYABLE_STATUS:
        return None
    hinted = retry_after_seconds(response.headers, policy.now())
    if hinted is not None:
        return hinted
    if limited and response.status_code == 403:
        return SECONDARY_LIMIT_MIN_WAIT_S
    return policy.backoff(attempt)


class GuardedAdapter(HTTPAdapter):
    """A ``requests`` adapter that refuses writes, retries politely and counts requests."""

    def __init__(
        self,
        policy: ReadOnlyPolicy,
        stats: RequestStats,
        retry: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries=0, **kwargs)
        self.read_only = policy
        self.stats = stats
        self.retry = retry or RetryPolicy()

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        self.read_only.check(request.method or "GET", url, request.body)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.retry.timeout_s
        graphql = self.read_only.is_graphql(url)
        waited = 0.0
        attempt = 0
        while True:
            response = self._send_once(request, attempt, **kwargs)
            if response is None:  # connection error already retried inside
                attempt += 1
                continue
            self.stats.record_rate_limit(response.headers)
            self._refuse_lossy_redirect(request, response)
            delay = wait_for(response, attempt, self.retry, graphql=graphql)
            attempt += 1
            if delay is None or attempt >= self.retry.max_attempts:
                return response
            if waited + delay > self.retry.total_wait_budget_s:
                return response  # the caller reports the gap; we never wait unbounded
            self.retry.sleep(delay)
            waited += delay
            limited = is_rate_limited(response) or (graphql and graphql_rate_limited(response))
            self.stats.record_retry(delay, rate_limited=limited)

    def _refuse_lossy_redirect(
        self, request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        if not (self.read_only.refuse_lossy_redirects and response.is_redirect):
            return
        asked = urlsplit(request.url or "")
        if asked.query:
            location = response.headers.get("Location", "")
            raise LossyRedirect(self.read_only.source, response.status_code, asked.path, location)

    def _send_once(
        self, request: requests.PreparedRequest, attempt: int, **kwargs: Any
    ) -> requests.Response | None:
        self.stats.record_request()
        try:
            return super().send(request, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            if attempt + 1 >= self.retry.max_attempts:
                raise
            delay = self.retry.backoff(attempt)
            self.retry.sleep(delay)
            self.stats.record_retry(delay, rate_limited=False)
            return None


def guard_session(
    session: requests.Session,
    policy: ReadOnlyPolicy,
    stats: RequestStats,
    retry: RetryPolicy | None = None,
) -> requests.Session:
    """Mount the guard on every scheme of ``session`` (replacing existing adapters)."""
    adapter = GuardedAdapter(policy, stats, retry)
    session.adapters.clear()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def guarded_session(
    policy: ReadOnlyPolicy, stats: RequestStats, retry: RetryPolicy | None = None
) -> requests.Session:
    return guard_session(requests.Session(), policy, stats, retry)


def guard_boto3_client(client: Any, source: str, stats: RequestStats) -> Any:
    """Refuse every boto3 operation that is not Get*/Describe*/List* before it is signed."""

    def refuse_writes(model: Any, **_: Any) -> None:
        name: str = model.name
        if not name.startswith(("Get", "Describe", "List")):
            raise ReadOnlyViolation(source, name)

    def count_attempt(**_: Any) -> None:
        stats.record_request()  # once per HTTP attempt, retries included

    client.meta.events.register("before-call.*.*", refuse_writes)
    client.meta.events.register("before-send.*.*", count_attempt)
    return client


def guard_pygithub(
    github: Any, policy: ReadOnlyPolicy, stats: RequestStats, retry: RetryPolicy | None = None
) -> Any:
    """Make every connection a ``github.Github`` instance opens go through the guard.

    PyGithub builds its ``requests`` session inside a connection class chosen per
    ``Requester``; we substitute a subclass that mounts the guard, on this instance
    only, so publishers elsewhere keep their own clients. Fails closed if PyGithub's
    internals ever move.
    """
    from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass

    requester = github.requester
    attribute = "_Requester__connectionClass"
    if not hasattr(requester, attribute):
        raise RuntimeError("cannot install the read-only guard on this PyGithub version")
    base = getattr(requester, attribute)
    if not issubclass(base, HTTPRequestsConnectionClass | HTTPSRequestsConnectionClass):
        raise RuntimeError("unexpected PyGithub connection class; refusing to run unguarded")

    class GuardedConnection(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            guard_session(self.session, policy, stats, retry)

    setattr(requester, attribute, GuardedConnection)
    return github
