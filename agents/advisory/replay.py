"""Replay recorded Claude API / Bedrock exchanges through an ``httpx2`` transport.

The anthropic SDK sends through ``httpx2``, which vcrpy does not intercept, so the
advisory layer's tests (and the offline demo) hand the SDK
``httpx2.Client(transport=ReplayTransport(path))``. Cassettes use vcrpy's format
(``version: 1``, ``interactions: [{request, response}]``); interactions are replayed in
order, each once. The transport keeps every request it was given (credential headers
dropped) so tests can inspect exactly what would have been sent, refuses a request that
does not match the next interaction with an error naming both, and never opens a socket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import yaml
from anthropic import AnthropicError
from pydantic import BaseModel, ConfigDict, Field

# Same list as tests/replay.py: credentials never reach a cassette or a recorded request.
FILTERED_HEADERS = frozenset({
    "authorization", "x-api-key", "x-amz-security-token", "x-amz-date", "cookie",
    "set-cookie", "x-github-token",
})


class ReplayError(AnthropicError):
    """No recorded interaction for this request.

    An ``AnthropicError`` so the SDK raises it as is: it neither retries it nor turns it
    into a connection error, and the advisor does not mistake it for an outage.
    """


class RecordedRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    method: str
    url: str
    headers: dict[str, str]
    credential_headers: list[str] = Field(
        default_factory=list, description="Names of the credential headers sent; never values.")
    body: str

    def payload(self) -> Any:
        """The JSON body as sent."""
        return json.loads(self.body) if self.body else None


class _Interaction(BaseModel):
    method: str
    uri: str
    status: int
    reason: str = ""
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: bytes = b""


def _body_text(body: Any) -> bytes:
    if isinstance(body, dict):
        body = body.get("string", "")
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _headers(raw: dict[str, Any] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in (raw or {}).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def load_cassette(path: Path) -> list[_Interaction]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ReplayError(f"{path}: not a version 1 cassette")
    interactions = []
    for item in data.get("interactions") or []:
        request, response = item["request"], item["response"]
        interactions.append(_Interaction(
            method=str(request["method"]).upper(), uri=str(request["uri"]),
            status=int(response["status"]["code"]),
            reason=str(response["status"].get("message", "")),
            headers=_headers(response.get("headers")), body=_body_text(response.get("body"))))
    return interactions


def _target(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower(), parts.path, parts.query


class ReplayTransport(httpx2.BaseTransport):
    """Answers each request with the next recorded response, or refuses it."""

    def __init__(self, *cassettes: Path | str) -> None:
        self.sources = [Path(c) for c in cassettes]
        self.interactions = [i for path in self.sources for i in load_cassette(path)]
        self.position = 0
        self.requests: list[RecordedRequest] = []

    @property
    def remaining(self) -> int:
        return len(self.interactions) - self.position

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read().decode("utf-8", errors="replace")
        url = str(request.url)
        names = [k.lower() for k in request.headers]
        self.requests.append(RecordedRequest(
            method=request.method, url=url, body=body,
            headers={k.lower(): v for k, v in request.headers.items()
                     if k.lower() not in FILTERED_HEADERS},
            credential_headers=sorted(n for n in set(names) if n in FILTERED_HEADERS)))
        expected = self._next(request.method, url)
        return httpx2.Response(
            expected.status, headers=expected.headers, content=expected.body, request=request,
            extensions={"reason_phrase": expected.reason.encode()})

    def _next(self, method: str, url: str) -> _Interaction:
        names = ", ".join(p.name for p in self.sources)
        if self.position >= len(self.interactions):
            raise ReplayError(f"unrecorded request {method} {url}: all {len(self.interactions)} "
                              f"interaction(s) of {names} were already used")
        expected = self.interactions[self.position]
        if expected.method != method.upper() or _target(expected.uri) != _target(url):
            raise ReplayError(f"unrecorded request {method} {url}: interaction "
                              f"{self.position + 1} of {names} is {expected.method} {expected.uri}")
        self.position += 1
        return expected

    def bodies(self) -> list[str]:
        return [r.body for r in self.requests]


def replay_client(*cassettes: Path | str) -> tuple[httpx2.Client, ReplayTransport]:
    transport = ReplayTransport(*cassettes)
    return httpx2.Client(transport=transport), transport
