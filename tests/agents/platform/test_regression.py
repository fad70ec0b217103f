"""metric-regression: Mann–Whitney U and median/MAD, reported with numbers."""

from __future__ import annotations

import random
import re

from agents.models import Confidence, EvidenceKind, Severity
from agents.platform.regression import compare, format_number
from tests.agents.platform.factories import cloudwatch, of, run, series, snapshot

P99 = ("payments_api_p99_latency", "payments-api p99 latency (s)")
RATE = ("payments_api_5xx_rate", "payments-api 5xx rate (%)")


def _noisy(centre: float, spread: float, n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [max(0.0, rng.gauss(centre, spread)) for _ in range(n)]


def _latency(baseline: float, recent: float) -> list[float]:
    # Hourly points: 144 baseline hours, then 24 recent hours (oldest first).
    return [*_noisy(baseline, 0.02, 144, 1), *_noisy(recent, 0.03, 24, 2)]


def test_p99_regression_is_reported_with_numbers() -> None:
    report = run(snapshot(cloud=cloudwatch(series_=[series(*P99, _latency(0.268, 0.412))])))
    found = of(report, "metric-regression")
    assert len(found) == 1
    finding = found[0]
    assert re.search(r"p99 latency median 4\d\d ms vs 2\d\d ms baseline, \+\d+ %, U=\d+, "
                     r"p=\d", finding.title), finding.title
    assert "n=24" in finding.explanation and "n=144" in finding.explanation
    assert "robust SDs (MAD)" in finding.explanation
    assert finding.severity is Severity.MEDIUM and finding.confidence is Confidence.HIGH
    assert finding.evidence[0].kind is EvidenceKind.METRIC
    assert report.metrics["series_tested"] == 1


def test_same_distribution_is_not_a_regression() -> None:
    values = _noisy(0.268, 0.02, 168, 3)
    report = run(snapshot(cloud=cloudwatch(series_=[series(*P99, values)])))
    assert not of(report, "metric-regression")


def test_significant_but_small_shift_is_not_a_regression() -> None:
    # +5 %: detectable with this much data, but below min_relative_change (20 %).
    values = [*_noisy(0.200, 0.002, 144, 4), *_noisy(0.210, 0.002, 24, 5)]
    comparison = compare(values[144:], values[:144])
    assert comparison.test.p < 0.01
    report = run(snapshot(cloud=cloudwatch(series_=[series(*P99, values)])))
    assert not of(report, "metric-regression")


def test_errors_up_from_zero_are_high() -> None:
    values = [0.0] * 144 + _noisy(2.0, 0.5, 24, 6)
    found = of(run(snapshot(cloud=cloudwatch(series_=[series(*RATE, values)]))),
               "metric-regression")
    assert len(found) == 1 and found[0].severity is Severity.HIGH
    assert "0 % baseline, up from zero" in found[0].title


def test_too_few_datapoints_is_a_gap() -> None:
    report = run(snapshot(cloud=cloudwatch(series_=[series(*P99, _noisy(0.2, 0.01, 20, 7))])))
    assert not of(report, "metric-regression")
    assert any(g.what == "metric regression test" and "payments_api_p99_latency" in g.why
               for g in report.gaps)


def test_no_matching_series_is_a_gap() -> None:
    other = series("payments_api_cpu", "payments-api CPU", _noisy(50, 5, 168, 8))
    report = run(snapshot(cloud=cloudwatch(series_=[other])))
    assert any("no series matches" in g.why for g in report.gaps)


def test_number_format() -> None:
    assert [format_number(v) for v in (412.3, 26.84, 0.8, 0.823, 3.0)] == [
        "412", "26.8", "0.8", "0.82", "3"]
