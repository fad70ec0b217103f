"""``config/schedule.yaml``: when each job runs, what it runs, and the publishing policy.

A malformed file is one clear line (``ConfigError``) naming the file and the key; cron
expressions and job arguments are checked when the file is read, not at the first tick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from advisor.scheduling.jobs import Commands, check_arguments
from advisor.scheduling.publishing import PublishingPolicy, schedule_path
from governance.configfile import read_yaml_mapping
from governance.errors import ConfigError

Command = Literal["portfolio-summary", "release-report"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    cron: str = Field(description="Five crontab fields: minute hour day month weekday.")
    command: Command
    args: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a crontab expression ({exc})") from None
        return value

    @field_validator("args")
    @classmethod
    def _known_arguments(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        command = info.data.get("command")
        commands: Commands = (info.context or {})["commands"]  # see load_schedule
        return check_arguments(commands, command, value) if command else value


class Schedule(_Strict):
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(default=300, ge=1, le=86_400)
    max_parallel_jobs: int = Field(default=1, ge=1, le=16)
    jobs: list[JobSpec] = Field(default_factory=list)
    publishing: PublishingPolicy = Field(default_factory=PublishingPolicy)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> Schedule:
        names = [job.name for job in self.jobs]
        if duplicate := next((n for n in names if names.count(n) > 1), None):
            raise ValueError(f"job name {duplicate!r} is used twice")
        return self

    @property
    def enabled_jobs(self) -> list[JobSpec]:
        return [job for job in self.jobs if job.enabled]


def trigger_for(job: JobSpec, timezone: str) -> CronTrigger:
    """The job's trigger in the schedule's zone (both were checked when the file was read)."""
    return CronTrigger.from_crontab(job.cron, timezone=ZoneInfo(timezone))


def load_schedule(commands: Commands, path: Path | None = None) -> Schedule:
    """The schedule, or one ``ConfigError`` line naming the file and what is wrong.

    Each job's arguments are checked against the command it names in ``commands``.
    """
    chosen = schedule_path(path)
    if not chosen.exists():
        raise ConfigError(f"schedule file not found: {chosen}")
    raw = read_yaml_mapping(chosen)
    try:
        return Schedule.model_validate(raw, context={"commands": commands})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "jobs"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{chosen}: {where}: {message}") from None
