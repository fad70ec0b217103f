"""The Monte Carlo forecast: deterministic for a seed, honest about its data, never optimistic."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from agents.portfolio.findings import EPIC_SLIPPING
from agents.portfolio.forecast import _Sampler, completion, percentile, simulate
from tests.agents.portfolio.factories import (
    AS_OF,
    epic,
    issue,
    of_kind,
    run,
    snapshot,
    weekly_done,
)

HISTORY = [3, 2, 3, 2, 1, 1, 0, 1]


def _epic_with(open_items: int, *, key: str = "PAY-1", first: int = 2,
               labels: tuple[str, ...] = (), points: float | None = None) -> list:
    return [epic(key, labels=labels),
            *[issue(f"PAY-{n}", epic=key, points=points)
              for n in range(first, first + open_items)]]


def test_simulate_is_deterministic_for_a_seed() -> None:
    first = simulate(20, [0, 1, 2, 5], trials=2000, seed="42:PAY-1", horizon=200)
    again = simulate(20, [0, 1, 2, 5], trials=2000, seed="42:PAY-1", horizon=200)
    assert first == again
    assert first == sorted(first)


def test_bulk_sampler_draws_every_sample_equally_often() -> None:
    draw = _Sampler(random.Random(7), [0.0, 1.0, 2.0])  # 256 % 3 != 0: byte 255 is dropped
    counts = Counter(draw(30_000))
    assert set(counts) == {0.0, 1.0, 2.0}
    assert all(abs(n / sum(counts.values()) - 1 / 3) < 0.02 for n in counts.values())


def test_more_than_256_samples_use_the_slow_path_and_stay_deterministic() -> None:
    samples = [float(n % 4) for n in range(300)]
    first = simulate(30, samples, trials=300, seed="s", horizon=400)
    assert first == simulate(30, samples, trials=300, seed="s", horizon=400)
    assert 15 <= percentile(first, 50) <= 25  # mean 1.5 a bucket: about 20 buckets


def test_constant_throughput_gives_an_exact_date() -> None:
    durations = simulate(10, [2.0], trials=100, seed="s", horizon=52)
    assert set(durations) == {5}
    result = completion(durations, AS_OF, 7, 52)
    assert result.p50 == result.p85 == (AS_OF + timedelta(weeks=5)).date()
    assert not result.beyond_horizon


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 85) == 85
    assert percentile([7], 85) == 7


def test_work_beyond_the_horizon_gets_no_date() -> None:
    durations = simulate(100, [0.0, 1.0], trials=200, seed="s", horizon=10)
    result = completion(durations, AS_OF, 7, 10)
    assert result.p85 is None and result.beyond_horizon


def test_agent_forecast_is_reproducible_and_independent_of_epic_order() -> None:
    issues = [*_epic_with(6), *_epic_with(4, key="PAY-20", first=21), *weekly_done("PAY", HISTORY)]
    first = run(snapshot(issues)).view
    again = run(snapshot(list(reversed(issues)))).view
    assert [e.forecast for e in first.epics] == [e.forecast for e in again.epics]
    assert all(e.forecast is not None for e in first.epics)


def test_forecast_names_the_data_it_used() -> None:
    view = run(snapshot([*_epic_with(5), *weekly_done("PAY", HISTORY)])).view
    forecast = view.epics[0].forecast
    assert forecast is not None
    assert forecast.samples == [float(n) for n in HISTORY]
    assert (forecast.remaining, forecast.history_weeks, forecast.unit) == (5.0, 8, "items")
    assert (forecast.trials, forecast.seed, forecast.team) == (2000, 20240601, "PAY")
    assert "8 weeks to 2024-06-01" in forecast.method
    assert "3, 2, 3, 2, 1, 1, 0, 1" in forecast.method
    assert "5 items remaining" in forecast.method
    assert forecast.p50 is not None and forecast.p85 is not None
    assert AS_OF.date() < forecast.p50 <= forecast.p85


def test_no_throughput_history_means_no_forecast_and_a_gap() -> None:
    result = run(snapshot(_epic_with(5, labels=("target-2024-12-31",))))
    row = result.view.epics[0]
    assert row.forecast is None
    assert row.forecast_note == "no throughput history for team PAY"
    assert row.slipping is None  # unknown, never "on track"
    assert not of_kind(result, EPIC_SLIPPING)
    gap = next(g for g in result.report.gaps if g.what == "throughput history of team PAY")
    assert "0 item(s) resolved" in gap.why
    assert result.report.status == "partial"
    assert result.report.metrics["epic.PAY-1.p85"] is None


def test_thin_history_below_the_minimum_gives_no_forecast() -> None:
    issues = [*_epic_with(5), *weekly_done("PAY", [0, 0, 0, 0, 0, 0, 1, 1])]
    assert run(snapshot(issues)).view.epics[0].forecast is None
    forecast = run(snapshot(issues), {"forecast": {"min_history_items": 2}}).view.epics[0].forecast
    assert forecast is not None


def test_throughput_is_split_between_a_teams_open_epics() -> None:
    issues = [*_epic_with(6), *_epic_with(6, key="PAY-20", first=21),
              *weekly_done("PAY", HISTORY)]
    split = run(snapshot(issues)).view.epics[0].forecast
    whole = run(snapshot(issues), {"forecast": {"split_between_epics": False}}
                ).view.epics[0].forecast
    assert split is not None and whole is not None
    assert (split.share, whole.share) == (0.5, 1.0)
    assert split.p85 is not None and whole.p85 is not None and split.p85 > whole.p85
    assert "split equally between its 2 epics" in split.method


def test_points_forecast_and_its_fallback_to_items() -> None:
    history = weekly_done("PAY", HISTORY, points=3.0)
    estimated = run(snapshot([*_epic_with(4, points=5.0), *history]),
                    {"forecast": {"unit": "points"}}).view.epics[0].forecast
    assert estimated is not None
    assert (estimated.unit, estimated.remaining) == ("points", 20.0)
    assert estimated.samples == [3.0 * n for n in HISTORY]
    mixed = [*_epic_with(4, points=5.0), issue("PAY-9", epic="PAY-1"), *history]
    fallback = run(snapshot(mixed), {"forecast": {"unit": "points"}}).view.epics[0].forecast
    assert fallback is not None
    assert (fallback.unit, fallback.remaining) == ("items", 5.0)
    assert "1 open item(s) have no story points" in fallback.method


def test_daily_granularity_samples_days() -> None:
    forecast = run(snapshot([*_epic_with(5), *weekly_done("PAY", HISTORY)]),
                   {"forecast": {"granularity": "day"}}).view.epics[0].forecast
    assert forecast is not None
    assert forecast.granularity == "day" and len(forecast.samples) == 56
    assert sum(forecast.samples) == sum(HISTORY)


def test_a_done_epic_needs_no_forecast() -> None:
    issues = [epic("PAY-1", status="Done", labels=("target-2024-01-01",)),
              issue("PAY-2", epic="PAY-1", status="Done")]
    row = run(snapshot(issues)).view.epics[0]
    assert (row.forecast, row.forecast_note, row.slipping) == (None, "all work items are done",
                                                               False)
    assert row.target == date(2024, 1, 1)
