"""DORA figures as DevLake defines them, failures from our data, and dora-regression."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.models import Severity
from agents.platform.deployments import mark_failures, production_deploys
from agents.platform.dora import Band, Window, band_at_most, band_below, dora_figures, lead_times
from agents.platform.policy import DoraBands, DoraPolicy
from connectors.github.models import Commit
from tests.agents.platform.factories import (
    NOW,
    alarm,
    cloudwatch,
    daily_deployments,
    deployment,
    of,
    pr,
    run,
    snapshot,
    transition,
)

POLICY = DoraPolicy()
BANDS = DoraBands()
LAST_4_WEEKS = Window(NOW - timedelta(days=28), NOW)


def _figures(deployments, alarms=(), prs=(), commits=()):  # type: ignore[no-untyped-def]
    deploys = mark_failures(production_deploys(deployments, POLICY), list(alarms), POLICY)
    return dora_figures(deploys, lead_times(prs, commits, deploys), LAST_4_WEEKS, BANDS, 3)


@pytest.mark.parametrize(("days_ago", "band", "per_week"), [
    (list(range(28)), Band.ELITE, 7.0),           # every day
    (list(range(0, 28, 2)), Band.HIGH, 3.0),      # every other day
    ([5, 21], Band.MEDIUM, 0.0),                  # once in May, once in June
    ([14, 27], Band.LOW, 0.0),                    # both in May: June's median month has none
])
def test_deployment_frequency_uses_median_deployment_days(days_ago: list[int], band: Band,
                                                          per_week: float) -> None:
    # The window runs Mon 13 May 12:00 to Mon 10 June 12:00: five calendar weeks (the
    # last one a single day) and two calendar months; DevLake takes the lower median.
    figures = _figures([deployment(n + 1, NOW - timedelta(days=d, hours=1))
                        for n, d in enumerate(days_ago)])
    assert figures.frequency is band
    assert figures.days_per_week == per_week


def test_only_production_deployments_count() -> None:
    staging = [deployment(n, NOW - timedelta(days=n), environment="staging")
               for n in range(1, 20)]
    assert _figures(staging).deployments == 0


def test_failed_status_rollback_and_alarm_are_failures() -> None:
    start = NOW - timedelta(days=10)
    deployments = [
        deployment(1, start, sha="a" * 40),
        deployment(2, start + timedelta(days=1), sha="b" * 40),
        deployment(3, start + timedelta(days=2), sha="a" * 40),  # rolls 2 back
        deployment(4, start + timedelta(days=3), sha="c" * 40, state="failure"),
        deployment(5, start + timedelta(days=4), sha="d" * 40),
        deployment(6, start + timedelta(days=5), sha="e" * 40),
        deployment(7, start + timedelta(days=6), sha="f" * 40, state="in_progress"),
    ]
    fired = alarm(history=[transition(start + timedelta(days=5, minutes=40))])
    deploys = mark_failures(production_deploys(deployments, POLICY), [fired], POLICY)
    reasons = {d.deployment.id: d.failures for d in deploys}
    assert reasons[2] == ("rolled back by deployment 3 (redeployed aaaaaaaaaaaa)",)
    assert reasons[6] == ("alarm payments-api-5xx entered ALARM 30 min later",)
    figures = dora_figures(deploys, [], LAST_4_WEEKS, BANDS, 3)
    assert (figures.deployments, figures.failed) == (6, 3)  # pending 7 counts nowhere
    assert figures.change_failure_rate == pytest.approx(0.5)
    assert figures.change_failure is Band.LOW
    # 2 -> 3 (1 day), 4 -> 5 (1 day); 6 has no later clean success.
    assert figures.recovery_samples == 2 and figures.recovery_hours == pytest.approx(24.0)
    assert figures.recovery is Band.MEDIUM


def test_without_alarms_only_statuses_and_rollbacks_count() -> None:
    deploys = mark_failures(production_deploys([deployment(1, NOW - timedelta(days=1))],
                                               POLICY), None, POLICY)
    assert not deploys[0].failed


def test_lead_time_from_first_commit_to_deployment() -> None:
    merged = NOW - timedelta(days=3)
    change = pr(5, merged_at=merged, created_at=merged - timedelta(hours=20),
                merge_sha="9" * 40)
    early = Commit(sha="1" * 40, message="Start refunds (#5)", author_login="alice",
                   author_name="Alice", authored_at=merged - timedelta(hours=40),
                   committed_at=merged - timedelta(hours=40), html_url="https://x")
    deployed = deployment(1, merged + timedelta(hours=8), sha="9" * 40, minutes=0)
    figures = _figures([deployed], prs=[change], commits=[early])
    assert figures.lead_time_samples == 1
    assert figures.lead_time_hours == pytest.approx(48.0)
    assert figures.lead_time is Band.HIGH



@pytest.mark.parametrize(("message", "hours"), [
    ("Start refunds (#5)", 48.0),
    ("See https://github.com/acme/pay/pull/5 for context", 48.0),
    ("Unrelated (#55), (#15) and pull/50", 38.0),  # only whole numbers count
])
def test_lead_time_counts_only_commits_naming_the_pr(message: str, hours: float) -> None:
    merged = NOW - timedelta(days=3)
    change = pr(5, merged_at=merged, created_at=merged - timedelta(hours=20),
                merge_sha="9" * 40)
    commits = [Commit(sha=f"{n}" * 40, message=text, author_login="alice",
                      author_name="Alice", authored_at=merged - timedelta(hours=at),
                      committed_at=merged - timedelta(hours=at), html_url="https://x")
               for n, (text, at) in enumerate([(message, 40), ("Tidy (#5)", 30)], start=1)]
    deployed = deployment(1, merged + timedelta(hours=8), sha="9" * 40, minutes=0)
    figures = _figures([deployed], prs=[change], commits=commits)
    assert figures.lead_time_hours == pytest.approx(hours)  # the earliest naming commit

def test_band_limits() -> None:
    assert band_below(0.5, (1, 24, 168)) is Band.ELITE
    assert band_below(24, (1, 24, 168)) is Band.MEDIUM
    assert band_at_most(0.05, (0.05, 0.10, 0.15)) is Band.ELITE  # DevLake: (0, 5 %]
    assert band_at_most(0.16, (0.05, 0.10, 0.15)) is Band.LOW


def test_frequency_regression_is_a_finding() -> None:
    baseline = daily_deployments(NOW - timedelta(days=84), 56, every=1)
    current = daily_deployments(NOW - timedelta(days=27), 28, every=14, first_id=500)
    report = run(snapshot(deployments=[*baseline, *current], cloud=cloudwatch()))
    found = of(report, "dora-regression")
    assert [f.title for f in found] == ["DORA deployment frequency fell from elite to low"]
    assert found[0].severity is Severity.HIGH
    assert "median 0 deployment day(s) per week" in found[0].explanation
    assert "median 7 deployment day(s) per week" in found[0].explanation
    assert report.metrics["dora_deployment_frequency_band"] == "low"
    assert report.metrics["dora_baseline_deployment_frequency_band"] == "elite"


def test_steady_deployments_are_not_a_regression() -> None:
    steady = daily_deployments(NOW - timedelta(days=84), 84, every=1)
    report = run(snapshot(deployments=steady, cloud=cloudwatch()))
    assert not of(report, "dora-regression")
    assert report.metrics["dora_change_failure_rate"] == 0.0
    assert report.metrics["dora_deploys_per_week"] == 7.0
    assert not any("DORA" in g.what for g in report.gaps)


def test_change_failure_regression_lists_the_failed_deployments() -> None:
    baseline = daily_deployments(NOW - timedelta(days=84), 56, every=2)
    current = [deployment(900 + n, NOW - timedelta(days=20 - 2 * n),
                          state="failure" if n % 2 else "success") for n in range(8)]
    found = of(run(snapshot(deployments=[*baseline, *current], cloud=cloudwatch())),
               "dora-regression")
    cfr = next(f for f in found if "change failure rate" in f.title)
    assert "4 of 8 deployment(s) failed (50%)" in cfr.explanation
    assert all(e.kind == "deployment" for e in cfr.evidence) and len(cfr.evidence) == 4


def test_no_production_deployments_is_a_gap() -> None:
    report = run(snapshot(cloud=cloudwatch()))
    assert any(g.what == "DORA metrics" for g in report.gaps)
    assert report.metrics["dora_deployment_frequency_band"] is None


def test_baseline_not_covered_by_the_snapshot_is_a_gap() -> None:
    recent = daily_deployments(NOW - timedelta(days=40), 40)
    report = run(snapshot(deployments=recent, cloud=cloudwatch()))
    assert any(g.what == "part of the DORA baseline window" for g in report.gaps)
    assert report.metrics["dora_baseline_deployments"] == 12


def test_unreadable_alarms_are_a_gap_for_change_failures() -> None:
    report = run(snapshot(deployments=daily_deployments(NOW - timedelta(days=84), 84),
                          cloud=cloudwatch(alarms=None)))
    assert any(g.what == "alarm-linked change failures" for g in report.gaps)
