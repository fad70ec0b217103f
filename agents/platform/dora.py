"""The four DORA metrics over a window, as Apache DevLake defines them, on our data.

- Deployment frequency: the median number of *deployment days* per calendar week
  (Monday first) and per calendar month over the window, weeks and months without a
  deployment counting as 0; the median is DevLake's (the largest value whose percent
  rank is at most 0.5).
- Lead time for changes: the median, over PRs deployed in the window, of deployment
  finish minus the PR's first commit.
- Change failure rate: failed deployments / deployments finished in the window.
- Failed deployment recovery time: the median time from a failed deployment to the next
  successful one.

docs/agents/platform.md maps each to the snapshot's data and names what differs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from agents.platform.deployments import Deploy
from agents.platform.policy import DoraBands
from agents.platform.stats import lower_median
from connectors.github.models import Commit, PullRequest

__all__ = ["Band", "DoraFigures", "Window", "dora_figures", "lead_times"]


class Band(StrEnum):
    ELITE = "elite"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:  # 0 is best
        return list(Band).index(self)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when < self.end

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


@dataclass(frozen=True)
class DoraFigures:
    window: Window
    deployments: int  # finished (success or failure) in the window
    successful: int
    deployment_days: int
    days_per_week: float | None
    days_per_month: float | None
    frequency: Band | None
    lead_time_hours: float | None
    lead_time_samples: int
    lead_time: Band | None
    failed: int
    change_failure_rate: float | None
    change_failure: Band | None
    recovery_hours: float | None
    recovery_samples: int
    recovery: Band | None

    @property
    def deploys_per_week(self) -> float:
        return self.successful / (self.window.days / 7) if self.window.days else 0.0


def _days(window: Window) -> list[date]:
    first, last = window.start.date(), (window.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _frequency(deploy_days: set[date], window: Window, bands: DoraBands
               ) -> tuple[float | None, float | None, Band | None]:
    days = _days(window)
    if not days:
        return None, None, None
    weeks: Counter[date] = Counter()
    months: Counter[date] = Counter()
    for day in days:
        week, month = day - timedelta(days=day.weekday()), day.replace(day=1)
        weeks[week] += day in deploy_days
        months[month] += day in deploy_days
    per_week = float(lower_median(list(weeks.values())))
    per_month = float(lower_median(list(months.values())))
    if per_week >= bands.frequency_days_per_week_elite:
        band = Band.ELITE
    elif per_week >= bands.frequency_days_per_week_high:
        band = Band.HIGH
    elif per_month >= bands.frequency_days_per_month_medium:
        band = Band.MEDIUM
    else:
        band = Band.LOW
    return per_week, per_month, band


def band_below(value: float, limits: tuple[float, float, float]) -> Band:
    """Elite under the first limit, high under the second, medium under the third."""
    for band, limit in zip((Band.ELITE, Band.HIGH, Band.MEDIUM), limits, strict=True):
        if value < limit:
            return band
    return Band.LOW


def band_at_most(value: float, limits: tuple[float, float, float]) -> Band:
    """As ``band_below`` but limits are inclusive (DevLake's change failure rate)."""
    for band, limit in zip((Band.ELITE, Band.HIGH, Band.MEDIUM), limits, strict=True):
        if value <= limit:
            return band
    return Band.LOW


def _recoveries(deploys: Sequence[Deploy], window: Window) -> list[float]:
    """Hours from each failed deployment in the window to the next clean success."""
    finished = sorted(((d.finished_at, d) for d in deploys if d.finished_at is not None),
                      key=lambda pair: pair[0])
    hours = []
    for index, (failed_at, deploy) in enumerate(finished):
        if not deploy.failed or not window.holds(failed_at):
            continue
        restored = next((at for at, d in finished[index + 1:]
                         if d.outcome == "success" and not d.failures and at > failed_at), None)
        if restored is not None:
            hours.append((restored - failed_at).total_seconds() / 3600)
    return hours


_PR_REFERENCE = re.compile(r"(?:#|pull/)(\d+)\b")


class _CommitTimes:
    """Earliest authored time of the release's commits, by sha and by PR number named
    in the message: built once, so a release's PRs are not each checked against every
    commit (1,000 PRs x 1,000 commits was most of the platform agent's time)."""

    def __init__(self, commits: Sequence[Commit]) -> None:
        self.by_sha: dict[str, datetime] = {}
        self.by_reference: dict[str, datetime] = {}
        for commit in commits:
            if commit.authored_at is None:
                continue
            _keep_earliest(self.by_sha, commit.sha, commit.authored_at)
            for number in set(_PR_REFERENCE.findall(commit.message)):
                _keep_earliest(self.by_reference, number, commit.authored_at)

    def first(self, pr: PullRequest) -> datetime:
        """PR creation, or an earlier authored date of a release commit that is the PR's
        head or merge commit or names the PR (``#12``, ``pull/12``)."""
        found = [self.by_sha.get(pr.head_sha or ""), self.by_sha.get(pr.merge_commit_sha or ""),
                 self.by_reference.get(str(pr.number))]
        return min([pr.created_at, *(t for t in found if t is not None)])


def _keep_earliest(times: dict[str, datetime], key: str, when: datetime) -> None:
    if key not in times or when < times[key]:
        times[key] = when


def _deployed_by(pr: PullRequest, successes: Sequence[Deploy]) -> Deploy | None:
    """The deployment of the PR's merge commit, else the first success after the merge."""
    if pr.merged_at is None:
        return None
    exact = next((d for d in successes if d.sha == pr.merge_commit_sha), None)
    if exact is not None:
        return exact
    return next((d for d in successes
                 if d.finished_at is not None and d.finished_at >= pr.merged_at), None)


def lead_times(prs: Sequence[PullRequest], commits: Sequence[Commit],
               deploys: Sequence[Deploy]) -> list[tuple[datetime, float]]:
    """(deployment finish, lead time in hours) for each deployed PR."""
    successes = sorted((d for d in deploys if d.outcome == "success" and d.finished_at),
                       key=lambda d: d.finished_at or datetime.min)
    times = _CommitTimes(commits)
    found = []
    for pr in prs:
        deploy = _deployed_by(pr, successes)
        if deploy is None or deploy.finished_at is None:
            continue
        hours = (deploy.finished_at - times.first(pr)).total_seconds() / 3600
        found.append((deploy.finished_at, max(0.0, hours)))
    return found


def dora_figures(deploys: Sequence[Deploy], leads: Sequence[tuple[datetime, float]],
                 window: Window, bands: DoraBands, min_deployments: int) -> DoraFigures:
    finished = [d for d in deploys if window.holds(d.finished_at)]
    successes = [d for d in finished if d.outcome == "success"]
    days = {d.finished_at.date() for d in successes if d.finished_at is not None}
    per_week, per_month, frequency = _frequency(days, window, bands)
    lead = [hours for when, hours in leads if window.holds(when)]
    lead_median = lower_median(lead) if lead else None
    failed = sum(d.failed for d in finished)
    rate = failed / len(finished) if finished else None
    enough = len(finished) >= min_deployments
    recoveries = _recoveries(deploys, window)
    recovery = lower_median(recoveries) if recoveries else None
    return DoraFigures(
        window=window, deployments=len(finished), successful=len(successes),
        deployment_days=len(days), days_per_week=per_week, days_per_month=per_month,
        frequency=frequency,
        lead_time_hours=lead_median, lead_time_samples=len(lead),
        lead_time=band_below(lead_median, bands.lead_time_hours) if lead_median is not None
        else None,
        failed=failed, change_failure_rate=rate,
        change_failure=band_at_most(rate, bands.change_failure_rate)
        if rate is not None and enough else None,
        recovery_hours=recovery, recovery_samples=len(recoveries),
        recovery=band_below(recovery, bands.recovery_hours)
        if recovery is not None and enough else None)
