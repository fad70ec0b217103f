"""What a connector asked for, what it got, and what is missing."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Gap(BaseModel):
    """Data a source could not deliver. Missing data is never passed off as empty data."""

    model_config = ConfigDict(frozen=True)

    source: str
    what: str
    why: str


class RateLimitState(BaseModel):
    """A source's rate-limit budget as its last answer stated it (``X-RateLimit-*``)."""

    model_config = ConfigDict(frozen=True)

    resource: str  # GitHub: core, graphql, search...; "default" where none is named
    limit: int
    remaining: int
    used: int | None = None
    reset_at: datetime | None = None


class SourceProvenance(BaseModel):
    """Per-source record stored in a snapshot so any report can be reproduced."""

    source: str
    asked: dict[str, Any] = Field(default_factory=dict)
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    requests: int = 0
    retries: int = 0
    rate_limit_wait_s: float = 0.0
    rate_limits: list[RateLimitState] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def rate_limit_of(headers: Mapping[str, str]) -> RateLimitState | None:
    """The budget ``X-RateLimit-*`` headers state; None when they state none.

    ``X-RateLimit-Reset`` is epoch seconds (GitHub) or an ISO timestamp (Jira Cloud).
    """
    limit, remaining = _int(headers.get("X-RateLimit-Limit")), _int(
        headers.get("X-RateLimit-Remaining"))
    if limit is None or remaining is None:
        return None
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    reset_at: datetime | None = None
    if reset.isdigit():
        reset_at = datetime.fromtimestamp(int(reset), UTC)
    elif reset:
        try:
            reset_at = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            reset_at = None
    return RateLimitState(
        resource=(headers.get("X-RateLimit-Resource") or "default").strip() or "default",
        limit=limit,
        remaining=remaining,
        used=_int(headers.get("X-RateLimit-Used")),
        reset_at=reset_at,
    )


class RequestStats:
    """Thread-safe request counter shared by a connector's transport (benchmarks read it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.rate_limit_wait_s = 0.0
        self._budgets: dict[str, RateLimitState] = {}

    def record_request(self) -> None:
        with self._lock:
            self.requests += 1

    def record_retry(self, waited_s: float, rate_limited: bool) -> None:
        with self._lock:
            self.retries += 1
            if rate_limited:
                self.rate_limit_wait_s += waited_s

    def record_rate_limit(self, headers: Mapping[str, str]) -> None:
        """Keep, per resource, the tightest budget of the current window."""
        state = rate_limit_of(headers)
        if state is None:
            return
        with self._lock:
            known = self._budgets.get(state.resource)
            if known is None or _newer_or_tighter(state, known):
                self._budgets[state.resource] = state

    def rate_limits(self) -> list[RateLimitState]:
        with self._lock:
            return [self._budgets[name] for name in sorted(self._budgets)]

    def into(self, provenance: SourceProvenance) -> SourceProvenance:
        """Copy the counts into a provenance record."""
        with self._lock:
            return provenance.model_copy(
                update={
                    "requests": self.requests,
                    "retries": self.retries,
                    "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
                    "rate_limits": [self._budgets[name] for name in sorted(self._budgets)],
                }
            )


def _newer_or_tighter(state: RateLimitState, known: RateLimitState) -> bool:
    """Concurrent answers arrive out of order: a later window wins, else fewer remaining."""
    if state.reset_at and known.reset_at and state.reset_at != known.reset_at:
        return state.reset_at > known.reset_at
    return state.remaining <= known.remaining
