"""CloudWatch in eu-west-1: alarms with their state history, and a week of 5-minute metrics.

payments-api publishes its 5xx rate (percent of requests, EMF) and the load balancer its
response times. Production got main at #441 on 2025-03-17 10:05; from that evening the
5xx rate and p99 latency are well above the week before. moto holds it all; two
stand-ins fill what moto lacks (``DescribeAlarmHistory`` and percentile statistics).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.cloudwatch.models import MetricQuery
from scripts.demo_org.org import AWS_REGION, NOW, SERVICE, at

WINDOW = timedelta(days=7)
PERIOD_S = 300
ALB = {
    "LoadBalancer": "app/payments-api-prod/50dc6c495c0c9188",
    "TargetGroup": "targetgroup/payments-api-prod/73e2d6bc24d8a067",
}
APP = {"Service": SERVICE, "Environment": "production"}
APP_NAMESPACE = "AcmePay/PaymentsApi"
REGRESSION_FROM = at("03-17 18:00")


def queries() -> list[MetricQuery]:
    return [
        MetricQuery(id="payments_api_5xx_rate", service=SERVICE,
                    label="payments-api 5xx rate (%)", namespace=APP_NAMESPACE,
                    metric_name="Http5xxRate", dimensions=APP, stat="Average",
                    period_s=PERIOD_S, unit="Percent"),
        MetricQuery(id="payments_api_p99_latency", service=SERVICE,
                    label="payments-api p99 latency (s)", namespace="AWS/ApplicationELB",
                    metric_name="TargetResponseTime", dimensions=ALB, stat="p99",
                    period_s=PERIOD_S, unit="Seconds"),
    ]


def window() -> tuple[datetime, datetime]:
    return NOW - WINDOW, NOW


# -- metrics ----------------------------------------------------------------------------------


def _diurnal(when: datetime) -> float:
    """0..1 load shape over the day in Europe (peaks at 12:00 and 19:00 UTC)."""
    hour = when.hour + when.minute / 60
    return 0.55 + 0.25 * math.cos((hour - 12) / 24 * 2 * math.pi) + 0.2 * math.exp(
        -((hour - 19) ** 2) / 4)


def datapoints() -> dict[str, list[tuple[datetime, float]]]:
    """metric name -> (period start, value), every 5 minutes over the window."""
    rng = random.Random(20250318)  # synthetic data, reproducible
    start, end = window()
    rate, p99 = [], []
    when = start
    while when < end:
        load = _diurnal(when)
        bad = when >= REGRESSION_FROM
        rate.append((when, round(max(0.0, rng.gauss(0.18 + 0.1 * load, 0.05)
                                     + (rng.gauss(1.9, 0.4) if bad else 0.0)), 3)))
        p99.append((when, round(max(0.05, rng.gauss(0.26 + 0.12 * load, 0.03)
                                    + (rng.gauss(0.38, 0.08) if bad else 0.0)), 3)))
        when += timedelta(seconds=PERIOD_S)
    return {"Http5xxRate": rate, "TargetResponseTime": p99}


# -- alarms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str  # Average, Sum, Maximum or a percentile (p99)
    threshold: float
    created: datetime
    transitions: tuple[tuple[datetime, str, str], ...] = ()  # (when, state, reason)


ALARMS: tuple[AlarmSpec, ...] = (
    AlarmSpec("payments-api-5xx-rate", APP_NAMESPACE, "Http5xxRate", APP, "Average", 1.0,
              at("11-04 10:00", 2024), (
                  (at("03-14 03:10"), "ALARM", "Threshold Crossed: 2 out of the last 2 "
                   "datapoints [1.4 (14/03/25 03:05:00), 1.2 (14/03/25 03:00:00)] were "
                   "greater than the threshold (1.0)."),
                  (at("03-14 03:40"), "OK", "Threshold Crossed: 2 out of the last 2 "
                   "datapoints were not greater than the threshold (1.0)."),
                  (at("03-17 19:15"), "ALARM", "Threshold Crossed: 2 out of the last 2 "
                   "datapoints [2.31 (17/03/25 19:10:00), 2.05 (17/03/25 19:05:00)] were "
                   "greater than the threshold (1.0)."),
              )),
    AlarmSpec("payments-api-p99-latency", "AWS/ApplicationELB", "TargetResponseTime", ALB,
              "p99", 0.75, at("11-04 10:00", 2024), (
                  (at("03-17 20:05"), "ALARM", "Threshold Crossed: 3 out of the last 3 "
                   "datapoints were greater than the threshold (0.75)."),
                  (at("03-18 01:20"), "OK", "Threshold Crossed: 3 out of the last 3 "
                   "datapoints were not greater than the threshold (0.75)."),
              )),
    AlarmSpec("payments-api-unhealthy-hosts", "AWS/ApplicationELB", "UnHealthyHostCount",
              ALB, "Maximum", 0.0, at("11-04 10:00", 2024)),
    AlarmSpec("payments-db-cpu-high", "AWS/RDS", "CPUUtilization",
              {"DBInstanceIdentifier": "payments-prod"}, "Average", 80.0,
              at("06-12 09:00", 2024)),
    AlarmSpec("settlement-worker-queue-age", "AWS/SQS", "ApproximateAgeOfOldestMessage",
              {"QueueName": "settlement-exports"}, "Maximum", 900.0, at("02-20 11:30"), (
                  (at("03-14 10:35"), "INSUFFICIENT_DATA", "Insufficient Data: 3 datapoints "
                   "were unknown."),
              )),
    AlarmSpec("TargetTracking-payments-api-AlarmHigh-6b1e4f0c", "AWS/ApplicationELB",
              "RequestCountPerTarget", ALB, "Sum", 1200.0, at("11-04 10:05", 2024)),
)


# -- moto -------------------------------------------------------------------------------------


def _history_items(alarm: Any) -> list[dict[str, Any]]:
    """moto records (type, reason, data, previous state, its timestamp) per update."""
    states = [entry[3] for entry in alarm.history] + [alarm.state_value]
    times = [entry[4] for entry in alarm.history[1:]] + [alarm.state_updated_timestamp]
    items = []
    for old, new, when, entry in zip(states[:-1], states[1:], times,
                                     [*alarm.history[1:], None], strict=True):
        reason = entry[1] if entry is not None else alarm.state_reason
        items.append({
            "AlarmName": alarm.name, "AlarmType": "MetricAlarm", "Timestamp": when,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps({"version": "1.0", "oldState": {"stateValue": old},
                                       "newState": {"stateValue": new, "stateReason": reason}},
                                      separators=(",", ":")),
        })
    return items


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextmanager
def moto_cloudwatch() -> Iterator[Any]:
    """moto with the demo's alarms and metrics; yields an unguarded client (setup only).

    Stand-ins: moto 5 has no DescribeAlarmHistory (served from moto's own record of
    state updates, as tests/connectors/test_cloudwatch.py does) and computes no
    percentiles (``pNN`` here is the nearest-rank percentile of a period's datapoints).
    """
    import boto3
    from moto import mock_aws
    from moto.cloudwatch import models as moto_models
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    def describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
        params = self._get_params()
        alarm = self.cloudwatch_backend.alarms[params["AlarmName"]]
        start, end = _aware(params["StartDate"]), _aware(params["EndDate"])
        items = [i for i in _history_items(alarm) if start <= _aware(i["Timestamp"]) <= end]
        offset, size = int(params.get("NextToken") or 0), int(params.get("MaxRecords") or 100)
        result: dict[str, Any] = {"AlarmHistoryItems": items[offset:offset + size]}
        if offset + size < len(items):
            result["NextToken"] = str(offset + size)
        return ActionResult(result)

    original = moto_models.Statistics.get_statistics_for_type

    def statistic(self: Any, stat: str) -> Any:
        if stat[:1] == "p" and stat[1:].replace(".", "", 1).isdigit():
            values = sorted(self.metric_single_values_list)
            if not values:
                return None
            rank = math.ceil(float(stat[1:]) / 100 * len(values))
            return values[max(0, rank - 1)]
        return original(self, stat)

    clock = moto_models.utcnow
    patched = (
        (CloudWatchResponse, "describe_alarm_history", describe_alarm_history),
        (moto_models.Statistics, "get_statistics_for_type", statistic),
    )
    saved = [(owner, name, owner.__dict__.get(name)) for owner, name, _ in patched]
    for owner, name, value in patched:
        setattr(owner, name, value)
    try:
        with mock_aws():
            client = boto3.client("cloudwatch", region_name=AWS_REGION)
            _populate(client, moto_models)
            yield client
    finally:
        moto_models.utcnow = clock
        for owner, name, value in saved:
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


def _populate(client: Any, moto_models: Any) -> None:
    for spec in ALARMS:
        moto_models.utcnow = lambda when=spec.created: when.replace(tzinfo=None)
        stat = ({"ExtendedStatistic": spec.statistic} if spec.statistic.startswith("p")
                else {"Statistic": spec.statistic})
        client.put_metric_alarm(
            AlarmName=spec.name, Namespace=spec.namespace, MetricName=spec.metric,
            Dimensions=[{"Name": k, "Value": v} for k, v in spec.dimensions.items()],
            Period=PERIOD_S, EvaluationPeriods=3 if "latency" in spec.name else 2,
            Threshold=spec.threshold, ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="missing", **stat)
        for when, state, reason in spec.transitions:
            moto_models.utcnow = lambda when=when: when.replace(tzinfo=None)
            client.set_alarm_state(AlarmName=spec.name, StateValue=state, StateReason=reason)
    for metric, points in datapoints().items():
        namespace, dims, unit = ((APP_NAMESPACE, APP, "Percent") if metric == "Http5xxRate"
                                 else ("AWS/ApplicationELB", ALB, "Seconds"))
        data = [{"MetricName": metric, "Timestamp": when, "Value": value, "Unit": unit,
                 "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]}
                for when, value in points]
        for first in range(0, len(data), 1000):
            client.put_metric_data(Namespace=namespace, MetricData=data[first:first + 1000])
