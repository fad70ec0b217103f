"""CloudWatch: alarms, alarm history and metric series, read-only."""

from connectors.cloudwatch.connector import CloudWatchConnector
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
