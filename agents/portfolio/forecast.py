"""Monte Carlo delivery forecast: sample the team's past throughput until the work is done.

Each trial draws past weeks' (or days') throughput, with replacement, and adds it up
until it covers the remaining work; the number of draws needed is that trial's duration.
P50/P85 are the durations half / 85% of the trials finish within. The generator is
``random.Random`` seeded from the policy seed and the epic key, so a forecast is the same
on every run and does not depend on the order epics are visited.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Literal

from agents.portfolio.context import PortfolioContext
from agents.portfolio.timeline import buckets, done_at, per_bucket

Unit = Literal["items", "points"]
Granularity = Literal["week", "day"]


@dataclass(frozen=True)
class History:
    """A team's throughput per bucket over the history window, oldest first."""

    team: str
    unit: Unit
    granularity: Granularity
    weeks: int
    samples: tuple[float, ...]
    items: int  # items resolved in the window, whatever the unit

    @property
    def bucket_days(self) -> int:
        return 7 if self.granularity == "week" else 1


@dataclass(frozen=True)
class Percentiles:
    p50: date | None
    p85: date | None
    beyond_horizon: bool


def team_history(ctx: PortfolioContext, team: str, unit: Unit) -> History:
    policy = ctx.policy.forecast
    days = 7 if policy.granularity == "week" else 1
    windows = buckets(ctx.as_of, policy.history_weeks * 7 // days, days)
    start = windows[0][0]
    done = [(when, issue.story_points or 0.0) for issue in ctx.work_by_team.get(team, ())
            if (when := done_at(issue)) is not None and start < when <= ctx.as_of]
    weights = [points for _, points in done] if unit == "points" else None
    samples = per_bucket((when for when, _ in done), windows, weights)
    return History(team, unit, policy.granularity, policy.history_weeks,
                   tuple(samples), len(done))


def simulate(remaining: float, samples: Sequence[float], *, trials: int, seed: str,
             horizon: int) -> list[int]:
    """Sorted trial durations in buckets; ``horizon + 1`` marks a trial not done in time."""
    mean = sum(samples) / len(samples)
    if mean <= 0:
        return [horizon + 1] * trials
    draw = _Sampler(random.Random(seed), samples)  # noqa: S311 -- a simulation, not a secret
    # Draw in chunks about as long as a typical trial: far faster than one draw at a time.
    chunk = min(horizon, max(8, math.ceil(1.2 * remaining / mean)))
    return sorted(_trial(draw, remaining, chunk, horizon) for _ in range(trials))


def _trial(draw: _Sampler, remaining: float, chunk: int, horizon: int) -> int:
    done, drawn = 0.0, 0
    while drawn < horizon:
        # Running totals never fall (throughput is never negative), so bisect finds the
        # first bucket at which the work is done.
        totals = list(accumulate(draw(min(chunk, horizon - drawn)), initial=done))
        step = bisect_left(totals, remaining, lo=1)
        if step < len(totals):
            return drawn + step
        done, drawn = totals[-1], drawn + len(totals) - 1
    return horizon + 1


class _Sampler:
    """Up to ``k`` samples drawn uniformly with replacement, in bulk.

    With at most 256 samples, random bytes are mapped to sample indices by
    ``bytes.translate`` (bytes past the largest multiple of n are dropped, so every index
    is equally likely): the whole draw runs in C. Otherwise ``Random.choices``.
    """

    def __init__(self, rng: random.Random, samples: Sequence[float]) -> None:
        self._rng = rng
        self._samples = list(samples)
        n = len(samples)
        self._fast = n <= 256
        keep = 256 - 256 % n
        self._table = bytes(b % n if b < keep else 0 for b in range(256))
        self._drop = bytes(range(keep, 256))

    def __call__(self, k: int) -> Iterable[float]:
        if not self._fast:
            return self._rng.choices(self._samples, k=k)
        picks = self._rng.randbytes(k).translate(self._table, self._drop)
        return map(self._samples.__getitem__, picks)


def percentile(durations: Sequence[int], p: float) -> int:
    """Nearest-rank percentile of sorted durations."""
    index = max(0, math.ceil(p / 100 * len(durations)) - 1)
    return durations[index]


def completion(durations: Sequence[int], as_of: datetime, bucket_days: int,
               horizon: int) -> Percentiles:
    def day(p: float) -> date | None:
        n = percentile(durations, p)
        return None if n > horizon else (as_of + timedelta(days=n * bucket_days)).date()

    return Percentiles(day(50), day(85), percentile(durations, 85) > horizon)
