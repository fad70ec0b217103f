"""Per epic: progress, targets, epic-slipping, scope-creep, blocked-work, stale-work, risks."""

from __future__ import annotations

from datetime import date, timedelta

from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity
from agents.portfolio import ScopeChange
from agents.portfolio.findings import BLOCKED_WORK, EPIC_SLIPPING, SCOPE_CREEP, STALE_WORK
from tests.agents.portfolio.factories import (
    AS_OF,
    JIRA_URL,
    epic,
    issue,
    link,
    of_kind,
    release,
    run,
    snapshot,
    weekly_done,
)

HISTORY = weekly_done("PAY", [3, 2, 3, 2, 3, 2, 3, 2])
RECENT = AS_OF - timedelta(days=3)


def _items(count: int, *, first: int = 2, epic_key: str = "PAY-1", **kw: object) -> list:
    return [issue(f"PAY-{n}", epic=epic_key, **kw) for n in range(first, first + count)]


# -- progress -------------------------------------------------------------------------


def test_progress_counts_items_and_points() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", status="Done", points=3),
              issue("PAY-3", epic="PAY-1", points=5), issue("PAY-4", epic="PAY-1"),
              issue("PAY-5", epic="PAY-1", issue_type="Sub-task", status="Done")]
    row = run(snapshot(issues)).view.epics[0]
    assert (row.items_done, row.items_total, row.progress_pct) == (1, 3, 33.3)
    assert (row.points_done, row.points_total, row.unestimated_items) == (3.0, 8.0, 1)
    assert row.url == f"{JIRA_URL}/browse/PAY-1"
    assert row.title == "Epic PAY-1"


# -- epic-slipping --------------------------------------------------------------------


def test_epic_slipping_when_p85_is_after_the_target() -> None:
    issues = [epic("PAY-1", labels=["target-2024-06-10"]), *_items(12), *HISTORY]
    result = run(snapshot(issues))
    [finding] = of_kind(result, EPIC_SLIPPING)
    row = result.view.epics[0]
    assert row.slipping is True and row.target == date(2024, 6, 10)
    assert row.target_source == "label target-2024-06-10"
    assert finding.severity == Severity.HIGH  # P50 is late too
    assert finding.confidence == Confidence.MEDIUM
    assert [e.ref for e in finding.evidence] == ["PAY-1", "forecast:PAY-1"]
    assert "85% confidence of completion by" in finding.explanation
    assert finding.evidence[0].url == f"{JIRA_URL}/browse/PAY-1"


def test_no_epic_slipping_when_the_forecast_meets_the_target() -> None:
    issues = [epic("PAY-1", labels=["target-2024-12-31"]), *_items(3), *HISTORY]
    result = run(snapshot(issues))
    assert not of_kind(result, EPIC_SLIPPING)
    assert result.view.epics[0].slipping is False


def test_a_passed_target_with_open_work_is_slipping_even_without_a_forecast() -> None:
    issues = [epic("PAY-1", labels=["target-2024-05-20"]), *_items(2)]
    result = run(snapshot(issues))
    [finding] = of_kind(result, EPIC_SLIPPING)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert "missed its target date 2024-05-20" in finding.title
    assert result.view.epics[0].forecast is None


def test_target_from_the_fix_version_release_date() -> None:
    issues = [epic("PAY-1", fix_versions=["1.4"]), *_items(12), *HISTORY]
    result = run(snapshot(issues, fix_version="1.4", release_date=date(2024, 6, 14)))
    row = result.view.epics[0]
    assert (row.target, row.target_source) == (date(2024, 6, 14), "fix version 1.4")
    assert of_kind(result, EPIC_SLIPPING)


def test_target_from_the_latest_fix_version_of_the_epics_items() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", fix_versions=["1.4"]),
              issue("PAY-3", epic="PAY-1", fix_versions=["1.5"])]
    extra = release([], fix_version="1.5", release_date=date(2024, 7, 1))
    row = run(snapshot(issues, fix_version="1.4", release_date=date(2024, 6, 14)),
              releases=[extra]).view.epics[0]
    assert row.target == date(2024, 7, 1)
    assert row.target_source == "fix version of PAY-3 (1.5)"


def test_without_a_target_slipping_is_unknown() -> None:
    result = run(snapshot([epic("PAY-1"), *_items(12), *HISTORY]))
    assert result.view.epics[0].slipping is None
    assert not of_kind(result, EPIC_SLIPPING)
    assert result.report.metrics["epics_without_target"] == 1


def test_a_target_field_the_snapshot_does_not_carry_is_a_gap() -> None:
    result = run(snapshot([epic("PAY-1"), *_items(1)]),
                 {"target": {"field": "customfield_10200"}})
    assert any(g.what == "target field customfield_10200" for g in result.report.gaps)


# -- scope-creep ----------------------------------------------------------------------


def test_scope_creep_when_items_were_added_in_the_period() -> None:
    issues = [epic("PAY-1"), *_items(5), *_items(3, first=10, created=RECENT)]
    result = run(snapshot(issues))
    [finding] = of_kind(result, SCOPE_CREEP)
    row = result.view.epics[0]
    assert (row.added_in_period, row.removed_in_period, row.scope_change_pct) == (3, None, 60.0)
    assert finding.severity == Severity.HIGH  # 60% is over high_creep_pct (50%)
    assert finding.confidence == Confidence.MEDIUM  # no changelog: moves in are unseen
    assert [e.ref for e in finding.evidence] == ["PAY-10", "PAY-11", "PAY-12"]


def test_no_scope_creep_under_the_threshold_or_for_a_new_epic() -> None:
    few = [epic("PAY-1"), *_items(10), *_items(1, first=20, created=RECENT)]
    assert not of_kind(run(snapshot(few)), SCOPE_CREEP)
    new_epic = [epic("PAY-1", created=RECENT), *_items(3, created=RECENT)]
    assert not of_kind(run(snapshot(new_epic)), SCOPE_CREEP)


def test_scope_changes_from_a_changelog_count_moves_in_and_removals() -> None:
    issues = [epic("PAY-1"), *_items(6)]
    changes = [ScopeChange(epic_key="PAY-1", issue_key="PAY-2", change="added", at=RECENT),
               ScopeChange(epic_key="PAY-1", issue_key="PAY-3", change="added", at=RECENT),
               ScopeChange(epic_key="PAY-1", issue_key="PAY-99", change="removed", at=RECENT),
               ScopeChange(epic_key="PAY-1", issue_key="PAY-4", change="added",
                           at=AS_OF - timedelta(days=40))]  # before the period
    result = run(snapshot(issues), scope_changes=changes)
    row = result.view.epics[0]
    assert (row.added_in_period, row.removed_in_period) == (2, 1)
    assert row.scope_change_pct == 40.0  # 2 added against 6 - 2 + 1 = 5 at the start
    [finding] = of_kind(result, SCOPE_CREEP)
    assert finding.confidence == Confidence.HIGH
    assert not any(g.what == "epic-link changelog" for g in result.report.gaps)


# -- blocked-work ---------------------------------------------------------------------


def test_blocked_work_by_status_label_and_open_blocker() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", status="Blocked"),
              issue("PAY-3", epic="PAY-1", labels=["Impediment"]),
              issue("PAY-4", epic="PAY-1", links=[link("OPS-1")]), *_items(3, first=5)]
    result = run(snapshot(issues))
    [finding] = of_kind(result, BLOCKED_WORK)
    assert result.view.epics[0].blocked_items == 3
    assert [(e.ref, e.detail) for e in finding.evidence] == [
        ("PAY-2", "Story, Blocked; status Blocked"),
        ("PAY-3", "Story, In Progress; label Impediment"),
        ("PAY-4", "Story, In Progress; is blocked by OPS-1 (In Progress)")]
    assert finding.severity == Severity.HIGH  # 3 of 6 open items


def test_no_blocked_work_when_the_blocker_is_done() -> None:
    in_data = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", links=[link("PAY-9")]),
               issue("PAY-9", status="Done")]
    assert not of_kind(run(snapshot(in_data)), BLOCKED_WORK)
    outside = [epic("PAY-1"), issue("PAY-2", epic="PAY-1",
                                    links=[link("OPS-1", status="Closed")])]
    assert not of_kind(run(snapshot(outside)), BLOCKED_WORK)
    not_blocking = [epic("PAY-1"), issue("PAY-2", epic="PAY-1",
                                         links=[link("OPS-1", relation="relates to")])]
    assert not of_kind(run(snapshot(not_blocking)), BLOCKED_WORK)


# -- stale-work -----------------------------------------------------------------------


def test_stale_work_when_in_flight_items_have_not_moved() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", updated=AS_OF - timedelta(days=20)),
              issue("PAY-3", epic="PAY-1", updated=AS_OF - timedelta(days=40))]
    result = run(snapshot(issues))
    [finding] = of_kind(result, STALE_WORK)
    assert finding.severity == Severity.MEDIUM  # 40 days is over medium_days
    assert [(e.ref, e.detail) for e in finding.evidence] == [
        ("PAY-3", "Story, In Progress; idle 40 days"),
        ("PAY-2", "Story, In Progress; idle 20 days")]
    young = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", updated=AS_OF - timedelta(days=20))]
    assert of_kind(run(snapshot(young)), STALE_WORK)[0].severity == Severity.LOW


def test_no_stale_work_for_recent_or_not_started_items() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", updated=AS_OF - timedelta(days=2)),
              issue("PAY-3", epic="PAY-1", status="To Do", updated=AS_OF - timedelta(days=90))]
    assert not of_kind(run(snapshot(issues)), STALE_WORK)


def test_stale_on_status_basis_ignores_field_edits() -> None:
    issues = [epic("PAY-1"), issue("PAY-2", epic="PAY-1", updated=AS_OF - timedelta(days=1),
                                   created=AS_OF - timedelta(days=30))]
    assert not of_kind(run(snapshot(issues)), STALE_WORK)
    assert of_kind(run(snapshot(issues), {"stale": {"basis": "status"}}), STALE_WORK)


# -- linked release risks -------------------------------------------------------------


def _risk(ref: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(fingerprint=f"fp-{ref}", agent="security", category="secret",
                   severity=severity, confidence=Confidence.HIGH, title="t", explanation="e",
                   evidence=[Evidence(kind=EvidenceKind.ISSUE, ref=ref)], recommendation="r")


def test_release_risks_naming_an_epic_issue_are_linked() -> None:
    issues = [epic("PAY-1"), *_items(2)]
    risks = [_risk("PAY-3"), _risk("PAY-1", Severity.LOW), _risk("OPS-9")]
    result = run(snapshot(issues), release_risks=risks)
    row = result.view.epics[0]
    assert row.release_risks == 2
    assert row.release_risk_max_severity == Severity.HIGH
    assert row.release_risk_fingerprints == ["fp-PAY-3", "fp-PAY-1"]
    assert "2 release risks found by other agents touch 1 epic" in (result.report.summary or "")


def test_no_release_risks_when_none_name_the_epic() -> None:
    row = run(snapshot([epic("PAY-1"), *_items(2)]), release_risks=[_risk("OPS-9")]).view.epics[0]
    assert (row.release_risks, row.release_risk_max_severity) == (0, None)


def test_target_from_the_epics_due_date_before_its_fix_version() -> None:
    due = epic("PAY-1", fix_versions=["1.4"]).model_copy(update={"due_date": date(2024, 6, 7)})
    result = run(snapshot([due, *_items(12), *HISTORY], fix_version="1.4",
                          release_date=date(2024, 6, 14)))
    row = result.view.epics[0]
    assert (row.target, row.target_source) == (date(2024, 6, 7), "due date")


def test_target_from_the_end_of_the_open_sprint() -> None:
    from datetime import UTC, datetime

    from connectors.jira.models import Sprint

    sprints = [Sprint(id=6, name="PAY Sprint 6", state="closed",
                      end=datetime(2024, 5, 27, tzinfo=UTC)),
               Sprint(id=8, name="PAY Sprint 8", state="future",
                      end=datetime(2024, 6, 24, tzinfo=UTC)),
               Sprint(id=7, name="PAY Sprint 7", state="active",
                      end=datetime(2024, 6, 10, 8, tzinfo=UTC))]
    planned = epic("PAY-1").model_copy(update={"sprints": sprints})
    row = run(snapshot([planned, *_items(12), *HISTORY])).view.epics[0]
    assert (row.target, row.target_source) == (date(2024, 6, 10), "end of sprint PAY Sprint 7")
    closed_only = epic("PAY-1").model_copy(update={"sprints": sprints[:1]})
    assert run(snapshot([closed_only, *_items(2)])).view.epics[0].target is None


def test_due_dates_can_be_left_out_by_policy() -> None:
    due = epic("PAY-1").model_copy(update={"due_date": date(2024, 6, 7)})
    assert run(snapshot([due, *_items(2)])).view.epics[0].target == date(2024, 6, 7)
    off = run(snapshot([due, *_items(2)]), {"target": {"use_due_date": False}})
    assert off.view.epics[0].target is None
