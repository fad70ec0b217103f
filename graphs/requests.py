"""What a run is asked to do (stored in the graph state as JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from connectors.snapshot import SnapshotRequest

DEFAULT_RELEASE_AGENTS = ("delivery", "platform", "security")


class RunRequest(BaseModel):
    source: Literal["demo", "snapshot", "live"]
    snapshot_file: str | None = None
    live: SnapshotRequest | None = None
    repo_path: str | None = None
    coverage_file: str | None = None
    plan_files: list[str] = Field(default_factory=list)
    agents: list[str] = Field(default_factory=lambda: list(DEFAULT_RELEASE_AGENTS))
    publish: bool = False


class SignOffDecision(BaseModel):
    """The value a human's decision resumes the sign-off interrupt with."""

    report_id: str
    decision: Literal["approve", "reject"]
    decided_by: str
    comment: str
