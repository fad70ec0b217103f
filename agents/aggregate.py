"""From agent reports to one release view: overall score, verdict and its rule, the
ten-second summary, counts, top risks, the data gaps.

Missing data never lowers the risk. When the data the verdict rests on is missing (no
GitHub data for a release), the verdict is "cannot assess"; a check that had no data
counts as the worst it could have found; an agent that could not run counts as the
worst case for its weight until a human looks. The verdict rules, in order:

1. cannot assess: a source the verdict rests on is missing, or no agent could run;
2. high risk: any critical finding; or a check that could have reported a critical had
   no data, or an agent could not run; or the overall score reaches ``high_risk_score``;
3. proceed with care: any high finding; or a check had no data; or a check ran on
   partial data; or the overall score reaches ``care_score``;
4. no known blockers: none of the above.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents.models import (
    AgentReport,
    AgentStatus,
    CheckCoverage,
    CoverageStatus,
    Finding,
    LlmUsage,
    Severity,
    SignOffRecord,
)
from connectors.provenance import Gap

Verdict = Literal["cannot assess", "high risk", "proceed with care", "no known blockers"]
# Higher is worse; removing data may only move a verdict up this scale.
VERDICT_RANK: dict[str, int] = {
    "no known blockers": 0, "proceed with care": 1, "high risk": 2, "cannot assess": 3}
ADVISORY_BANNER = (
    "Advisory only: this report recommends; a named human decides. "
    "Nothing is approved until it is signed off."
)
SEVERITY_ORDER = tuple(reversed(Severity))  # critical first


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
    # What a release verdict rests on: without it the verdict is "cannot assess".
    required_sources: list[str] = Field(default_factory=lambda: ["github"])
    # Within a severity, top risks of these types come first: harm already happening.
    urgent_categories: list[str] = Field(
        default_factory=lambda: ["alarm-active", "metric-regression"])


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


class FindingCounts(BaseModel):
    """Totals over every finding of the report, not only the top risks shown."""

    total: int = 0
    by_severity: dict[str, int] = Field(
        default_factory=lambda: {s.value: 0 for s in SEVERITY_ORDER})

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> FindingCounts:
        counts = Counter(f.severity.value for f in findings)
        return cls(total=len(findings),
                   by_severity={s.value: counts.get(s.value, 0) for s in SEVERITY_ORDER})

    def text(self) -> str:
        """'49 findings: 3 critical, 19 high, 24 medium, 2 low, 1 info'."""
        parts = ", ".join(f"{n} {s}" for s, n in self.by_severity.items() if n)
        noun = "finding" if self.total == 1 else "findings"
        return f"{self.total} {noun}" + (f": {parts}" if parts else "")


class ReleaseReport(SignOffRecord):
    """The whole report every format renders. Published as docs/report.schema.json."""

    schema_version: str = "1.1"
    kind: str = "release"
    subject: str
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    advisory_banner: str = ADVISORY_BANNER
    report_id: str | None = None
    snapshot_hash: str | None = None
    overall_score: float
    verdict: Verdict
    verdict_rule: str = Field(description="The rule that decided the verdict, plainly.")
    verdict_detail: str = Field(description="What in this release made the rule apply.")
    headline: list[str] = Field(
        default_factory=list, max_length=3,
        description="The ten-second summary: the verdict, why, and what to do first.")
    recommendation: str
    counts: FindingCounts = Field(default_factory=FindingCounts)
    contributions: list[AgentContribution]
    top_risks: list[Finding]
    agents: list[AgentReport]
    gaps: list[Gap] = Field(default_factory=list, description="Each data gap once.")
    summary: str | None = Field(
        default=None, description="The advisory layer's notes (LLM or offline narrator).")
    llm: LlmUsage = Field(default_factory=LlmUsage)
    trends: list[Trend] = Field(default_factory=list)
    prompt_versions: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_schema_1_0(cls, data: Any) -> Any:
        """Reports stored before schema 1.1 stay readable (``advisor reports export``):
        their verdict rule was not recorded, and their totals are counted here."""
        if not isinstance(data, dict) or "verdict_rule" in data:
            return data
        upgraded = dict(data)
        if upgraded.get("verdict") == "not assessed":
            upgraded["verdict"] = "cannot assess"
        upgraded["verdict_rule"] = "not recorded (a report from before schema 1.1)"
        upgraded.setdefault("verdict_detail", "")
        if "counts" not in upgraded:
            severities = Counter(str(f.get("severity")) for a in upgraded.get("agents", [])
                                 for f in a.get("findings", []))
            upgraded["counts"] = {"total": sum(severities.values()), "by_severity": {
                s.value: severities.get(s.value, 0) for s in SEVERITY_ORDER}}
        return upgraded


class VerdictCall(BaseModel):
    verdict: Verdict
    rule: str
    detail: str


def aggregate(
    subject: str,
    reports: Sequence[AgentReport],
    policy: AggregationPolicy,
    *,
    snapshot_hash: str | None = None,
) -> ReleaseReport:
    contributions = [_contribution(r, policy) for r in reports]
    total_weight = sum(c.weight for c in contributions) or 1.0
    overall = round(sum(c.contribution for c in contributions) / total_weight, 2)
    findings = [f for r in reports for f in r.findings]
    ranked = ranked_risks(findings, policy)
    top = ranked[: policy.top_risks]
    call = decide(overall, findings, reports, policy)
    counts = FindingCounts.of(findings)
    usage = LlmUsage()
    for report in reports:
        usage = usage.add(report.llm)
    return ReleaseReport(
        subject=subject,
        snapshot_hash=snapshot_hash,
        overall_score=overall,
        verdict=call.verdict,
        verdict_rule=call.rule,
        verdict_detail=call.detail,
        headline=headline(call, counts, ranked),
        recommendation=_wording(call.verdict, reports),
        counts=counts,
        contributions=contributions,
        top_risks=top,
        agents=list(reports),
        gaps=list(dict.fromkeys(g for r in reports for g in r.gaps)),
        llm=usage,
        prompt_versions=dict(usage.prompt_versions),
    )


def _contribution(report: AgentReport, policy: AggregationPolicy) -> AgentContribution:
    weight = policy.agent_weights.get(report.agent, 0.1)
    assessed = report.status in (AgentStatus.COMPLETE, AgentStatus.PARTIAL)
    score = report.score.value if assessed else policy.unavailable_agent_score
    if not assessed:
        why = f"{report.status.value}: counted as {score:g} (worst case) × weight {weight:g}"
    elif report.score.worst_case:
        why = f"a check had no data: counted as {score:g} (worst case) × weight {weight:g}"
    else:
        why = f"score {score:g} × weight {weight:g}"
    return AgentContribution(
        agent=report.agent,
        status=report.status,
        score=score,
        weight=weight,
        contribution=round(score * weight, 4),  # exact: a score has two decimals
        explanation=why,
    )


_CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def ranked_risks(findings: Sequence[Finding], policy: AggregationPolicy) -> list[Finding]:
    """Most severe first; within a severity: deterministic before the LLM's, harm already
    happening (``urgent_categories``) first, then each type's first finding before any
    type's second (so one type cannot fill the list), then by confidence."""
    urgent = set(policy.urgent_categories)
    seen: Counter[tuple[str, str]] = Counter()
    nth: dict[str, int] = {}
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.fingerprint)):
        seen[(finding.agent, finding.category)] += 1
        nth[finding.fingerprint] = seen[(finding.agent, finding.category)]

    def order(finding: Finding) -> tuple[int, int, int, int, int, str]:
        return (-finding.severity.rank, 0 if finding.source == "deterministic" else 1,
                0 if finding.category in urgent else 1, nth.get(finding.fingerprint, 0),
                _CONFIDENCE_RANK[finding.confidence.value], finding.fingerprint)

    return sorted(findings, key=order)


# -- the verdict ---------------------------------------------------------------------------


def decide(
    overall: float,
    findings: Sequence[Finding],
    reports: Sequence[AgentReport],
    policy: AggregationPolicy,
) -> VerdictCall:
    """The first rule that applies, with what made it apply."""
    stopped = [r for r in reports if r.status in (AgentStatus.UNAVAILABLE, AgentStatus.HALTED)]
    if reports and len(stopped) == len(reports):
        return VerdictCall(verdict="cannot assess", rule="no agent could run ⇒ cannot assess",
                           detail="; ".join(f"{r.agent}: {r.status.value}" for r in stopped))
    if missing := _missing_required(reports, policy.required_sources):
        return VerdictCall(
            verdict="cannot assess",
            rule=f"no {' or '.join(policy.required_sources)} data ⇒ cannot assess",
            detail="; ".join(f"{source}: {why}" for source, why in missing.items()))
    deterministic = [f for f in findings if f.source == "deterministic"]
    unchecked = [(r.agent, c) for r in reports for c in r.unchecked]
    return (_high_risk(overall, deterministic, stopped, unchecked, policy)
            or _care(overall, deterministic, reports, unchecked, policy)
            or VerdictCall(
                verdict="no known blockers",
                rule="no critical or high finding, every check on complete data, overall "
                     f"score < {policy.care_score:g} ⇒ no known blockers",
                detail=f"overall score {overall:g}"))


def _high_risk(overall: float, findings: Sequence[Finding], stopped: Sequence[AgentReport],
               unchecked: Sequence[tuple[str, CheckCoverage]],
               policy: AggregationPolicy) -> VerdictCall | None:
    if call := _severity_rule("high risk", Severity.CRITICAL, findings):
        return call
    if stopped:
        return VerdictCall(
            verdict="high risk",
            rule="an agent could not run ⇒ high risk (what it would find is unknown)",
            detail="; ".join(f"{r.agent}: {r.status.value}" for r in stopped))
    if blind := [(a, c) for a, c in unchecked if c.worst >= Severity.CRITICAL]:
        return VerdictCall(
            verdict="high risk",
            rule="a check that could have reported a critical had no data ⇒ high risk",
            detail=_unchecked_text(blind))
    return _score_rule("high risk", overall, policy.high_risk_score)


def _care(overall: float, findings: Sequence[Finding], reports: Sequence[AgentReport],
          unchecked: Sequence[tuple[str, CheckCoverage]],
          policy: AggregationPolicy) -> VerdictCall | None:
    if call := _severity_rule("proceed with care", Severity.HIGH, findings):
        return call
    if unchecked:
        return VerdictCall(verdict="proceed with care",
                           rule="a check had no data ⇒ proceed with care",
                           detail=_unchecked_text(unchecked))
    if call := _score_rule("proceed with care", overall, policy.care_score):
        return call
    if partial := [r.agent for r in reports if r.status is not AgentStatus.COMPLETE]:
        return VerdictCall(verdict="proceed with care",
                           rule="a check ran on partial data ⇒ proceed with care",
                           detail="data gaps in: " + ", ".join(partial))
    return None


def _score_rule(verdict: Verdict, overall: float, threshold: float) -> VerdictCall | None:
    if overall < threshold:
        return None
    return VerdictCall(verdict=verdict, rule=f"overall score ≥ {threshold:g} ⇒ {verdict}",
                       detail=f"overall score {overall:g}")


def _severity_rule(verdict: Verdict, level: Severity,
                   findings: Sequence[Finding]) -> VerdictCall | None:
    hits = [f for f in findings if f.severity is level]
    if not hits:
        return None
    noun = "finding" if len(hits) == 1 else "findings"
    return VerdictCall(verdict=verdict, rule=f"any {level.value} finding ⇒ {verdict}",
                       detail=f"{len(hits)} {level.value} {noun}")


def _missing_required(reports: Sequence[AgentReport], required: Sequence[str]) -> dict[str, str]:
    """Required sources an agent found missing, each with why (its gap's words)."""
    missing: dict[str, str] = {}
    for report in reports:
        absent = {row.source for row in report.coverage
                  if row.source in required and row.status is CoverageStatus.MISSING}
        for source in sorted(absent):
            why = next((g.why for g in report.gaps if g.source == source), "no data")
            missing.setdefault(source, why.removeprefix(f"{source}: "))
    return missing


def _unchecked_text(unchecked: Sequence[tuple[str, CheckCoverage]]) -> str:
    return "; ".join(f"{agent} {c.check} ({c.detail})" for agent, c in unchecked)


# -- wording -------------------------------------------------------------------------------


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`'\"(])")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def headline(call: VerdictCall, counts: FindingCounts, ranked: Sequence[Finding]) -> list[str]:
    """Three sentences a release manager reads in ten seconds: the verdict and why, what
    was found, and what to do first."""
    why = f"{call.verdict.capitalize()}: {call.detail} (rule: {call.rule})."
    if call.verdict == "cannot assess":
        found = (f"The {counts.text()} below come only from the data there was."
                 if counts.total else "No finding came from the data there was; that says "
                 "nothing about the release.")
        return [why, found, "First: make the missing data available and run the report "
                "again; until then nobody can call this release safe."]
    if not ranked:
        return [why, "No findings.", "First: read the coverage section, then decide."]
    top = ranked[0]
    return [why, f"Most severe: {top.title.rstrip('.')}.",
            f"First: {first_sentence(top.recommendation).rstrip('.')}."]


def _wording(verdict: Verdict, reports: Sequence[AgentReport]) -> str:
    unassessed = [
        r.agent for r in reports if r.status in (AgentStatus.UNAVAILABLE, AgentStatus.HALTED)
    ]
    parts = {
        "high risk": "Advisory: high risk. Consider holding the release until the top risks "
        "are resolved or explicitly accepted.",
        "proceed with care": "Advisory: proceed with care. Review the top risks and data gaps "
        "before deciding.",
        "no known blockers": "Advisory: no known blockers in the data reviewed.",
        "cannot assess": "Advisory: this release cannot be assessed on the data available; "
        "treat it as unknown, not as safe.",
    }
    text = parts[verdict]
    if unassessed:
        text += f" Not assessed: {', '.join(unassessed)}."
    return text + " A human decides."


# -- the CI gate ---------------------------------------------------------------------------


def gate_failure(report: ReleaseReport, level: Severity, *, allow_gaps: bool = False) -> str | None:
    """Why ``--fail-on LEVEL`` fails this report, or None when it passes.

    A report that cannot be assessed fails, and so does one where a check that could have
    reported a finding at ``level`` had no data: unknown is not "below the bar". With
    ``allow_gaps`` a human has accepted the gaps, and only the findings count.
    """
    if report.verdict == "cannot assess" and not allow_gaps:
        return (f"cannot assess: {report.verdict_detail}; an unassessed release does not pass "
                f"--fail-on {level.value} (--allow-gaps accepts the gaps)")
    reached = [f for a in report.agents for f in a.findings
               if f.source == "deterministic" and f.severity >= level]
    if reached:
        counts = FindingCounts.of(reached)
        return f"{counts.text()} at or above {level.value}"
    blind = [(a.agent, c) for a in report.agents for c in a.unchecked if c.worst >= level]
    if blind and not allow_gaps:
        return (f"cannot rule out a {level.value} finding: {_unchecked_text(blind)} had no "
                "data (--allow-gaps accepts the gaps)")
    return None
