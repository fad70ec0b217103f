"""The interface every agent implements, and the assembly every agent shares.

An agent reads the normalized snapshot (plus optional local inputs) and returns an
``AgentReport``. It declares its checks (``Check``): the sources each reads, the finding
types it reports and the most severe of them. The report states, check by check, whether
it ran on complete, partial or no data. Gaps make the score higher, never lower; a check
that had no data at all makes the agent's score its worst case (100), since what it
would have found is unknown.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from agents.models import (
    AgentReport,
    AgentStatus,
    CheckCoverage,
    Coverage,
    CoverageStatus,
    DataLevel,
    Finding,
    RiskScore,
    ScoreFactor,
    Severity,
)
from agents.policy import Policy
from agents.scoring import score_findings
from connectors.provenance import Gap
from connectors.snapshot import SOURCES, SnapshotBody

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


@dataclass(frozen=True)
class Check:
    """One check of an agent: what it reads, what it reports, and how bad that can get.

    ``sources`` are snapshot sources (``github``, ``jira``…) or local inputs named as gaps
    name them (``repository``, ``coverage``…); only a snapshot source can be missing.
    ``worst`` is the most severe finding the check can report under the policy in force.
    """

    name: str
    sources: tuple[str, ...]
    categories: tuple[str, ...]
    worst: Severity


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


def check_coverage(snapshot: SnapshotBody, checks: Sequence[Check],
                   gaps: Sequence[Gap]) -> list[CheckCoverage]:
    """Per check: no data when a snapshot source it reads is absent, partial when any
    source it reads has a gap, complete otherwise."""
    gapped = {g.source for g in gaps}
    rows = []
    for check in checks:
        absent = [s for s in check.sources if s in SOURCES and getattr(snapshot, s) is None]
        partial = [s for s in check.sources if s in gapped and s not in absent]
        if absent:
            level, detail = DataLevel.NONE, f"not in the snapshot: {', '.join(absent)}"
        elif partial:
            level, detail = DataLevel.PARTIAL, f"gaps in: {', '.join(partial)}"
        else:
            level, detail = DataLevel.COMPLETE, ""
        rows.append(CheckCoverage(check=check.name, data=level, sources=list(check.sources),
                                  worst=check.worst, detail=detail))
    return rows


def assemble_report(
    agent: str,
    checks: Sequence[Check],
    inputs: AgentInput,
    policy: Policy,
    findings: Sequence[Finding],
    *,
    metrics: dict[str, float | int | str | None] | None = None,
    extra_factors: Sequence[ScoreFactor] = (),
    extra_gaps: Sequence[Gap] = (),
) -> AgentReport:
    needs = list(dict.fromkeys(s for c in checks for s in c.sources if s in SOURCES))
    coverage, gaps = coverage_of(inputs.snapshot, needs)
    gaps = list(dict.fromkeys([*gaps, *extra_gaps]))  # Gap is frozen, hence hashable
    rows = check_coverage(inputs.snapshot, checks, gaps)
    score: RiskScore = score_findings(
        findings, policy.scoring, missing_sources=gaps, extra_factors=extra_factors,
        unchecked=[r for r in rows if r.data is DataLevel.NONE],
    )
    report = AgentReport(
        agent=agent,
        status=AgentStatus.PARTIAL if gaps else AgentStatus.COMPLETE,
        findings=sorted(findings, key=lambda f: (-f.severity.rank, f.category, f.fingerprint)),
        metrics=metrics or {},
        score=score,
        coverage=coverage,
        checks=rows,
        gaps=gaps,
    )
    return portable(report, inputs)


def local_roots(inputs: AgentInput) -> dict[str, str]:
    """Folders of this machine the inputs came from, and what a reader sees instead: the
    clone's files by their repository path, other inputs by their file name."""
    folders = [inputs.repo_path] if inputs.repo_path is not None else []
    folders += [p.parent for p in inputs.plan_files]
    folders += [inputs.coverage_file.parent] if inputs.coverage_file else []
    roots: dict[str, str] = {}
    for folder in folders:
        for form in {str(folder), str(folder.resolve())}:
            if form not in (".", "", "/"):
                roots[form.rstrip("/") + "/"] = ""
                roots.setdefault(form.rstrip("/"), folder.resolve().name)
    return roots


def portable(report: AgentReport, inputs: AgentInput) -> AgentReport:
    """The report with no absolute path of this machine in it (docs/report-formats.md):
    evidence and gaps name files as the repository (or the input's name) does."""
    roots = local_roots(inputs)
    if not roots:
        return report
    text = report.model_dump_json()
    if not any(root in text for root in roots):
        return report
    for root in sorted(roots, key=len, reverse=True):  # the longest, most specific first
        text = text.replace(json.dumps(root)[1:-1], roots[root])
    return AgentReport.model_validate_json(text)
