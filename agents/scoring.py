"""A 0–100 risk score that keeps ranking as risk grows, every point of it explained.

Each deterministic finding is worth its severity's points times its confidence factor.
Within a finding type the k-th finding (most severe first) counts 1/k of its points: a
hundred similar findings weigh more than ten, but never drown out judgement, and there
is no cap at which more risk stops counting. Gaps add points per source. The points
``R`` become a score by a saturating curve, ``100 × R ÷ (R + half_risk_points)``, which
only approaches 100: a bad release and a terrible one still differ.

A check that had no data at all cannot be bounded (what it would have found is
unknown), so the score is its worst case, 100. The advisory layer never moves the score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from agents.models import CheckCoverage, Finding, RiskScore, ScoreFactor, Severity
from agents.policy import ScoringPolicy
from connectors.provenance import Gap

WORST_CASE = 100.0


def score_findings(
    findings: Sequence[Finding],
    policy: ScoringPolicy,
    *,
    missing_sources: Sequence[Gap] = (),
    extra_factors: Sequence[ScoreFactor] = (),
    unchecked: Sequence[CheckCoverage] = (),
) -> RiskScore:
    factors = [*_category_factors(findings, policy), *extra_factors]
    uncertainty = list(dict.fromkeys(f"{g.source}: {g.what} missing ({g.why})"
                                     for g in missing_sources))
    if missing_sources:
        sources = sorted({g.source for g in missing_sources})
        factors.append(ScoreFactor(
            name="partial data",
            value=", ".join(sources),
            weight=policy.partial_source_points,
            contribution=policy.partial_source_points * len(sources),
            explanation="data this agent reads has gaps; a gap raises the score, never "
                        "lowers it",
        ))
    points = round(sum(max(0.0, f.contribution) for f in factors), 2)
    if unchecked:
        names = ", ".join(c.check for c in unchecked)
        factors.append(ScoreFactor(
            name="no data", value=names, weight=0.0, contribution=0.0,
            explanation=f"check(s) {names} could not run for lack of data: what they would "
                        f"have found is unknown, so the score is the worst case "
                        f"({WORST_CASE:g})",
        ))
        value = WORST_CASE
    else:
        value = saturate(points, policy.half_risk_points)
    return RiskScore(value=value, points=points, half_risk_points=policy.half_risk_points,
                     worst_case=bool(unchecked), factors=factors, uncertainty=uncertainty)


def saturate(points: float, half: float) -> float:
    """``100 × R ÷ (R + half)``: 0 at no risk, 50 at ``half`` points, never quite 100."""
    if points <= 0:
        return 0.0
    return round(100.0 * points / (points + half), 2)


def finding_points(finding: Finding, policy: ScoringPolicy) -> float:
    return (policy.severity_points.get(finding.severity.value, 0.0)
            * policy.confidence_factor.get(finding.confidence.value, 1.0))


def _category_factors(findings: Sequence[Finding], policy: ScoringPolicy) -> list[ScoreFactor]:
    by_category: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.source == "deterministic":
            by_category[finding.category].append(finding)
    factors = []
    for category, group in sorted(by_category.items()):
        weight = policy.category_weights.get(category, 1.0)
        each = sorted((finding_points(f, policy) for f in group), reverse=True)
        points = weight * sum(p / k for k, p in enumerate(each, start=1))
        counts = Counter(f.severity for f in group)
        breakdown = ", ".join(f"{counts[s]} {s.value}"
                              for s in sorted(counts, key=lambda s: -s.rank))
        repeat = "; the k-th of a type counts 1/k" if len(group) > 1 else ""
        factors.append(ScoreFactor(
            name=category, value=len(group), weight=weight, contribution=round(points, 2),
            explanation=f"{len(group)} finding(s): {breakdown}{repeat}",
        ))
    return sorted(factors, key=lambda f: -f.contribution)


def worst_severity(findings: Sequence[Finding]) -> Severity:
    return max((f.severity for f in findings if f.source == "deterministic"),
               default=Severity.INFO)
