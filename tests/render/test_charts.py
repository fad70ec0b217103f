"""The SVG helpers on awkward input: empty, flat, one point, NaN, large counts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from render.charts import Bar, bar_chart, line_chart, nice_ticks

_T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _stamps(n: int) -> list[datetime]:
    return [_T0 + timedelta(minutes=5 * i) for i in range(n)]


@pytest.mark.parametrize(("maximum", "whole", "expected"), [
    (0, False, [0.0, 1.0]),
    (100, False, [0, 25, 50, 75, 100]),
    (2, True, [0, 1, 2]),
    (7, True, [0, 2, 4, 6, 8]),
    (0.37, False, [0, 0.1, 0.2, 0.3, 0.4]),
])
def test_nice_ticks(maximum: float, whole: bool, expected: list[float]) -> None:
    assert nice_ticks(maximum, whole=whole) == pytest.approx(expected)


def test_bar_values_are_clamped_to_the_axis() -> None:
    svg = bar_chart("c", "k", "t", [Bar("a", 250, "250", "x"), Bar("b", -5, "-5", "x")],
                    [0, 50, 100])
    assert 'width="360.0"' in svg  # clamped at 100
    assert 'width="0.0"' in svg


def test_labels_are_escaped() -> None:
    svg = bar_chart("c", "k", "<b>", [Bar("<i>", 1, "<u>", "x")], [0, 1])
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "<u>" not in svg


def test_empty_trend_says_so() -> None:
    svg = line_chart("t", "empty", None, [], [])
    assert "no data points" in svg
    assert 'role="img"' in svg


def test_flat_trend_has_one_label_and_no_division_by_zero() -> None:
    svg = line_chart("t", "flat", "ms", _stamps(10), [5.0] * 10)
    assert "flat at 5 ms" in svg
    assert svg.count('class="mark"') == 1


def test_single_point_and_nan_values() -> None:
    svg = line_chart("t", "one", None, _stamps(3), [math.nan, 4.0, math.inf])
    assert "nan" not in svg.lower().replace("data-chart", "")
    assert 'points="' in svg
    assert svg.count("<circle") == 1


def test_mismatched_lengths_use_the_shorter() -> None:
    svg = line_chart("t", "short", None, _stamps(3), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert "3 points" in svg
