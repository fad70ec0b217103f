"""``GitHubPublisher``: the only code that writes to GitHub (comments, one review, checks).

Separate from the read-only connector on purpose: its own ``requests`` session, its own
credential, and the publishing kill switch asked before every single write. A 401, 403
or 404 on a write (the read-only token of a fork PR, an App without the permission)
raises ``PublishRefused`` so the caller can skip posting with a notice, never crash.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from connectors.provenance import RequestStats
from publishers.base import Gate, PublishError
from publishers.github.auth import USER_AGENT, TokenSource

DEFAULT_BASE_URL = "https://api.github.com"
REVIEW_EVENT = "COMMENT"  # the only review event this bot ever sends
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class PublishRefused(Exception):
    """GitHub refused a write: no permission (fork PR, read-only token) or no access."""

    def __init__(self, status: int, what: str) -> None:
        super().__init__(f"GitHub refused to {what} ({status})")
        self.status = status


class GitHubPublisher:
    name = "github-pr"

    def __init__(self, tokens: TokenSource, *, gate: Gate, base_url: str = DEFAULT_BASE_URL,
                 session: requests.Session | None = None, timeout_s: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._tokens = tokens
        self._gate = gate
        self._base = base_url.rstrip("/")
        self._origin = urlsplit(self._base)[:2]
        self._session = session or requests.Session()
        self._timeout = timeout_s
        self._sleep = sleep
        self.stats = RequestStats()

    # -- reads ------------------------------------------------------------------------

    def issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self._pages(f"/repos/{repo}/issues/{number}/comments"))

    def review_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self._pages(f"/repos/{repo}/pulls/{number}/comments"))

    def permission(self, repo: str, user: str) -> str | None:
        """The user's role on the repository (``role_name``); None if not a collaborator."""
        response = self._call("GET", f"/repos/{repo}/collaborators/{quote(user)}/permission")
        if response.status_code == 404:
            return None
        body = self._json(response, "read a collaborator permission")
        return str(body.get("role_name") or body.get("permission") or "") or None

    # -- writes -----------------------------------------------------------------------

    def create_issue_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return self._write("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body},
                           "comment on the pull request")

    def update_issue_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return self._write("PATCH", f"/repos/{repo}/issues/comments/{comment_id}",
                           {"body": body}, "update the summary comment")

    def create_review(self, repo: str, number: int, *, commit_id: str, body: str,
                      comments: list[dict[str, Any]], event: str = REVIEW_EVENT
                      ) -> dict[str, Any]:
        if event != REVIEW_EVENT:  # never APPROVE/REQUEST_CHANGES: a human decides
            raise ValueError(f"refusing review event {event!r}: the bot only comments")
        payload = {"commit_id": commit_id, "body": body, "event": event, "comments": comments}
        return self._write("POST", f"/repos/{repo}/pulls/{number}/reviews", payload,
                           "post a review")

    def create_check_run(self, repo: str, *, head_sha: str, name: str, conclusion: str,
                         title: str, summary: str) -> dict[str, Any]:
        if conclusion not in ("neutral", "failure"):  # never "success": nothing is approved
            raise ValueError(f"refusing check conclusion {conclusion!r}")
        payload = {"name": name, "head_sha": head_sha, "status": "completed",
                   "conclusion": conclusion, "output": {"title": title, "summary": summary}}
        return self._write("POST", f"/repos/{repo}/check-runs", payload, "create a check run")

    # -- plumbing ---------------------------------------------------------------------

    def _write(self, method: str, path: str, payload: dict[str, Any],
               what: str) -> dict[str, Any]:
        self._gate()  # the kill switch, asked again right before each write
        response = self._call(method, path, json=payload)
        if response.status_code in (401, 403, 404) and not _rate_limited(response):
            raise PublishRefused(response.status_code, what)
        written: dict[str, Any] = self._json(response, what)
        return written

    def _pages(self, path: str) -> Iterator[dict[str, Any]]:
        url: str | None = path
        params: dict[str, Any] | None = {"per_page": 100}
        while url is not None:
            response = self._call("GET", url, params=params)
            body = self._json(response, f"list {path}")
            if not isinstance(body, list):
                raise PublishError(f"GitHub sent no list for {path}")
            yield from body
            url, params = self._next(response), None

    def _next(self, response: requests.Response) -> str | None:
        match = _NEXT.search(response.headers.get("Link", ""))
        if match is None:
            return None
        if urlsplit(match.group(1))[:2] != self._origin:  # never follow a link off the API
            raise PublishError("next page link points off the API host")
        return match.group(1)

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
              json: dict[str, Any] | None = None) -> requests.Response:
        url = path if path.startswith(("https://", "http://")) else self._base + path
        for attempt in range(3):
            self.stats.record_request()
            try:
                response = self._session.request(
                    method, url, params=params, json=json, headers=self._headers(),
                    timeout=self._timeout)
            except requests.RequestException as exc:
                raise PublishError(f"GitHub unreachable ({type(exc).__name__})") from None
            wait = _retry_wait(response, method)
            if wait is None or attempt == 2:
                return response
            self._sleep(wait)
            self.stats.record_retry(wait, rate_limited=True)
        raise AssertionError("unreachable")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._tokens.token()}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28", "User-Agent": USER_AGENT}

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        if response.status_code >= 400:
            raise PublishError(f"GitHub could not {what} ({response.status_code})")
        try:
            return response.json()
        except ValueError:
            raise PublishError(f"GitHub sent no JSON when asked to {what}") from None


def _rate_limited(response: requests.Response) -> bool:
    return response.status_code == 429 or (
        response.status_code == 403 and (response.headers.get("X-RateLimit-Remaining") == "0"
                                         or "Retry-After" in response.headers))


def _retry_wait(response: requests.Response, method: str) -> float | None:
    """Seconds to wait before one more try; writes retry only on rate limits."""
    limited = _rate_limited(response)
    if not limited and (method != "GET" or response.status_code < 500):
        return None
    hinted = response.headers.get("Retry-After", "")
    return min(float(hinted), 60.0) if hinted.isdigit() else 2.0
