"""Median/MAD and Mann–Whitney U against hand-computed and exact values."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from agents.platform.stats import (
    effect_in_mads,
    lower_median,
    mad,
    mann_whitney_greater,
    median,
)


def test_median_and_lower_median() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert lower_median([4, 1, 3, 2]) == 2  # DevLake: largest value with percent rank <= 0.5
    assert lower_median([7]) == 7
    with pytest.raises(ValueError):
        median([])


def test_mad_is_robust_to_one_outlier() -> None:
    assert mad([1, 2, 3, 4, 100]) == 1
    assert mad([5, 5, 5]) == 0


def test_effect_in_mads() -> None:
    baseline = [10, 11, 9, 10, 12, 8, 10]
    assert effect_in_mads([20] * 5, baseline) == pytest.approx(10 / (1.4826 * 1))
    assert effect_in_mads([10] * 5, [10] * 5) == 0
    assert math.isinf(effect_in_mads([11] * 5, [10] * 5))


def test_mann_whitney_matches_hand_computation() -> None:
    # U = 25 (every x above every y); mu = 12.5; sigma^2 = 25 * 11 / 12; continuity 0.5.
    result = mann_whitney_greater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])
    assert result.u == 25
    z = (25 - 12.5 - 0.5) / math.sqrt(25 * 11 / 12)
    assert result.z == pytest.approx(z)
    assert result.p == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))
    assert result.p == pytest.approx(0.00609, abs=1e-4)


def test_mann_whitney_other_direction_is_not_significant() -> None:
    assert mann_whitney_greater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p > 0.99


def test_tie_correction_shrinks_the_variance() -> None:
    x, y = [2, 2, 3, 3, 3], [1, 1, 2, 2, 3]
    result = mann_whitney_greater(x, y)
    # Average ranks: 1s -> 1.5, the four 2s -> 4.5, the four 3s -> 8.5;
    # R1 = 2 * 4.5 + 3 * 8.5 = 34.5, so U = 34.5 - 5 * 6 / 2 = 19.5.
    assert result.u == 19.5
    ties = (2**3 - 2) + (4**3 - 4) + (4**3 - 4)
    sigma = math.sqrt(25 / 12 * (11 - ties / (10 * 9)))
    assert result.z == pytest.approx((19.5 - 12.5 - 0.5) / sigma)


def test_all_tied_gives_no_evidence() -> None:
    assert mann_whitney_greater([1, 1, 1], [1, 1]).p == 1.0


def _exact_p(x: list[float], y: list[float]) -> float:
    """P(U >= u_observed) over every relabelling (no ties)."""
    pooled, n1 = [*x, *y], len(x)
    observed = mann_whitney_greater(x, y).u
    ranks = {v: i + 1 for i, v in enumerate(sorted(pooled))}
    hits = total = 0
    for chosen in itertools.combinations(pooled, n1):
        u = sum(ranks[v] for v in chosen) - n1 * (n1 + 1) / 2
        hits += u >= observed
        total += 1
    return hits / total


def test_normal_approximation_is_close_to_the_exact_distribution() -> None:
    rng = random.Random(7)
    x = [rng.gauss(1.0, 1.0) for _ in range(9)]
    y = [rng.gauss(0.0, 1.0) for _ in range(10)]
    assert mann_whitney_greater(x, y).p == pytest.approx(_exact_p(x, y), abs=0.01)
