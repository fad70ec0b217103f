"""CloudWatch: alarms, alarm history and metric series, read-only."""

from typing import TYPE_CHECKING

from connectors.cloudwatch.metrics_config import (
    MetricsConfig,
    MetricsConfigError,
    load_metrics_config,
)
from connectors.cloudwatch.models import (
    Alarm,
    AlarmTransition,
    CloudWatchData,
    MetricQuery,
    MetricSeries,
)
from connectors.lazy import lazy_attributes

if TYPE_CHECKING:  # boto3 and botocore load with their first use (connectors/lazy.py)
    from connectors.cloudwatch.connector import CloudWatchConnector
    from connectors.cloudwatch.settings import CloudWatchSettings

__all__ = [
    "Alarm",
    "AlarmTransition",
    "CloudWatchConnector",
    "CloudWatchData",
    "CloudWatchSettings",
    "MetricQuery",
    "MetricSeries",
    "MetricsConfig",
    "MetricsConfigError",
    "load_metrics_config",
]

__getattr__ = lazy_attributes(__name__, {
    "CloudWatchConnector": "connectors.cloudwatch.connector",
    "CloudWatchSettings": "connectors.cloudwatch.settings",
})
