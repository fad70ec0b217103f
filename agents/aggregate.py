"""From agent reports to one release view: overall score, top risks, advisory wording.

An agent that could not run (crashed, halted, data missing) never lowers the overall
risk: it counts as the worst case for its weight until a human looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.models import AgentReport, AgentStatus, Finding, LlmUsage, Severity
from connectors.provenance import Gap

Verdict = Literal["no known blockers", "proceed with care", "high risk", "not assessed"]
ADVISORY_BANNER = (
    "Advisory only: this report recommends; a named human decides. "
    "Nothing is approved until it is signed off."
)


class AggregationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "security": 0.35,
            "delivery": 0.3,
            "platform": 0.25,
            "portfolio": 0.1,
        }
    )
    unavailable_agent_score: float = 100.0  # the worst case until someone checks
    top_risks: int = 10
    high_risk_score: float = 60.0
    care_score: float = 30.0


class AgentContribution(BaseModel):
    agent: str
    status: AgentStatus
    score: float
    weight: float
    contribution: float
    explanation: str


class Trend(BaseModel):
    """A metric series to chart (downsampled), e.g. p99 latency of payments-api."""

    label: str
    unit: str | None = None
    timestamps: list[datetime]
    values: list[float]


class ReleaseReport(BaseModel):
    """The whole report every format renders. Published as docs/report.schema.json."""

    schema_version: str = "1.0"
    kind: str = "release"
    subject: str
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    advisory_banner: str = ADVISORY_BANNER
    report_id: str | None = None
    signoff_status: str = "pending_signoff"
    signed_off_by: str | None = None
    signed_off_at: str | None = None
    snapshot_hash: str | None = None
    overall_score: float
    verdict: Verdict
    recommendation: str
    contributions: list[AgentContribution]
    top_risks: list[Finding]
    agents: list[AgentReport]
    gaps: list[Gap] = Field(default_factory=list)
    summary: str | None = None
    llm: LlmUsage = Field(default_factory=LlmUsage)
    trends: list[Trend] = Field(default_factory=list)
    prompt_versions: dict[str, str] = Field(default_factory=dict)


def aggregate(
    subject: str,
    reports: Sequence[AgentReport],
    policy: AggregationPolicy,
    *,
    snapshot_hash: str | None = None,
) -> ReleaseReport:
    contributions = [_contribution(r, policy) for r in reports]
    total_weight = sum(c.weight for c in contributions) or 1.0
    overall = round(sum(c.contribution for c in contributions) / total_weight, 1)
    findings = [f for r in reports for f in r.findings]
    top = sorted(findings, key=_risk_order)[: policy.top_risks]
    verdict = _verdict(overall, findings, reports, policy)
    usage = LlmUsage()
    for report in reports:
        usage = usage.add(report.llm)
    return ReleaseReport(
        subject=subject,
        snapshot_hash=snapshot_hash,
        overall_score=overall,
        verdict=verdict,
        recommendation=_wording(verdict, top, reports),
        contributions=contributions,
        top_risks=top,
        agents=list(reports),
        gaps=[g for r in reports for g in r.gaps],
        llm=usage,
        prompt_versions=dict(usage.prompt_versions),
    )


def _contribution(report: AgentReport, policy: AggregationPolicy) -> AgentContribution:
    weight = policy.agent_weights.get(report.agent, 0.1)
    assessed = report.status in (AgentStatus.COMPLETE, AgentStatus.PARTIAL)
    score = report.score.value if assessed else policy.unavailable_agent_score
    why = (
        f"score {score:g} × weight {weight:g}"
        if assessed
        else f"{report.status.value}: counted as {score:g} (worst case) × weight {weight:g}"
    )
    return AgentContribution(
        agent=report.agent,
        status=report.status,
        score=score,
        weight=weight,
        contribution=round(score * weight, 2),
        explanation=why,
    )


def _risk_order(finding: Finding) -> tuple[int, int, str]:
    deterministic_first = 0 if finding.source == "deterministic" else 1
    return (-finding.severity.rank, deterministic_first, finding.fingerprint)


def _verdict(
    overall: float,
    findings: Sequence[Finding],
    reports: Sequence[AgentReport],
    policy: AggregationPolicy,
) -> Verdict:
    if reports and all(r.status in (AgentStatus.UNAVAILABLE, AgentStatus.HALTED) for r in reports):
        return "not assessed"
    worst = max(
        (f.severity for f in findings if f.source == "deterministic"), default=Severity.INFO
    )
    if worst >= Severity.CRITICAL or overall >= policy.high_risk_score:
        return "high risk"
    if worst >= Severity.HIGH or overall >= policy.care_score:
        return "proceed with care"
    if any(r.status is not AgentStatus.COMPLETE for r in reports):
        return "proceed with care"  # something was not fully assessed
    return "no known blockers"


def _wording(verdict: Verdict, top: Sequence[Finding], reports: Sequence[AgentReport]) -> str:
    unassessed = [
        r.agent for r in reports if r.status in (AgentStatus.UNAVAILABLE, AgentStatus.HALTED)
    ]
    parts = {
        "high risk": "Advisory: high risk. Consider holding the release until the top risks "
        "are resolved or explicitly accepted.",
        "proceed with care": "Advisory: proceed with care. Review the top risks and data gaps "
        "before deciding.",
        "no known blockers": "Advisory: no known blockers in the data reviewed.",
        "not assessed": "Advisory: the release could not be assessed.",
    }
    text = parts[verdict]
    if top:
        text += f" Most severe: {top[0].title} ({top[0].severity.value})."
    if unassessed:
        text += f" Not assessed: {', '.join(unassessed)}."
    return text + " A human decides."
