"""A 0–100 risk score whose every point is explained by a factor.

Only deterministic findings count: the advisory layer never moves the score. Missing
data adds points (and an uncertainty note); it never removes any.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from agents.models import Finding, RiskScore, ScoreFactor
from agents.policy import ScoringPolicy
from connectors.provenance import Gap


def score_findings(
    findings: Sequence[Finding],
    policy: ScoringPolicy,
    *,
    missing_sources: Sequence[Gap] = (),
    extra_factors: Sequence[ScoreFactor] = (),
) -> RiskScore:
    factors = [*_category_factors(findings, policy), *extra_factors]
    uncertainty = [f"{g.source}: {g.what} missing ({g.why})" for g in missing_sources]
    if missing_sources:
        sources = sorted({g.source for g in missing_sources})
        factors.append(ScoreFactor(
            name="missing data",
            value=", ".join(sources),
            weight=policy.missing_source_points,
            contribution=policy.missing_source_points * len(sources),
            explanation="data this agent needs is missing; missing data raises the score, "
                        "never lowers it",
        ))
    total = min(100.0, sum(max(0.0, f.contribution) for f in factors))
    return RiskScore(value=round(total, 1), factors=factors, uncertainty=uncertainty)


def _category_factors(findings: Sequence[Finding], policy: ScoringPolicy) -> list[ScoreFactor]:
    by_category: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.source == "deterministic":
            by_category[finding.category].append(finding)
    factors = []
    for category, group in sorted(by_category.items()):
        weight = policy.category_weights.get(category, 1.0)
        raw = sum(policy.severity_points.get(f.severity.value, 0.0)
                  * policy.confidence_factor.get(f.confidence.value, 1.0) for f in group)
        contribution = min(policy.category_cap, raw * weight)
        counts = Counter(f.severity.value for f in group)
        breakdown = ", ".join(f"{n} {sev}" for sev, n in sorted(counts.items()))
        capped = " (capped)" if raw * weight > policy.category_cap else ""
        factors.append(ScoreFactor(
            name=category, value=len(group), weight=weight,
            contribution=round(contribution, 1),
            explanation=f"{len(group)} finding(s): {breakdown}{capped}",
        ))
    return sorted(factors, key=lambda f: -f.contribution)
