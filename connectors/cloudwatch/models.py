"""What the CloudWatch connector returns: plain pydantic models, no boto objects."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

AlarmState = Literal["ALARM", "OK", "INSUFFICIENT_DATA"]

# GetMetricData ids: a lowercase letter first, then letters, digits, underscores.
QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]{0,254}$")


def check_metric_or_expression(
    namespace: str | None, metric_name: str | None, stat: str | None, expression: str | None
) -> None:
    metric = (namespace, metric_name, stat)
    if expression is None and None in metric:
        raise ValueError("needs namespace, metric_name and stat, or an expression")
    if expression is not None and any(part is not None for part in metric):
        raise ValueError("give either an expression or a metric, not both")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlarmTransition(_Frozen):
    at: datetime
    from_state: AlarmState
    to_state: AlarmState
    summary: str


class Alarm(_Frozen):
    """A metric or composite alarm as CloudWatch reported it.

    ``history`` holds state transitions inside the history window, oldest first. It is
    ``[]`` when the alarm did not change in the window (so there is nothing to read),
    and ``None`` when reading the history failed (a gap says why).
    """

    name: str
    arn: str
    kind: Literal["metric", "composite"] = "metric"
    state: AlarmState
    state_reason: str = ""
    state_updated_at: datetime
    metric_name: str | None = None
    namespace: str | None = None
    dimensions: dict[str, str] = Field(default_factory=dict)
    expression: str | None = None  # metric-math alarms have no single metric
    rule: str | None = None  # composite alarms
    threshold: float | None = None
    comparison: str | None = None
    history: list[AlarmTransition] | None = None


class MetricQuery(_Frozen):
    """One GetMetricData query: a metric statistic, or a metric-math ``expression``.

    ``id`` is the GetMetricData id, so it must be unique across every query sent
    together; expressions refer to other queries of the same service by id.
    """

    id: str = Field(pattern=QUERY_ID.pattern)
    service: str
    label: str = ""
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: dict[str, str] = Field(default_factory=dict)
    stat: str | None = None
    period_s: int = Field(default=300, ge=1)
    unit: str | None = None
    expression: str | None = None
    return_data: bool = True  # False for inputs that only feed an expression

    @model_validator(mode="after")
    def _metric_or_expression(self) -> MetricQuery:
        check_metric_or_expression(self.namespace, self.metric_name, self.stat, self.expression)
        return self


class MetricSeries(_Frozen):
    """Datapoints for one query, oldest first. ``PartialData``: not all pages arrived."""

    query_id: str
    service: str
    label: str
    timestamps: list[datetime]
    values: list[float]
    status: Literal["Complete", "PartialData"]

    @model_validator(mode="after")
    def _aligned(self) -> MetricSeries:
        if len(self.timestamps) != len(self.values):
            raise ValueError(f"{self.query_id}: timestamps and values differ in length")
        return self


class CloudWatchData(_Frozen):
    """One read of CloudWatch.

    ``alarms`` is ``None`` when DescribeAlarms could not be read at all: "no alarms"
    and "could not look" must never look the same. Missing series are named in gaps.
    """

    schema_version: Literal[1] = 1
    region: str
    window_start: datetime
    window_end: datetime
    alarms: list[Alarm] | None
    series: list[MetricSeries] = Field(default_factory=list)
