"""``config/bot.yaml``: how the PR bot posts. Every key is optional (docs/security-review.md).

The file comes from the base branch (the Action checks out the base commit only), so a
pull request cannot loosen its own review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.models import Severity
from governance.configfile import read_yaml_mapping
from governance.errors import ConfigError

CheckConclusion = Literal["neutral", "failure"]


class BotConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check_name: str = "Release Risk Advisor / security review"
    # "failure" is an opt-in for teams that want a red check on high findings; the bot
    # still never approves or blocks through a review.
    conclusion_on_high: CheckConclusion = "neutral"
    inline_min_severity: Severity = Severity.HIGH
    max_inline_comments: int = Field(default=25, ge=0, le=100)
    # Files read at the PR head: full-file checks on modified files, withheld patches.
    max_content_files: int = Field(default=40, ge=0)
    max_content_bytes: int = Field(default=1_000_000, ge=1)
    # The account the bot posts as; without it, comments by Bot accounts (or, for a
    # personal token, anyone but the PR author) count as the bot's own.
    bot_login: str | None = None
    # Repository maintainers (maintain/admin permission) may sign off from the PR.
    maintainers_may_sign_off: bool = True


def load_bot_config(path: Path) -> BotConfig:
    """The bot's settings from ``path`` (the caller chooses: a flag, the base branch's file
    or the configuration directory's)."""
    if not path.is_file():
        raise ConfigError(f"bot config not found: {path}")
    try:
        return BotConfig.model_validate(read_yaml_mapping(path))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "bot config"
        raise ConfigError(f"invalid bot config {path}: {where}: {error['msg']}") from None
