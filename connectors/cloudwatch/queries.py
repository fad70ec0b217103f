"""GetMetricData requests from ``MetricQuery``s, and the series that come back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.cloudwatch.models import MetricQuery
from connectors.cloudwatch.parse import utc

MAX_QUERIES_PER_CALL = 500  # GetMetricData's limit


def metric_data_query(query: MetricQuery) -> dict[str, Any]:
    api: dict[str, Any] = {
        "Id": query.id,
        "Label": query.label or query.id,
        "ReturnData": query.return_data,
    }
    if query.expression is not None:
        api["Expression"] = query.expression
        if query.expression.lstrip().upper().startswith("SELECT"):
            api["Period"] = query.period_s  # Metrics Insights needs it; math uses its inputs'
        return api
    stat: dict[str, Any] = {
        "Metric": {
            "Namespace": query.namespace,
            "MetricName": query.metric_name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in query.dimensions.items()],
        },
        "Period": query.period_s,
        "Stat": query.stat,
    }
    if query.unit:
        stat["Unit"] = query.unit
    api["MetricStat"] = stat
    return api


def batches(queries: Sequence[MetricQuery]) -> list[list[MetricQuery]]:
    """Calls of at most 500 queries, never splitting a service (expressions need their inputs)."""
    services: dict[str, list[MetricQuery]] = {}
    for query in queries:
        services.setdefault(query.service, []).append(query)
    calls: list[list[MetricQuery]] = []
    current: list[MetricQuery] = []
    for group in services.values():
        # The config loader refuses services above the limit; split them anyway if given.
        for start in range(0, len(group), MAX_QUERIES_PER_CALL):
            chunk = group[start : start + MAX_QUERIES_PER_CALL]
            if len(current) + len(chunk) > MAX_QUERIES_PER_CALL:
                calls.append(current)
                current = []
            current.extend(chunk)
    if current:
        calls.append(current)
    return calls


@dataclass
class Collected:
    """One query's result across NextToken pages."""

    points: dict[datetime, float] = field(default_factory=dict)
    status: str = "Complete"
    messages: list[str] = field(default_factory=list)

    def ordered(self) -> tuple[list[datetime], list[float]]:
        stamps = sorted(self.points)
        return stamps, [self.points[t] for t in stamps]


def collect(pages: Iterable[Mapping[str, Any]]) -> dict[str, Collected]:
    """Merge paged MetricDataResults by id; the last page's status is the final one."""
    results: dict[str, Collected] = {}
    for page in pages:
        for result in page.get("MetricDataResults", []):
            if "Id" not in result:
                continue  # cannot be matched to a query; its query then reports a gap
            into = results.setdefault(result["Id"], Collected())
            stamps, values = result.get("Timestamps", []), result.get("Values", [])
            for stamp, value in zip(stamps, values, strict=False):
                if value is not None:  # a point without a value is no datapoint
                    into.points[utc(stamp)] = float(value)
            into.status = result.get("StatusCode", "Complete")
            into.messages.extend(m.get("Value", "") for m in result.get("Messages", []))
    return results
