"""The ``publishing`` section of ``config/schedule.yaml``: whether drafts go out early.

Read on its own, so a command that publishes needs neither the jobs nor the scheduler.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from advisor.settings import config_file
from governance.configfile import read_yaml_mapping, validation_message
from governance.errors import ConfigError


class PublishingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Off by default: nothing reaches Confluence before a named human approves it.
    draft_before_signoff: bool = False


def schedule_path(path: Path | None = None) -> Path:
    return path or config_file("schedule.yaml")


def publishing_policy(path: Path | None = None) -> PublishingPolicy:
    """The draft policy; no schedule file (or no section) means the default: no drafts."""
    chosen = schedule_path(path)
    if not chosen.exists():
        return PublishingPolicy()
    section = read_yaml_mapping(chosen).get("publishing") or {}
    try:
        return PublishingPolicy.model_validate(section)
    except ValidationError as exc:
        raise ConfigError(validation_message(exc, f"publishing policy in {chosen}")) from None
