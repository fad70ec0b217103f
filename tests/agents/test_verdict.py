"""The verdict's rules, in order, each stated plainly (agents/aggregate.decide)."""

from __future__ import annotations

import pytest

from agents.aggregate import AggregationPolicy, aggregate
from agents.models import (
    AgentReport,
    AgentStatus,
    CheckCoverage,
    Coverage,
    CoverageStatus,
    DataLevel,
    RiskScore,
    Severity,
)
from connectors.provenance import Gap
from tests.agents.test_scoring import finding


def agent(*findings, status=AgentStatus.COMPLETE, score=5.0, checks=(), coverage=(),  # type: ignore[no-untyped-def]
          gaps=()) -> AgentReport:
    return AgentReport(agent="delivery", status=status, findings=list(findings),
                       score=RiskScore(value=score), checks=list(checks),
                       coverage=list(coverage), gaps=list(gaps))


def blind(worst: Severity) -> CheckCoverage:
    return CheckCoverage(check="scope", data=DataLevel.NONE, sources=["jira"], worst=worst,
                         detail="not in the snapshot: jira")


@pytest.mark.parametrize(("reports", "verdict", "rule"), [
    ([agent(status=AgentStatus.HALTED)], "cannot assess", "no agent could run ⇒ cannot assess"),
    ([agent(coverage=[Coverage(source="github", status=CoverageStatus.MISSING)],
            gaps=[Gap(source="github", what="all data", why="github: 401 Bad credentials")])],
     "cannot assess", "no github data ⇒ cannot assess"),
    ([agent(finding(1, Severity.CRITICAL))], "high risk", "any critical finding ⇒ high risk"),
    ([agent(), agent(status=AgentStatus.UNAVAILABLE)], "high risk",
     "an agent could not run ⇒ high risk (what it would find is unknown)"),
    ([agent(checks=[blind(Severity.CRITICAL)])], "high risk",
     "a check that could have reported a critical had no data ⇒ high risk"),
    ([agent(score=61)], "high risk", "overall score ≥ 60 ⇒ high risk"),
    ([agent(finding(1, Severity.HIGH))], "proceed with care",
     "any high finding ⇒ proceed with care"),
    ([agent(checks=[blind(Severity.MEDIUM)])], "proceed with care",
     "a check had no data ⇒ proceed with care"),
    ([agent(score=31)], "proceed with care", "overall score ≥ 30 ⇒ proceed with care"),
    ([agent(status=AgentStatus.PARTIAL)], "proceed with care",
     "a check ran on partial data ⇒ proceed with care"),
    ([agent(finding(1, Severity.MEDIUM))], "no known blockers",
     "no critical or high finding, every check on complete data, overall score < 30 ⇒ "
     "no known blockers"),
])
def test_each_rule(reports: list[AgentReport], verdict: str, rule: str) -> None:
    report = aggregate("r", reports, AggregationPolicy())
    assert (report.verdict, report.verdict_rule) == (verdict, rule)
    assert rule in report.headline[0] and len(report.headline) == 3


def test_the_cannot_assess_detail_is_the_gap_once() -> None:
    gap = Gap(source="github", what="all data", why="github: 401 Bad credentials")
    missing = [Coverage(source="github", status=CoverageStatus.MISSING)]
    report = aggregate("r", [agent(coverage=missing, gaps=[gap])] * 3, AggregationPolicy())
    assert report.verdict_detail == "github: 401 Bad credentials"
    assert report.gaps == [gap]
