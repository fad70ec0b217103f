"""``config/policy.yaml``: thresholds and weights, documented in docs/policy.md.

The file has a shared ``scoring`` section and one section per agent; each agent
validates its own section with its own pydantic model, so agents stay independent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from governance.configfile import load_yaml_model
from governance.errors import ConfigError

SectionT = TypeVar("SectionT", bound=BaseModel)


class ScoringPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity_points: dict[str, float] = Field(default_factory=lambda: {
        "critical": 100.0, "high": 15.0, "medium": 3.0, "low": 1.0, "info": 0.0})
    confidence_factor: dict[str, float] = Field(default_factory=lambda: {
        "high": 1.0, "medium": 0.7, "low": 0.4})
    category_weights: dict[str, float] = Field(default_factory=dict)
    partial_source_points: float = Field(default=10.0, ge=0)
    half_risk_points: float = Field(default=100.0, gt=0)


class Policy(BaseModel):
    model_config = ConfigDict(extra="allow")

    scoring: ScoringPolicy = Field(default_factory=ScoringPolicy)

    def section(self, name: str, model: type[SectionT]) -> SectionT:
        """Validate one agent's section; a bad value is one clear line."""
        raw = (self.model_extra or {}).get(name) or {}
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise ConfigError(f"invalid policy {name}.{where}: {error['msg']}") from None


def load_policy(path: Path) -> Policy:
    """``path`` is chosen by the caller (the shell looks in ``ADVISOR_CONFIG_DIR`` first)."""
    return load_yaml_model(path, Policy, "policy")
