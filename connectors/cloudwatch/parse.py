"""DescribeAlarms and DescribeAlarmHistory items (boto dicts) into our models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast, get_args

from connectors.cloudwatch.models import Alarm, AlarmState, AlarmTransition

_STATES: frozenset[str] = frozenset(get_args(AlarmState))
_SUMMARY = re.compile(r"from (\w+) to (\w+)")  # "Alarm updated from OK to ALARM"


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def metric_alarm(item: Mapping[str, Any]) -> Alarm:
    return Alarm(
        name=item["AlarmName"],
        arn=item["AlarmArn"],
        kind="metric",
        state=item["StateValue"],
        state_reason=item.get("StateReason", ""),
        state_updated_at=utc(item["StateUpdatedTimestamp"]),
        metric_name=item.get("MetricName"),
        namespace=item.get("Namespace"),
        dimensions={d["Name"]: d["Value"] for d in item.get("Dimensions", [])},
        expression=_alarm_expression(item.get("Metrics", [])),
        threshold=item.get("Threshold"),
        comparison=item.get("ComparisonOperator"),
    )


def composite_alarm(item: Mapping[str, Any]) -> Alarm:
    return Alarm(
        name=item["AlarmName"],
        arn=item["AlarmArn"],
        kind="composite",
        state=item["StateValue"],
        state_reason=item.get("StateReason", ""),
        state_updated_at=utc(item["StateUpdatedTimestamp"]),
        rule=item.get("AlarmRule"),
    )


def _alarm_expression(metrics: Iterable[Mapping[str, Any]]) -> str | None:
    """The expression a metric-math alarm evaluates (the query that returns data)."""
    for query in metrics:
        if query.get("ReturnData", True) and "Expression" in query:
            return str(query["Expression"])
    return None


def transitions(items: Iterable[Mapping[str, Any]]) -> tuple[list[AlarmTransition], int]:
    """State transitions oldest first, and how many items could not be read."""
    parsed: list[AlarmTransition] = []
    unreadable = 0
    for item in items:
        states = _states_from_data(item.get("HistoryData")) or _states_from_summary(
            item.get("HistorySummary", "")
        )
        if states is None or "Timestamp" not in item:
            unreadable += 1
            continue
        parsed.append(
            AlarmTransition(
                at=utc(item["Timestamp"]),
                from_state=states[0],
                to_state=states[1],
                summary=item.get("HistorySummary", ""),
            )
        )
    return sorted(parsed, key=lambda t: t.at), unreadable


def _states_from_data(data: object) -> tuple[AlarmState, AlarmState] | None:
    # HistoryData is a JSON string: {"oldState": {"stateValue": ...}, "newState": {...}}.
    if not isinstance(data, str):
        return None
    try:
        decoded = json.loads(data)
        return _pair(decoded["oldState"]["stateValue"], decoded["newState"]["stateValue"])
    except (ValueError, KeyError, TypeError):
        return None


def _states_from_summary(summary: str) -> tuple[AlarmState, AlarmState] | None:
    match = _SUMMARY.search(summary)
    return _pair(match.group(1), match.group(2)) if match else None


def _pair(old: object, new: object) -> tuple[AlarmState, AlarmState] | None:
    if old in _STATES and new in _STATES:
        return cast(AlarmState, old), cast(AlarmState, new)
    return None
