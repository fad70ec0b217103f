"""The score keeps ranking as risk grows: every finding adds, nothing caps, 100 only as the
worst case of a check that had no data (docs/policy.md)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.models import (
    CheckCoverage,
    Confidence,
    DataLevel,
    Evidence,
    EvidenceKind,
    Finding,
    Severity,
)
from agents.policy import ScoringPolicy
from agents.scoring import saturate, score_findings
from connectors.provenance import Gap

POLICY = ScoringPolicy()


def finding(n: int, severity: Severity, category: str = "large-pr") -> Finding:
    return Finding(fingerprint=f"fp{n}", agent="delivery", category=category,
                   severity=severity, confidence=Confidence.HIGH, title=f"t{n}",
                   explanation="e", evidence=[Evidence(kind=EvidenceKind.PULL_REQUEST,
                                                       ref=f"#{n}")],
                   recommendation="r")


severities = st.sampled_from([Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW])
categories = st.sampled_from(["large-pr", "late-merge", "secret"])


@settings(max_examples=200, database=None)
@given(st.lists(st.tuples(severities, categories), max_size=60), severities, categories)
def test_one_more_finding_always_raises_the_points_and_never_lowers_the_score(
        existing: list[tuple[Severity, str]], severity: Severity, category: str) -> None:
    before = [finding(i, s, c) for i, (s, c) in enumerate(existing)]
    after = [*before, finding(len(before), severity, category)]
    low, high = score_findings(before, POLICY), score_findings(after, POLICY)
    assert high.points > low.points
    assert low.value <= high.value < 100


def test_a_clean_release_scores_zero_and_one_critical_half() -> None:
    assert score_findings([], POLICY).value == 0
    assert score_findings([finding(1, Severity.CRITICAL)], POLICY).value == 50
    assert saturate(POLICY.half_risk_points * 9, POLICY.half_risk_points) == 90


def test_the_kth_finding_of_a_type_counts_one_kth() -> None:
    three = score_findings([finding(i, Severity.HIGH) for i in range(3)], POLICY)
    [factor] = three.factors
    assert factor.contribution == round(15 * (1 + 1 / 2 + 1 / 3), 2)
    assert "the k-th of a type counts 1/k" in factor.explanation


def test_gaps_add_points_and_a_check_without_data_is_the_worst_case() -> None:
    gap = Gap(source="jira", what="changelog", why="403")
    partial = score_findings([], POLICY, missing_sources=[gap])
    assert partial.points == POLICY.partial_source_points and partial.value > 0
    blind = CheckCoverage(check="scope", data=DataLevel.NONE, sources=["jira"],
                          worst=Severity.CRITICAL, detail="not in the snapshot: jira")
    worst = score_findings([], POLICY, unchecked=[blind])
    assert worst.value == 100 and worst.worst_case
    assert worst.factors[-1].name == "no data" and worst.factors[-1].value == "scope"
