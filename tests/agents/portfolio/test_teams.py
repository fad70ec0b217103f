"""Per team: the throughput table and slope, throughput-drop, bug and tech-debt shares."""

from __future__ import annotations

import pytest

from agents.models import EvidenceKind, Severity
from agents.portfolio.findings import HIGH_BUG_SHARE, HIGH_TECH_DEBT_SHARE, THROUGHPUT_DROP
from agents.portfolio.timeline import slope
from tests.agents.portfolio.factories import issue, of_kind, release, run, snapshot, weekly_done


def test_least_squares_slope() -> None:
    assert slope([1, 2, 3]) == pytest.approx(1.0)
    assert slope([3, 3, 3, 3]) == pytest.approx(0.0)
    assert slope([4, 2, 0]) == pytest.approx(-2.0)
    assert slope([5]) is None


def test_team_table_holds_weekly_throughput_and_its_trend() -> None:
    issues = [*weekly_done("PAY", [1, 2, 3, 4, 5, 6, 7, 8]), issue("PAY-1")]
    [row] = run(snapshot(issues)).view.teams
    assert row.team == "PAY" and row.projects == ["PAY"]
    assert row.throughput == [1, 2, 3, 4, 5, 6, 7, 8]
    assert row.throughput_slope == pytest.approx(1.0)
    assert (row.throughput_mean, row.resolved_in_window, row.open_items) == (4.5, 36, 1)
    assert row.assignees is None


def test_throughput_drop_when_recent_weeks_fall_well_below_the_earlier_ones() -> None:
    result = run(snapshot(weekly_done("PAY", [5, 5, 5, 5, 5, 1, 0, 1])))
    [finding] = of_kind(result, THROUGHPUT_DROP)
    assert finding.severity == Severity.HIGH  # 87% drop, over high_drop_pct
    assert finding.evidence[0].kind == EvidenceKind.METRIC
    assert "5, 5, 5, 5, 5, 1, 0, 1" in (finding.evidence[0].detail or "")
    assert all(e.kind == EvidenceKind.ISSUE for e in finding.evidence[1:])
    assert finding.title == "Team PAY is delivering 87% less than before"


def test_no_throughput_drop_for_steady_or_quiet_teams() -> None:
    assert not of_kind(run(snapshot(weekly_done("PAY", [3, 3, 3, 3, 3, 3, 3, 3]))),
                       THROUGHPUT_DROP)
    assert not of_kind(run(snapshot(weekly_done("PAY", [1, 0, 1, 0, 0, 0, 0, 0]))),
                       THROUGHPUT_DROP)  # a baseline under 1 a week is noise
    assert not of_kind(run(snapshot(weekly_done("PAY", [3, 3, 3, 3, 3, 3, 2, 3]))),
                       THROUGHPUT_DROP)


def test_high_bug_share_of_delivered_work() -> None:
    issues = [*weekly_done("PAY", [1, 1, 1, 1, 1, 1], issue_type="Bug"),
              *weekly_done("PAY", [1, 1, 1, 1, 1, 1], start=950)]
    result = run(snapshot(issues))
    [finding] = of_kind(result, HIGH_BUG_SHARE)
    assert finding.severity == Severity.MEDIUM
    assert finding.title == "50% of team PAY's delivered work was bug fixes"
    assert len(finding.evidence) == 6 and finding.evidence[0].detail.startswith("Bug, Done")
    assert result.view.teams[0].bug_share_pct == 50.0


def test_no_high_bug_share_below_the_threshold_or_the_minimum_sample() -> None:
    low = [*weekly_done("PAY", [1, 1], issue_type="Bug"),
           *weekly_done("PAY", [2, 2, 2, 2, 2], start=950)]
    assert not of_kind(run(snapshot(low)), HIGH_BUG_SHARE)
    tiny = weekly_done("PAY", [1, 1, 1], issue_type="Bug")
    assert not of_kind(run(snapshot(tiny)), HIGH_BUG_SHARE)


def test_high_tech_debt_share_by_label_or_type() -> None:
    issues = [*weekly_done("PAY", [1, 1, 1], labels=["tech-debt"]),
              *weekly_done("PAY", [1, 1], issue_type="Technical Debt", start=940),
              *weekly_done("PAY", [1, 1, 1, 1], start=950)]
    result = run(snapshot(issues))
    [finding] = of_kind(result, HIGH_TECH_DEBT_SHARE)
    assert finding.severity == Severity.LOW
    assert result.view.teams[0].tech_debt_share_pct == pytest.approx(55.6)


def test_no_high_tech_debt_share_below_the_threshold() -> None:
    issues = [*weekly_done("PAY", [1, 1], labels=["refactoring"]),
              *weekly_done("PAY", [2, 2, 2, 2], start=950)]
    assert not of_kind(run(snapshot(issues)), HIGH_TECH_DEBT_SHARE)


def test_teams_by_component_and_across_projects() -> None:
    pay = [*weekly_done("PAY", [2, 2], components=["Checkout"]),
           *weekly_done("PAY", [1], components=["Ledger"], start=950)]
    ops = release(weekly_done("OPS", [1], components=["Ledger"]), project="OPS")
    view = run(snapshot(pay), {"team": {"by": "component"}}, releases=[ops]).view
    assert [(t.team, t.projects, t.resolved_in_window) for t in view.teams] == [
        ("Checkout", ["PAY"], 4), ("Ledger", ["OPS", "PAY"], 2)]


def test_teams_by_label_fall_back_to_the_project() -> None:
    issues = [issue("PAY-1", labels=["team:payments"]), issue("PAY-2")]
    view = run(snapshot(issues), {"team": {"by": "label"}}).view
    assert [t.team for t in view.teams] == ["PAY", "payments"]


def test_projects_filter_limits_the_portfolio() -> None:
    ops = release([issue("OPS-1")], project="OPS")
    assert [t.team for t in run(snapshot([issue("PAY-1")]), releases=[ops]).view.teams] == [
        "OPS", "PAY"]
    only = run(snapshot([issue("PAY-1")]), releases=[ops], projects=["ops"]).view
    assert [t.team for t in only.teams] == ["OPS"] and only.projects == ["OPS"]
