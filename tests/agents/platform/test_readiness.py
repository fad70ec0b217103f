"""Rollout strategy, rollback runbooks and freeze windows."""

from __future__ import annotations

from datetime import date

from agents.models import Severity
from tests.agents.platform.factories import (
    FIXTURES,
    added_file,
    alarm,
    cloudwatch,
    of,
    page,
    pr,
    run,
    snapshot,
    space,
)

RELEASE_PLAN = FIXTURES / "plan_release.json"


def test_risky_release_gets_a_rollout_recommendation() -> None:
    report = run(snapshot(), plans=[RELEASE_PLAN])
    found = of(report, "rollout-strategy")
    assert len(found) == 1 and found[0].severity is Severity.INFO  # advice, not counted twice
    assert "blue/green" in found[0].recommendation
    assert "destructive-change" in found[0].explanation
    assert found[0].evidence[0].ref == "plan_release.json: aws_db_instance.main"


def test_app_risk_gets_canary_advice() -> None:
    report = run(snapshot(cloud=cloudwatch([alarm(state="ALARM")])))
    advice = of(report, "rollout-strategy")[0].recommendation
    assert "canary" in advice and "Apply the infrastructure change" not in advice


def test_calm_release_gets_no_rollout_recommendation() -> None:
    assert not of(run(snapshot(cloud=cloudwatch([alarm(state="OK")]))), "rollout-strategy")


def test_missing_runbook_for_the_service() -> None:
    pages = [page("Checkout rollback", body="How to roll back checkout-web"),
             page("Payments API design", labels=("design",), body="payments-api internals")]
    report = run(snapshot(confluence=space(pages)), plans=[RELEASE_PLAN])
    found = of(report, "no-rollback-runbook")
    assert [f.title for f in found] == ["No rollback runbook for payments-api"]
    assert found[0].severity is Severity.MEDIUM  # the release is risky
    assert "2 page(s) read, 1 labelled rollback/runbook; none mention payments-api" in (
        found[0].evidence[0].detail or "")
    assert found[0].evidence[1].ref == "Checkout rollback"


def test_runbook_mentioning_the_service_is_enough() -> None:
    pages = [page("Payments API: rollback", labels=("Rollback",), body="kubectl rollout undo")]
    report = run(snapshot(confluence=space(pages)))
    assert not of(report, "no-rollback-runbook")


def test_service_names_match_across_spellings() -> None:
    pages = [page("Runbook", body="Restart the Payments API pods, then check the 5xx alarm")]
    assert not of(run(snapshot(confluence=space(pages))), "no-rollback-runbook")


def test_configured_services_and_calm_release_is_low() -> None:
    found = of(run(snapshot(confluence=space()), {"rollout": {"services": ["ledger"]}}),
               "no-rollback-runbook")
    assert [(f.title, f.severity) for f in found] == [("No rollback runbook for ledger",
                                                        Severity.LOW)]


def test_without_confluence_it_is_a_gap_not_a_finding() -> None:
    report = run(snapshot())
    assert not of(report, "no-rollback-runbook")
    assert any(g.source == "confluence" and g.what == "rollback runbooks" for g in report.gaps)


FREEZE = {"rollout": {"freeze": {
    "windows": [{"start": "2024-12-20", "end": "2025-01-03", "reason": "year-end freeze"}],
    "weekdays": ["Friday", "saturday"]}}}


def test_release_date_in_a_freeze_window() -> None:
    report = run(snapshot(release_date=date(2024, 12, 27)), FREEZE)  # a Friday, too
    found = sorted(of(report, "freeze-window"), key=lambda f: f.title)
    assert [(f.title, f.severity) for f in found] == [
        ("Release date 2024-12-27 is a Friday, a no-deploy day", Severity.MEDIUM),
        ("Release date 2024-12-27 is in a freeze: year-end freeze", Severity.HIGH)]
    assert "the Jira release date" in found[1].explanation


def test_release_date_outside_freezes() -> None:
    report = run(snapshot(release_date=date(2024, 12, 17)), FREEZE)  # a Tuesday
    assert not of(report, "freeze-window")
    assert report.metrics["release_date"] == "2024-12-17"


def test_without_jira_the_snapshot_date_is_used() -> None:
    report = run(snapshot([pr(1, [added_file("README.md", "x")])]),
                 {"rollout": {"freeze": {"weekdays": ["monday"]}}})
    found = of(report, "freeze-window")
    assert len(found) == 1 and "the snapshot date" in found[0].explanation
