"""metric-regression: is the last window's 5xx rate or p99 latency worse than the baseline?

For each configured series: the last ``recent_hours`` before the CloudWatch window's end
against the ``baseline_hours`` before that. A regression needs all three: Mann–Whitney U
(one-sided, recent > baseline) below ``alpha``, the median up by ``min_relative_change``,
and the median shifted by ``min_effect_mads`` robust standard deviations of the
baseline. The finding states every number; adjectives alone prove nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.base import Outcome
from agents.models import Confidence, Finding, Severity
from agents.platform.evidence import Links
from agents.platform.findings import METRIC_REGRESSION, Findings
from agents.platform.policy import RegressionPolicy, SeriesMatch
from agents.platform.stats import MannWhitney, effect_in_mads, mann_whitney_greater, median
from connectors.cloudwatch.models import CloudWatchData, MetricSeries
from connectors.provenance import Gap

__all__ = ["Comparison", "compare", "format_number", "regression_findings"]


@dataclass(frozen=True)
class Comparison:
    recent_median: float
    baseline_median: float
    relative: float  # +0.54 is +54 %; inf when the baseline median is 0
    effect_mads: float
    test: MannWhitney
    n_recent: int
    n_baseline: int

    def regressed(self, policy: RegressionPolicy) -> bool:
        return (
            self.test.p < policy.alpha
            and self.relative >= policy.min_relative_change
            and self.effect_mads >= policy.min_effect_mads
        )


def format_number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    text = f"{value:.0f}" if size >= 100 else f"{value:.1f}" if size >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _p(p: float) -> str:
    return f"p={p:.3f}" if p >= 0.001 else f"p={p:.1e}"


def _values(series: MetricSeries, start: datetime, end: datetime) -> list[float]:
    return [
        v
        for t, v in zip(series.timestamps, series.values, strict=True)
        if start < t <= end and math.isfinite(v)
    ]


def compare(recent: Sequence[float], baseline: Sequence[float]) -> Comparison:
    now, before = median(recent), median(baseline)
    relative = (now - before) / abs(before) if before else (math.inf if now > 0 else 0.0)
    return Comparison(
        now,
        before,
        relative,
        effect_in_mads(recent, baseline),
        mann_whitney_greater(recent, baseline),
        len(recent),
        len(baseline),
    )


def _sentence(match: SeriesMatch, c: Comparison) -> str:
    unit = f" {match.unit}" if match.unit else ""
    change = (
        f"+{c.relative:.0%}".replace("%", " %") if math.isfinite(c.relative) else "up from zero"
    )
    u = f"{c.test.u:.0f}" if c.test.u == int(c.test.u) else f"{c.test.u:.1f}"
    return (
        f"{match.name} median {format_number(c.recent_median * match.scale)}{unit} vs "
        f"{format_number(c.baseline_median * match.scale)}{unit} baseline, {change}, "
        f"U={u}, {_p(c.test.p)}"
    )


def _finding(
    series: MetricSeries,
    match: SeriesMatch,
    c: Comparison,
    policy: RegressionPolicy,
    findings: Findings,
    links: Links,
) -> Finding:
    sentence = _sentence(match, c)
    strong = c.test.p < policy.alpha / 10 and series.status == "Complete"
    effect = "∞" if math.isinf(c.effect_mads) else f"{c.effect_mads:.1f}"
    return findings.new(
        METRIC_REGRESSION,
        (series.service, series.query_id),
        severity=Severity.HIGH if c.relative >= policy.high_relative_change else Severity.MEDIUM,
        confidence=Confidence.HIGH if strong else Confidence.MEDIUM,
        title=f"{series.service}: {sentence}",
        explanation=(
            f"{sentence} (last {policy.recent_hours:g} h, n={c.n_recent}, vs the "
            f"{policy.baseline_hours:g} h before, n={c.n_baseline}; one-sided "
            f"Mann–Whitney U, median shift {effect} robust SDs (MAD))."
            + (
                " CloudWatch returned partial data for this series."
                if series.status != "Complete"
                else ""
            )
        ),
        evidence=[links.series(series, sentence)],
        recommendation=(
            "Find the cause before releasing on top of it. If this release "
            f"touches {series.service}, roll it out as a canary and compare the "
            "canary's 5xx rate and p99 latency with the rest, with automatic "
            "rollback on the alarms."
        ),
    )


def _match(series: MetricSeries, policy: RegressionPolicy) -> SeriesMatch | None:
    text = f"{series.query_id} {series.label}"
    return next((m for m in policy.metrics if re.search(m.pattern, text)), None)


def regression_findings(
    cloudwatch: CloudWatchData | None, policy: RegressionPolicy, findings: Findings, links: Links
) -> Outcome:
    out = Outcome()
    if cloudwatch is None:
        return out
    end = cloudwatch.window_end
    split = end - timedelta(hours=policy.recent_hours)
    start = split - timedelta(hours=policy.baseline_hours)
    short: list[str] = []
    matched = 0
    for series in cloudwatch.series:
        if (match := _match(series, policy)) is None:
            continue
        matched += 1
        recent, baseline = _values(series, split, end), _values(series, start, split)
        if min(len(recent), len(baseline)) < policy.min_samples:
            short.append(f"{series.query_id} ({len(recent)}/{len(baseline)})")
            continue
        out.counts["series_tested"] += 1
        comparison = compare(recent, baseline)
        if comparison.regressed(policy):
            out.findings.append(_finding(series, match, comparison, policy, findings, links))
    if not matched:
        out.gaps.append(
            Gap(
                source="cloudwatch",
                what="metric regression test",
                why="no series matches platform.regression.metrics",
            )
        )
    if short:
        out.gaps.append(
            Gap(
                source="cloudwatch",
                what="metric regression test",
                why=f"fewer than {policy.min_samples} datapoints (recent/baseline): "
                + ", ".join(short),
            )
        )
    return out
