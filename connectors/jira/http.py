"""JSON over the `jira` client's own (guarded) session; every failure becomes a `Fault`.

We call endpoints through ``client._session`` rather than the library's resource methods
so that one place decides what a 401, a 429 past the retry budget or an HTML error page
means; the library still provides auth, headers and its error-message parsing.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from jira.exceptions import JIRAError


class Fault(Exception):
    """A request that gave no usable JSON; the connector turns it into a Gap or a fatal error."""

    def __init__(self, status: int | None, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


class JiraHttp:
    def __init__(self, session: requests.Session, api_base: str) -> None:
        self.session = session
        self.api_base = api_base  # e.g. https://acme.atlassian.net/rest/api/3

    def get(self, path: str, params: dict[str, Any] | None = None, *, expect: type = dict) -> Any:
        return self._send("GET", path, params=params, expect=expect)

    def post(self, path: str, body: dict[str, Any], *, expect: type = dict) -> Any:
        return self._send("POST", path, data=json.dumps(body), expect=expect)

    def _send(self, method: str, path: str, *, expect: type, **kwargs: Any) -> Any:
        url = f"{self.api_base}/{path}"
        try:
            response = self.session.request(method, url, **kwargs)
        except JIRAError as exc:  # the library raises this for every non-2xx
            raise _fault_from(exc) from None
        except requests.RequestException as exc:
            raise Fault(None, f"request failed: {type(exc).__name__}") from None
        return _json_body(response, expect)


def _json_body(response: requests.Response, expect: type) -> Any:
    try:
        body = response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise Fault(response.status_code, f"malformed response: not JSON ({kind})") from None
    if not isinstance(body, expect):
        found = type(body).__name__
        raise Fault(response.status_code, f"malformed response: {found}, not {expect.__name__}")
    return body


def _fault_from(exc: JIRAError) -> Fault:
    status = exc.status_code
    detail = " ".join(str(exc.text or "").split())[:200]
    if status == 429:
        headers = exc.response.headers if exc.response is not None else {}
        hint = headers.get("Retry-After")
        wait = f" (Retry-After: {hint}s)" if hint else ""
        return Fault(429, f"HTTP 429: rate limited beyond the retry budget{wait}")
    reason = {401: "unauthorized", 403: "forbidden", 404: "not found"}.get(status or 0, "error")
    head = f"HTTP {status} {reason}"
    return Fault(status, f"{head}: {detail}" if detail else head)
