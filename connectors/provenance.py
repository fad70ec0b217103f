"""What a connector asked for, what it got, and what is missing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Gap(BaseModel):
    """Data a source could not deliver. Missing data is never passed off as empty data."""

    model_config = ConfigDict(frozen=True)

    source: str
    what: str
    why: str


class SourceProvenance(BaseModel):
    """Per-source record stored in a snapshot so any report can be reproduced."""

    source: str
    asked: dict[str, Any] = Field(default_factory=dict)
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    requests: int = 0
    retries: int = 0
    rate_limit_wait_s: float = 0.0
    gaps: list[Gap] = Field(default_factory=list)


class RequestStats:
    """Thread-safe request counter shared by a connector's transport (benchmarks read it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.rate_limit_wait_s = 0.0

    def record_request(self) -> None:
        with self._lock:
            self.requests += 1

    def record_retry(self, waited_s: float, rate_limited: bool) -> None:
        with self._lock:
            self.retries += 1
            if rate_limited:
                self.rate_limit_wait_s += waited_s

    def into(self, provenance: SourceProvenance) -> SourceProvenance:
        """Copy the counts into a provenance record."""
        with self._lock:
            return provenance.model_copy(
                update={
                    "requests": self.requests,
                    "retries": self.retries,
                    "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
                }
            )
