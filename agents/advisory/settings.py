"""Advisory-layer settings: ``config/llm.yaml`` (documented there and in docs/llm.md).

Only three environment variables override the file: ``ADVISOR_LLM_CONFIG`` (another
file), ``ADVISOR_LLM_PROVIDER`` and ``ADVISOR_LLM_MODEL``. Credentials are never read
from configuration: the API key comes from ``ANTHROPIC_API_KEY``, AWS credentials from
the usual AWS chain.
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from governance.configfile import read_yaml_mapping
from governance.errors import ConfigError

Provider = Literal["auto", "anthropic", "bedrock", "offline"]
Effort = Literal["low", "medium", "high", "xhigh", "max"]

_SONNET = re.compile(r"claude-sonnet-(\d+)(?:-(\d+))?")


def sdk_models() -> list[str]:
    """The model names the installed SDK knows (``anthropic.types.Model``'s literal)."""
    from anthropic.types import Model

    names: list[str] = []
    for arg in typing.get_args(Model):
        names += [a for a in typing.get_args(arg) if isinstance(a, str)]
    return names


def newest_sonnet() -> str:
    """The newest undated ``claude-sonnet-*`` alias in the installed SDK's model list."""
    versions = {}
    for name in sdk_models():
        match = _SONNET.fullmatch(name)
        if match:  # dated snapshots (…-20250929) do not fullmatch
            versions[name] = (int(match.group(1)), int(match.group(2) or 0))
    if not versions:
        raise ConfigError("the installed anthropic SDK lists no claude-sonnet model")
    return max(versions, key=lambda n: versions[n])


class Prices(BaseModel):
    """USD per million tokens. ``cache_write`` is the 5-minute ephemeral cache rate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0)
    cache_read: float = Field(ge=0)


class Budget(BaseModel):
    """A ceiling; ``None`` means no ceiling on that measure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: int | None = Field(default=None, ge=0)
    usd: float | None = Field(default=None, ge=0)


class Budgets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_run: Budget = Field(default_factory=lambda: Budget(tokens=200_000, usd=1.0))
    per_day: Budget = Field(default_factory=lambda: Budget(tokens=2_000_000, usd=10.0))


class AdvisorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider = "auto"
    model: str = Field(default_factory=newest_sonnet)
    bedrock_model: str = "us.anthropic.claude-sonnet-5-5"
    max_tokens: int = Field(default=8192, ge=256)
    # None omits the parameter: Sonnet 5-class models reject non-default sampling values.
    temperature: float | None = Field(default=None, ge=0, le=1)
    effort: Effort | None = "low"
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    base_url: str | None = None
    aws_region: str | None = None
    aws_profile: str | None = None
    count_tokens: bool = False
    cache_prompts: bool = True
    max_context_chars: int = Field(default=60_000, ge=1_000)
    budgets: Budgets = Field(default_factory=Budgets)
    prices: dict[str, Prices] = Field(default_factory=dict)

    def model_for(self, provider: str) -> str:
        return self.bedrock_model if provider == "bedrock" else self.model

    def price_for(self, model: str) -> Prices | None:
        """Exact id first, then the id without a Bedrock region prefix or version suffix."""
        if model in self.prices:
            return self.prices[model]
        return self.prices.get(base_model_id(model))


def base_model_id(model: str) -> str:
    """``us.anthropic.claude-sonnet-5-5-v1:0`` → ``claude-sonnet-5-5``."""
    name = model.rsplit("/", 1)[-1]
    name = re.sub(r"^(?:[a-z]{2,6}\.)?anthropic\.", "", name)
    return re.sub(r"-v\d+(?::\d+)?$", "", name)


def load_advisory_settings(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> AdvisorySettings:
    """File values (none without a file), then ``ADVISOR_LLM_PROVIDER`` /
    ``ADVISOR_LLM_MODEL``, then ``overrides``. The caller chooses the file."""
    env = os.environ if environ is None else environ
    data = read_yaml_mapping(path) if path is not None and path.exists() else {}
    for key in ("provider", "model"):
        value = env.get(f"ADVISOR_LLM_{key.upper()}")
        if value:
            data[key] = value
    data.update(overrides)
    if data.get("model") is None:
        data.pop("model", None)  # null in the file: the SDK's newest Sonnet
    try:
        return AdvisorySettings.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "settings"
        source = path or "the defaults"
        raise ConfigError(f"invalid LLM setting {where} in {source}: {error['msg']}") from None
