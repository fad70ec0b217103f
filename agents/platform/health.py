"""Deployment health: DORA figures for the current and the baseline window, and
``dora-regression`` when a metric falls into a worse DevLake band.

Windows end at the snapshot's creation time: the current window is the last
``window_days``, the baseline the ``baseline_days`` before it. Deployments reach back
only as far as the GitHub connector read them; a baseline the data does not cover is
shortened, and a gap says so (a half-empty baseline would hide a regression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.base import Outcome
from agents.models import Confidence, Evidence, Finding, Severity
from agents.platform.deployments import Deploy, mark_failures, production_deploys
from agents.platform.dora import Band, DoraFigures, Window, dora_figures, lead_times
from agents.platform.evidence import Links
from agents.platform.findings import DORA_REGRESSION, Findings
from agents.platform.policy import DoraPolicy
from connectors.cloudwatch.models import CloudWatchData
from connectors.github.models import GitHubRelease
from connectors.provenance import Gap

__all__ = ["DoraResult", "deployment_health"]

_MIN_BASELINE_DAYS = 7
_ADVICE = {
    "deployment frequency": (
        "Find what holds deployments back (manual gates, freezes, a slow or flaky pipeline) "
        "and ship smaller batches; a release that bundles weeks of changes should go out as "
        "a canary."
    ),
    "lead time for changes": (
        "Look at where merged PRs wait (review pickup, merge-to-deploy queue) and shorten "
        "the slowest stage; long-waiting changes are harder to roll back cleanly."
    ),
    "change failure rate": (
        "Review the failed deployments listed and add the pre-production check each one "
        "lacked; until the rate is back, roll out as a canary with automatic rollback on "
        "the service's alarms."
    ),
    "failed deployment recovery time": (
        "Make rollback a single rehearsed step (keep the previous artifact deployable, "
        "automate the redeploy) and page on the alarms that caught the failures."
    ),
}


@dataclass(frozen=True)
class DoraResult:
    current: DoraFigures | None
    baseline: DoraFigures | None
    deploys: Sequence[Deploy]


def _metric(figures: DoraFigures, name: str) -> tuple[Band | None, str]:
    """The band and a sentence with the numbers behind it."""
    if name == "deployment frequency":
        return figures.frequency, (
            f"median {figures.days_per_week or 0:g} deployment day(s) per week "
            f"({figures.successful} successful deployment(s))"
        )
    if name == "lead time for changes":
        hours = figures.lead_time_hours
        return figures.lead_time, (
            f"median {hours:.1f} h over {figures.lead_time_samples} PR(s)"
            if hours is not None
            else "no deployed PRs"
        )
    if name == "change failure rate":
        rate = figures.change_failure_rate
        return figures.change_failure, (
            f"{figures.failed} of {figures.deployments} deployment(s) failed ({rate:.0%})"
            if rate is not None
            else "no deployments"
        )
    hours = figures.recovery_hours
    return figures.recovery, (
        f"median {hours:.1f} h over {figures.recovery_samples} failure(s)"
        if hours is not None
        else "no recoveries"
    )


def _evidence(
    name: str, current: DoraFigures, deploys: Sequence[Deploy], links: Links
) -> list[Evidence]:
    inside = [d for d in deploys if current.window.holds(d.finished_at)]
    if name in ("change failure rate", "failed deployment recovery time"):
        inside = [d for d in inside if d.failed]
    shown = [
        links.deployment(d.deployment, "; ".join(d.failures) or d.outcome) for d in reversed(inside)
    ]
    return shown or [
        links.config(
            f"production deployments {current.window.start:%Y-%m-%d} to "
            f"{current.window.end:%Y-%m-%d}",
            "none finished in this window",
        )
    ]


def _regression(name: str, result: DoraResult, findings: Findings, links: Links) -> Finding | None:
    if result.current is None or result.baseline is None:
        return None
    now, now_text = _metric(result.current, name)
    before, before_text = _metric(result.baseline, name)
    if now is None or before is None or now.rank <= before.rank:
        return None
    steps = now.rank - before.rank
    return findings.new(
        DORA_REGRESSION,
        (name,),
        severity=Severity.HIGH if steps >= 2 or now is Band.LOW else Severity.MEDIUM,
        confidence=Confidence.HIGH if name == "deployment frequency" else Confidence.MEDIUM,
        title=f"DORA {name} fell from {before} to {now}",
        explanation=(
            f"{name.capitalize()} over the last {result.current.window.days:.0f} days: "
            f"{now_text}, DevLake band {now}; in the {result.baseline.window.days:.0f} "
            f"days before: {before_text}, band {before}."
        ),
        evidence=_evidence(name, result.current, result.deploys, links),
        recommendation=_ADVICE[name],
    )


def _windows(
    snapshot_time: datetime, oldest: datetime | None, policy: DoraPolicy
) -> tuple[Window, Window | None, Gap | None]:
    current = Window(snapshot_time - timedelta(days=policy.window_days), snapshot_time)
    start = current.start - timedelta(days=policy.baseline_days)
    covered = max(start, oldest) if oldest is not None else current.start
    if covered == start:
        return current, Window(start, current.start), None
    why = (
        f"deployments in the snapshot start {oldest:%Y-%m-%d}, the baseline {start:%Y-%m-%d}"
        if oldest
        else "no deployments in the snapshot"
    )
    if (current.start - covered).days < _MIN_BASELINE_DAYS:
        return current, None, Gap(source="github", what="DORA baseline window", why=why)
    return (
        current,
        Window(covered, current.start),
        Gap(source="github", what="part of the DORA baseline window", why=why),
    )


def deployment_health(
    github: GitHubRelease,
    cloudwatch: CloudWatchData | None,
    snapshot_time: datetime,
    policy: DoraPolicy,
    findings: Findings,
    links: Links,
) -> tuple[DoraResult, Outcome]:
    out = Outcome()
    alarms = cloudwatch.alarms if cloudwatch is not None else None
    deploys = mark_failures(production_deploys(github.deployments, policy), alarms, policy)
    if cloudwatch is not None and alarms is None:
        out.gaps.append(
            Gap(
                source="cloudwatch",
                what="alarm-linked change failures",
                why="alarms could not be read; only failed statuses and rollbacks "
                "count as failed deployments",
            )
        )
    if not deploys:
        out.gaps.append(
            Gap(
                source="github",
                what="DORA metrics",
                why="no deployments to "
                + ", ".join(sorted(policy.production_environments))
                + " in the snapshot",
            )
        )
        return DoraResult(None, None, deploys), out
    oldest = min((d.created_at for d in github.deployments), default=None)
    current, baseline, gap = _windows(snapshot_time, oldest, policy)
    if gap is not None:
        out.gaps.append(gap)
    leads = lead_times(github.pull_requests, github.commits, deploys)
    result = DoraResult(
        dora_figures(deploys, leads, current, policy.bands, policy.min_deployments),
        dora_figures(deploys, leads, baseline, policy.bands, policy.min_deployments)
        if baseline
        else None,
        deploys,
    )
    for name in _ADVICE:
        if (finding := _regression(name, result, findings, links)) is not None:
            out.findings.append(finding)
    return result, out
