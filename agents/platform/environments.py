"""``config/environments.yaml``: which files hold each environment's configuration.

Each group lists, per environment, repository-relative paths or globs (merged in sorted
order, later files winning, as ``-var-file``/``-f`` do) and the keys allowed to differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from governance.configfile import load_yaml_model

__all__ = ["EnvironmentGroup", "Environments", "load_environments"]


class EnvironmentGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    format: Literal["tfvars", "yaml"] | None = None  # None: from each file's extension
    environments: dict[str, list[str]] = Field(min_length=2)
    reference: str | None = None  # compared against the others; default: the first listed
    # fnmatch patterns over the dotted key (or its last part) that may differ.
    allow: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reference_known(self) -> EnvironmentGroup:
        if self.reference is not None and self.reference not in self.environments:
            raise ValueError(f"reference {self.reference!r} is not one of the environments")
        return self

    @property
    def baseline(self) -> str:
        return self.reference or next(iter(self.environments))


class Environments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    groups: list[EnvironmentGroup] = Field(default_factory=list)


def load_environments(path: Path) -> Environments:
    """``path`` is chosen by the caller (the shell resolves the policy's file name)."""
    return load_yaml_model(path, Environments, "environments")
