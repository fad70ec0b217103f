"""CloudWatch connector against moto: alarms, history, metric data, the read-only guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.cloudwatch import models as moto_models
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

from connectors.cloudwatch import (
    CloudWatchConnector,
    CloudWatchSettings,
    MetricQuery,
    load_metrics_config,
)
from connectors.errors import ReadOnlyViolation

REPO = Path(__file__).resolve().parents[2]
ALB = {
    "LoadBalancer": "app/payments-api-prod/50dc6c495c0c9188",
    "TargetGroup": "targetgroup/payments-api-prod/73e2d6bc24d8a067",
}


# -- moto lacks DescribeAlarmHistory: serve it from moto's own record of state updates --


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _history_items(alarm: Any) -> list[dict[str, Any]]:
    # moto appends (type, reason, reason_data, state, updated_at) of the *previous* state.
    previous = alarm.history
    states = [entry[3] for entry in previous] + [alarm.state_value]
    times = [entry[4] for entry in previous[1:]] + [alarm.state_updated_timestamp][: len(previous)]
    items = []
    for old, new, at in zip(states[:-1], states[1:], times, strict=True):
        items.append(
            {
                "AlarmName": alarm.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": at,
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": (
                    f'{{"version":"1.0","oldState":{{"stateValue":"{old}"}},'
                    f'"newState":{{"stateValue":"{new}"}}}}'
                ),
            }
        )
    return items


def _describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
    params = self._get_params()
    alarm = self.cloudwatch_backend.alarms[params["AlarmName"]]
    start, end = _aware(params["StartDate"]), _aware(params["EndDate"])
    items = [i for i in _history_items(alarm) if start <= _aware(i["Timestamp"]) <= end]
    offset = int(params.get("NextToken") or 0)
    size = int(params.get("MaxRecords") or 100)
    result: dict[str, Any] = {"AlarmHistoryItems": items[offset : offset + size]}
    if offset + size < len(items):
        result["NextToken"] = str(offset + size)
    return ActionResult(result)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto account and an *unguarded* client for test setup (and for checking state)."""
    monkeypatch.setattr(
        CloudWatchResponse, "describe_alarm_history", _describe_alarm_history, raising=False
    )
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="eu-west-1")


def _alarm(aws: Any, name: str, metric: str = "HTTPCode_Target_5XX_Count") -> None:
    aws.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ApplicationELB",
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in ALB.items()],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=10.0,
        ComparisonOperator="GreaterThanThreshold",
    )


def _set(aws: Any, name: str, *states: str) -> None:
    for state in states:
        aws.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"test: {state}")


def _window() -> tuple[datetime, datetime]:
    end = datetime.now(UTC) + timedelta(minutes=1)
    return end - timedelta(days=7), end


def test_alarms_in_every_state_with_their_history(aws: Any) -> None:
    _alarm(aws, "payments-api-5xx")
    _set(aws, "payments-api-5xx", "ALARM")
    _alarm(aws, "payments-api-latency", "TargetResponseTime")
    _set(aws, "payments-api-latency", "ALARM", "OK")
    _alarm(aws, "payments-api-no-data")
    _set(aws, "payments-api-no-data", "INSUFFICIENT_DATA")

    data, provenance = CloudWatchConnector(CloudWatchSettings()).fetch([], *_window())

    assert data.alarms is not None
    alarms = {a.name: a for a in data.alarms}
    assert {n: a.state for n, a in alarms.items()} == {
        "payments-api-5xx": "ALARM",
        "payments-api-latency": "OK",
        "payments-api-no-data": "INSUFFICIENT_DATA",
    }
    firing = alarms["payments-api-5xx"]
    assert firing.arn.endswith(":alarm:payments-api-5xx")
    assert firing.state_reason == "test: ALARM"
    assert (firing.metric_name, firing.namespace, firing.dimensions) == (
        "HTTPCode_Target_5XX_Count",
        "AWS/ApplicationELB",
        ALB,
    )
    assert (firing.threshold, firing.comparison) == (10.0, "GreaterThanThreshold")
    assert firing.state_updated_at.tzinfo is not None
    assert [(t.from_state, t.to_state) for t in firing.history or []] == [("OK", "ALARM")]
    latency = alarms["payments-api-latency"].history or []
    assert [(t.from_state, t.to_state) for t in latency] == [("OK", "ALARM"), ("ALARM", "OK")]
    assert latency[0].at <= latency[1].at
    assert latency[1].summary == "Alarm updated from ALARM to OK"
    assert provenance.gaps == []
    assert provenance.requests == 1 + 3  # DescribeAlarms + one history per changed alarm


def test_alarm_unchanged_in_window_needs_no_history_call(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
    with monkeypatch.context() as clock:
        clock.setattr(moto_models, "utcnow", lambda: long_ago)
        _alarm(aws, "quiet-ok")
        _alarm(aws, "old-but-firing")
        _set(aws, "old-but-firing", "ALARM")

    data, provenance = CloudWatchConnector(CloudWatchSettings()).fetch([], *_window())

    assert data.alarms is not None
    alarms = {a.name: a for a in data.alarms}
    assert alarms["quiet-ok"].history == []  # truly empty: nothing changed in the window
    assert alarms["old-but-firing"].history == []  # firing alarms are always looked up
    assert provenance.requests == 1 + 1


def test_alarm_name_prefix_filters(aws: Any) -> None:
    _alarm(aws, "payments-api-5xx")
    _alarm(aws, "search-api-5xx")

    settings = CloudWatchSettings(alarm_name_prefix="payments-")
    data, provenance = CloudWatchConnector(settings).fetch([], *_window())

    assert [a.name for a in data.alarms or []] == ["payments-api-5xx"]
    assert provenance.asked["alarm_name_prefix"] == "payments-"


def test_alarm_history_is_paginated(aws: Any) -> None:
    _alarm(aws, "flapping")
    _set(aws, "flapping", *(["ALARM", "OK"] * 60))

    data, provenance = CloudWatchConnector(CloudWatchSettings()).fetch([], *_window())

    (alarm,) = data.alarms or []
    assert len(alarm.history or []) == 120
    assert [t.to_state for t in (alarm.history or [])[:2]] == ["ALARM", "OK"]
    assert provenance.requests == 1 + 2  # history: 100 items, then 20


def _put(aws: Any, metric: str, points: list[tuple[datetime, float]], unit: str) -> None:
    aws.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in ALB.items()],
                "Timestamp": at,
                "Value": value,
                "Unit": unit,
            }
            for at, value in points
        ],
    )


def _query(query_id: str, metric: str, stat: str, service: str = "payments-api") -> MetricQuery:
    return MetricQuery(
        id=query_id,
        service=service,
        label=f"{service} {metric} {stat}",
        namespace="AWS/ApplicationELB",
        metric_name=metric,
        dimensions=ALB,
        stat=stat,
        period_s=300,
    )


def test_metric_data_read_back_oldest_first(aws: Any) -> None:
    start, end = _window()
    base = end - timedelta(hours=1)
    _put(
        aws,
        "RequestCount",
        [(base + timedelta(minutes=5 * i), 100.0 + i) for i in range(6)],
        "Count",
    )
    _put(aws, "TargetResponseTime", [(base, 0.2), (base + timedelta(minutes=1), 0.4)], "Seconds")
    queries = [
        _query("requests", "RequestCount", "Sum"),
        _query("latency", "TargetResponseTime", "Average"),  # moto computes no percentiles
    ]

    data, provenance = CloudWatchConnector(CloudWatchSettings()).fetch(queries, start, end)

    series = {s.query_id: s for s in data.series}
    requests = series["requests"]
    assert requests.values == [100.0, 101.0, 102.0, 103.0, 104.0, 105.0]
    assert requests.timestamps == sorted(requests.timestamps)
    assert (requests.service, requests.label, requests.status) == (
        "payments-api",
        "payments-api RequestCount Sum",
        "Complete",
    )
    assert series["latency"].values == [pytest.approx(0.3)]
    assert provenance.gaps == []
    assert provenance.requests == 2  # DescribeAlarms + one GetMetricData


def test_shipped_metrics_config_is_accepted_by_get_metric_data(aws: Any) -> None:
    queries = load_metrics_config(REPO / "config" / "metrics.yaml").queries

    data, provenance = CloudWatchConnector(CloudWatchSettings()).fetch(queries, *_window())

    returned = [q.id for q in queries if q.return_data]
    assert [s.query_id for s in data.series] == returned  # inputs of the math stay hidden
    assert provenance.gaps == []


def test_more_than_500_queries_take_two_calls_without_splitting_a_service(aws: Any) -> None:
    queries = [_query(f"a{i}", "RequestCount", "Sum", "svc-a") for i in range(300)]
    queries += [_query(f"b{i}", "RequestCount", "Sum", "svc-b") for i in range(201)]

    end = datetime.now(UTC)
    connector = CloudWatchConnector(CloudWatchSettings())
    data, provenance = connector.fetch(queries, end - timedelta(hours=1), end)  # moto is slow

    assert len(data.series) == 501
    assert provenance.requests == 1 + 2


def test_guarded_client_refuses_every_write(aws: Any) -> None:
    _alarm(aws, "payments-api-5xx")
    before = aws.describe_alarms()["MetricAlarms"]
    connector = CloudWatchConnector(CloudWatchSettings())
    client = connector.client
    assert client is not None
    writes = {
        "PutMetricAlarm": lambda: client.put_metric_alarm(
            AlarmName="sneaky",
            Namespace="AWS/ApplicationELB",
            MetricName="RequestCount",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanThreshold",
        ),
        "DeleteAlarms": lambda: client.delete_alarms(AlarmNames=["payments-api-5xx"]),
        "SetAlarmState": lambda: client.set_alarm_state(
            AlarmName="payments-api-5xx", StateValue="ALARM", StateReason="sneaky"
        ),
        "PutMetricData": lambda: client.put_metric_data(
            Namespace="Sneaky", MetricData=[{"MetricName": "m", "Value": 1.0}]
        ),
    }

    for operation, write in writes.items():
        with pytest.raises(ReadOnlyViolation) as refused:
            write()
        assert refused.value.operation == operation

    after = aws.describe_alarms()["MetricAlarms"]
    assert [(a["AlarmName"], a["StateValue"]) for a in after] == [
        (a["AlarmName"], a["StateValue"]) for a in before
    ]
    assert aws.list_metrics(Namespace="Sneaky")["Metrics"] == []
    assert connector.stats.requests == 0  # refused before anything was sent
