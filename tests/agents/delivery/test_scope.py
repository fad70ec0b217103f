"""scope-not-done, open-high-priority-bug and reopened-issue: Jira-only checks."""

from __future__ import annotations

from agents.models import Confidence, Severity
from tests.agents.delivery.factories import JIRA_URL, issue, of, run, snapshot


def test_clean_release_has_no_findings() -> None:
    report = run(snapshot())
    assert report.findings == []
    assert report.status == "complete"


def test_unfinished_story_is_scope_not_done() -> None:
    report = run(snapshot(issues=[issue(status="In Progress", category="indeterminate")]))
    [finding] = of(report, "scope-not-done")
    assert finding.severity == Severity.MEDIUM
    assert finding.confidence == Confidence.HIGH
    assert finding.evidence[0].ref == "PAY-1"
    assert finding.evidence[0].url == f"{JIRA_URL}/browse/PAY-1"
    assert "fix version 1.4" in finding.explanation


def test_scope_severity_is_the_higher_of_type_and_priority() -> None:
    high_story = issue(status="To Do", category="new", priority="Highest")
    low_subtask = issue("PAY-2", issue_type="Sub-task", status="To Do", category="new",
                        priority="Low")
    report = run(snapshot(issues=[high_story, low_subtask]))
    severities = {f.evidence[0].ref: f.severity for f in of(report, "scope-not-done")}
    assert severities == {"PAY-1": Severity.CRITICAL, "PAY-2": Severity.LOW}


def test_missing_status_category_is_not_done_with_low_confidence() -> None:
    report = run(snapshot(issues=[issue(status="Weird", category=None)]))
    [finding] = of(report, "scope-not-done")
    assert finding.confidence == Confidence.LOW


def test_done_issue_is_not_scope_not_done() -> None:
    assert of(run(snapshot(issues=[issue()])), "scope-not-done") == []


def test_open_high_priority_bug() -> None:
    bugs = [issue("PAY-1", issue_type="Bug", status="Open", category="new", priority="High"),
            issue("PAY-2", issue_type="Bug", status="Open", category="new", priority="Blocker")]
    report = run(snapshot(issues=bugs))
    severities = {f.evidence[0].ref: f.severity for f in of(report, "open-high-priority-bug")}
    assert severities == {"PAY-1": Severity.HIGH, "PAY-2": Severity.CRITICAL}


def test_open_bug_below_high_or_done_is_not_flagged() -> None:
    bugs = [issue("PAY-1", issue_type="Bug", status="Open", category="new", priority="Medium"),
            issue("PAY-2", issue_type="Bug", priority="Highest")]  # done
    assert of(run(snapshot(issues=bugs)), "open-high-priority-bug") == []


def test_high_priority_names_are_configurable() -> None:
    bug = issue(issue_type="Defect", status="Open", category="new", priority="P1")
    report = run(snapshot(issues=[bug]), {"scope": {"high_priorities": ["p1"]}})
    assert len(of(report, "open-high-priority-bug")) == 1


def test_reopened_issue() -> None:
    report = run(snapshot(issues=[issue(reopen_count=1)]))
    [finding] = of(report, "reopened-issue")
    assert finding.severity == Severity.MEDIUM
    assert "reopened once" in finding.title


def test_reopened_blocker_is_high() -> None:
    report = run(snapshot(issues=[issue(reopen_count=1, priority="Blocker")]))
    assert [f.severity for f in of(report, "reopened-issue")] == [Severity.HIGH]


def test_never_reopened_is_not_flagged() -> None:
    assert of(run(snapshot(issues=[issue(reopen_count=0)])), "reopened-issue") == []


def test_without_jira_scope_checks_are_a_gap_not_silence() -> None:
    report = run(snapshot(jira=False))
    assert report.status == "partial"
    assert any(g.source == "jira" and g.what == "scope checks" for g in report.gaps)
    assert report.metrics["done_ratio"] is None
    assert report.metrics["issues_in_scope"] is None
