"""Time over issues: when an item was done, when it last moved, and throughput per bucket."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from connectors.jira.models import JiraIssue


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from older snapshots are taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_done(issue: JiraIssue) -> bool:
    return issue.status_category == "done"


def done_at(issue: JiraIssue) -> datetime | None:
    """The resolution time; else the last move into the current (done) status; else updated."""
    if not is_done(issue):
        return None
    if issue.resolved is not None:
        return as_utc(issue.resolved)
    moves = [t.at for t in issue.status_history if t.to_status == issue.status]
    return as_utc(max(moves)) if moves else as_utc(issue.updated)


def last_activity(issue: JiraIssue, basis: Literal["update", "status"]) -> datetime:
    """``update``: any edit counts; ``status``: only a status change (or creation) does."""
    moves = [as_utc(t.at) for t in issue.status_history]
    if basis == "status":
        return max([as_utc(issue.created), *moves])
    return max([as_utc(issue.updated), as_utc(issue.created), *moves])


def buckets(end: datetime, count: int, days: int) -> list[tuple[datetime, datetime]]:
    """``count`` back-to-back windows of ``days`` ending at ``end``, oldest first."""
    size = timedelta(days=days)
    return [(end - size * (count - i), end - size * (count - i - 1)) for i in range(count)]


def per_bucket(moments: Iterable[datetime], windows: Sequence[tuple[datetime, datetime]],
               weights: Iterable[float] | None = None) -> list[float]:
    """Sum of weights (1 each by default) of moments in each (start, end] window."""
    totals = [0.0] * len(windows)
    pairs = zip(moments, weights, strict=True) if weights is not None else (
        (m, 1.0) for m in moments)
    for moment, weight in pairs:
        for i, (start, end) in enumerate(windows):
            if start < moment <= end:
                totals[i] += weight
                break
    return totals


def slope(values: Sequence[float]) -> float | None:
    """Ordinary least-squares slope of values against 0..n-1; None under two points."""
    n = len(values)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den
