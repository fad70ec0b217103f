"""config/metrics.yaml: the shipped example loads; broken files fail in one clear line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from connectors.cloudwatch import MetricsConfigError, load_metrics_config
from connectors.cloudwatch.metrics_config import referenced_ids
from connectors.cloudwatch.queries import metric_data_query

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "metrics.yaml"

VALID_HEAD = "schema_version: 1\nservices:\n  payments-api:\n"
METRIC = (
    "    - id: {id}\n"
    "      namespace: AWS/ApplicationELB\n"
    "      metric_name: RequestCount\n"
    "      stat: Sum\n"
)


def test_shipped_example_for_payments_api() -> None:
    config = load_metrics_config(SHIPPED)

    queries = {q.id: q for q in config.queries}
    assert config.window == timedelta(days=7)
    assert {q.service for q in queries.values()} == {"payments-api"}
    rate = queries["payments_api_5xx_rate"]
    assert rate.expression == "100 * FILL(payments_api_5xx, 0) / payments_api_requests"
    assert not queries["payments_api_5xx"].return_data
    assert not queries["payments_api_requests"].return_data
    p99 = queries["payments_api_p99_latency"]
    assert (p99.metric_name, p99.stat, p99.period_s, p99.unit) == (
        "TargetResponseTime",
        "p99",
        300,
        "Seconds",
    )
    assert p99.dimensions == queries["payments_api_5xx"].dimensions  # YAML anchor shared


def test_queries_become_get_metric_data_queries() -> None:
    queries = {q.id: q for q in load_metrics_config(SHIPPED).queries}

    assert metric_data_query(queries["payments_api_5xx_rate"]) == {
        "Id": "payments_api_5xx_rate",
        "Label": "payments-api 5xx rate (%)",
        "ReturnData": True,
        "Expression": "100 * FILL(payments_api_5xx, 0) / payments_api_requests",
    }
    stat = metric_data_query(queries["payments_api_p99_latency"])["MetricStat"]
    assert (stat["Stat"], stat["Period"], stat["Unit"]) == ("p99", 300, "Seconds")
    assert {"Name": "LoadBalancer", "Value": "app/payments-api-prod/50dc6c495c0c9188"} in stat[
        "Metric"
    ]["Dimensions"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("schema_version: 1\nservices: [\n", "metrics.yaml:3:1: expected the node content"),
        ("- just\n- a list\n", "expected a mapping"),
        ("services: {}\n", "schema_version: Field required"),
        (VALID_HEAD + METRIC.format(id="Requests"), "services.payments-api.0.id"),
        (VALID_HEAD + METRIC.format(id="r") + "      colour: blue\n", "colour: Extra inputs"),
        (VALID_HEAD + "    - id: r\n      stat: Sum\n", "needs namespace, metric_name and stat"),
        (
            VALID_HEAD + METRIC.format(id="r") + "      expression: r * 2\n",
            "either an expression or a metric",
        ),
        (VALID_HEAD + METRIC.format(id="r") + METRIC.format(id="r"), "unique across the file: r"),
        (
            VALID_HEAD + METRIC.format(id="r") + "    - id: rate\n      expression: 100 * e / r\n",
            "payments-api.rate: expression uses unknown ids ['e']",
        ),
    ],
)
def test_malformed_file_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "metrics.yaml"
    path.write_text(text)

    with pytest.raises(MetricsConfigError) as error:
        load_metrics_config(path)

    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MetricsConfigError, match="cannot read"):
        load_metrics_config(tmp_path / "absent.yaml")


def test_expression_ids_ignore_functions_and_quoted_text() -> None:
    expression = "SEARCH('{AWS/ApplicationELB,LoadBalancer} errors', 'Sum') + FILL(m1, 0) / m2"
    assert referenced_ids(expression) == {"m1", "m2"}
