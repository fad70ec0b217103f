"""How to reach CloudWatch: region, profile, alarm filter, retries and timeouts."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from botocore.config import Config
from pydantic import BaseModel, ConfigDict, Field


class CloudWatchSettings(BaseModel):
    """Credentials come from the standard AWS chain (env, profile, SSO, instance role)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: str | None = None  # None: the profile's or AWS_DEFAULT_REGION
    profile: str | None = None
    alarm_name_prefix: str | None = None
    history_window: timedelta = timedelta(days=7)
    # "standard" retries throttling and 5xx with jittered backoff; "adaptive" also
    # rate-limits the client itself once throttled (botocore calls it experimental).
    retry_mode: Literal["standard", "adaptive"] = "standard"
    max_attempts: int = Field(default=5, ge=1, le=20)  # first call included
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)

    def client_config(self) -> Config:
        return Config(
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout_s,
            read_timeout=self.read_timeout_s,
        )
