"""The interface every agent implements, and the assembly every agent shares.

An agent reads the normalized snapshot (plus optional local inputs) and returns an
``AgentReport``. Gaps in a source it needs make it ``partial`` and raise its score;
they never make it look safer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from agents.models import (
    AgentReport,
    AgentStatus,
    Coverage,
    CoverageStatus,
    Finding,
    RiskScore,
    ScoreFactor,
)
from agents.policy import Policy
from agents.scoring import score_findings
from connectors.provenance import Gap
from connectors.snapshot import SnapshotBody

if TYPE_CHECKING:  # the configuration imports the agents that use it
    from agents.config import AgentConfig
    from governance.redact import Redactor


@dataclass
class Outcome:
    """What a check found, what it could not check (each a gap, never silence), and
    counts worth reporting as metrics. Every agent's checks return one."""

    findings: list[Finding] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: Outcome) -> Outcome:
        self.findings.extend(other.findings)
        self.gaps.extend(other.gaps)
        self.counts.update(other.counts)
        return self


class AgentInput(BaseModel):
    """Everything an agent may look at. Local files are optional extras."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: SnapshotBody
    repo_path: Path | None = None
    coverage_file: Path | None = None
    plan_files: list[Path] = []


class Agent(Protocol):
    name: ClassVar[str]
    needs: ClassVar[tuple[str, ...]]

    @classmethod
    def configured(cls, config: AgentConfig, redactor: Redactor | None = None) -> Agent:
        """The agent as the run's configuration sets it up."""
        ...

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport: ...


def coverage_of(snapshot: SnapshotBody, needs: Sequence[str]) -> tuple[list[Coverage], list[Gap]]:
    """Per needed source: available, partial (some gaps) or missing (no data)."""
    coverage: list[Coverage] = []
    gaps: list[Gap] = []
    all_gaps = snapshot.gaps()
    for source in needs:
        source_gaps = [g for g in all_gaps if g.source == source]
        present = getattr(snapshot, source, None) is not None
        if not present:
            status = CoverageStatus.MISSING
        elif source_gaps:
            status = CoverageStatus.PARTIAL
        else:
            status = CoverageStatus.AVAILABLE
        detail = "; ".join(f"{g.what}: {g.why}" for g in source_gaps)
        coverage.append(Coverage(source=source, status=status, detail=detail))
        gaps.extend(
            source_gaps
            if present
            else source_gaps or [Gap(source=source, what="all data", why="not in the snapshot")]
        )
    return coverage, gaps


def assemble_report(
    agent: str,
    needs: Sequence[str],
    inputs: AgentInput,
    policy: Policy,
    findings: Sequence[Finding],
    *,
    metrics: dict[str, float | int | str | None] | None = None,
    extra_factors: Sequence[ScoreFactor] = (),
    extra_gaps: Sequence[Gap] = (),
) -> AgentReport:
    coverage, gaps = coverage_of(inputs.snapshot, needs)
    gaps = [*gaps, *extra_gaps]
    score: RiskScore = score_findings(
        findings, policy.scoring, missing_sources=gaps, extra_factors=extra_factors
    )
    return AgentReport(
        agent=agent,
        status=AgentStatus.PARTIAL if gaps else AgentStatus.COMPLETE,
        findings=sorted(findings, key=lambda f: (-f.severity.rank, f.category, f.fingerprint)),
        metrics=metrics or {},
        score=score,
        coverage=coverage,
        gaps=gaps,
    )
