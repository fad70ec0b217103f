"""The ``security:`` section of config/policy.yaml (each key documented in
docs/agents/security.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.policy import Policy

Level = Literal["low", "medium", "high"]


class SecurityPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    web_ports: list[int] = Field(default_factory=lambda: [80, 443])
    first_party_action_owners: list[str] = Field(default_factory=lambda: ["actions", "github"])
    default_token_permissions: Literal["read", "write"] = "write"  # noqa: S105 (not a secret)
    secret_entropy_plugins: bool = False
    sast_min_severity: Level = "medium"
    sast_min_confidence: Level = "medium"
    sast_skip_tests: list[str] = Field(default_factory=lambda: ["B101"])
    iac_disabled_rules: list[str] = Field(default_factory=list)
    code_disabled_rules: list[str] = Field(default_factory=list)  # e.g. RRA-PY-COOKIE-FLAGS
    critical_paths_file: str | None = None
    team_members: dict[str, list[str]] = Field(default_factory=dict)
    max_file_bytes: int = Field(default=2_000_000, ge=1)
    max_evidence: int = Field(default=10, ge=1)
    llm_review: bool = False


def security_policy(policy: Policy) -> SecurityPolicy:
    return policy.section("security", SecurityPolicy)
