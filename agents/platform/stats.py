"""Robust statistics for metric regressions, without scipy.

Latency and error-rate samples are skewed and spiky, so location is the median and
spread the MAD; the test is Mann–Whitney U (rank-based, no normality assumed) with the
normal approximation, tie correction and continuity correction. This matches
``scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic")``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# MAD × 1.4826 estimates the standard deviation of normal data.
MAD_TO_SIGMA = 1.4826


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def lower_median(values: Sequence[float]) -> float:
    """The largest value whose percent rank is at most 0.5 (what DevLake's SQL computes)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation from the median (unscaled)."""
    centre = median(values)
    return median([abs(v - centre) for v in values])


def _ranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Average ranks (1-based) and the sizes of tied groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties: list[int] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = average
        ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


@dataclass(frozen=True)
class MannWhitney:
    u: float  # U of the first sample
    z: float
    p: float  # one-sided: the first sample tends to be larger


def mann_whitney_greater(x: Sequence[float], y: Sequence[float]) -> MannWhitney:
    """One-sided test that ``x`` tends to exceed ``y``."""
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        raise ValueError("both samples need values")
    ranks, ties = _ranks([*x, *y])
    u = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    n = n1 + n2
    tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1)) if n > 1 else 0.0
    variance = n1 * n2 / 12 * ((n + 1) - tie_term)
    if variance <= 0:  # every value tied: no evidence either way
        return MannWhitney(u=u, z=0.0, p=1.0)
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(variance)
    return MannWhitney(u=u, z=z, p=0.5 * math.erfc(z / math.sqrt(2)))


def effect_in_mads(recent: Sequence[float], baseline: Sequence[float]) -> float:
    """Shift of the median in robust standard deviations of the baseline (inf if it is flat)."""
    shift = median(recent) - median(baseline)
    spread = MAD_TO_SIGMA * mad(baseline)
    if spread == 0:
        return math.inf if shift > 0 else (-math.inf if shift < 0 else 0.0)
    return shift / spread
