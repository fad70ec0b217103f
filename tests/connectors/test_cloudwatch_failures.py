"""CloudWatch paging and failures: each failure is a gap, never a crash or an empty answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber
from moto import mock_aws

from connectors.cloudwatch import CloudWatchConnector, CloudWatchSettings, MetricQuery
from connectors.cloudwatch.queries import batches

END = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
START = END - timedelta(days=7)
LONG_AGO = END - timedelta(days=40)


def _metric_alarm(name: str, state: str = "OK", updated: datetime = LONG_AGO) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}",
        "StateValue": state,
        "StateReason": "Threshold Crossed: 1 datapoint [0.0] was not greater than 10.0",
        "StateUpdatedTimestamp": updated,
        "MetricName": "HTTPCode_Target_5XX_Count",
        "Namespace": "AWS/ApplicationELB",
        "Dimensions": [{"Name": "LoadBalancer", "Value": "app/payments-api-prod/50dc6c495c0c9188"}],
        "Threshold": 10.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }


def _query(query_id: str = "requests", service: str = "payments-api") -> MetricQuery:
    return MetricQuery(
        id=query_id,
        service=service,
        namespace="AWS/ApplicationELB",
        metric_name="RequestCount",
        stat="Sum",
    )


@pytest.fixture
def connector() -> CloudWatchConnector:
    return CloudWatchConnector(CloudWatchSettings(region="eu-west-1"))


@pytest.fixture
def stub(connector: CloudWatchConnector) -> Iterator[Stubber]:
    # Stubber answers in before-call, after the read-only guard has passed the call.
    with Stubber(connector.client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _alarms_call(token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "MaxRecords": 100}
    if token:
        params["NextToken"] = token
    return params


def _metrics_call(token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "MetricDataQueries": ANY,
        "StartTime": START,
        "EndTime": END,
        "ScanBy": "TimestampAscending",
    }
    if token:
        params["NextToken"] = token
    return params


def test_describe_alarms_follows_next_token(connector: CloudWatchConnector, stub: Stubber) -> None:
    page_one = {"MetricAlarms": [_metric_alarm(f"a{i}") for i in range(100)], "NextToken": "p2"}
    page_two = {"MetricAlarms": [_metric_alarm("a100")], "CompositeAlarms": []}
    stub.add_response("describe_alarms", page_one, _alarms_call())
    stub.add_response("describe_alarms", page_two, _alarms_call("p2"))

    data, provenance = connector.fetch([], START, END)

    assert len(data.alarms or []) == 101
    assert all(a.history == [] for a in data.alarms or [])  # quiet: no history calls
    assert provenance.gaps == []


def test_unreadable_alarm_is_a_gap_the_rest_still_count(
    connector: CloudWatchConnector, stub: Stubber
) -> None:
    broken = _metric_alarm("payments-api-broken")
    del broken["StateValue"]
    page = {"MetricAlarms": [broken, _metric_alarm("payments-api-5xx")]}
    stub.add_response("describe_alarms", page, _alarms_call())

    data, provenance = connector.fetch([], START, END)

    assert [a.name for a in data.alarms or []] == ["payments-api-5xx"]
    (gap,) = provenance.gaps
    assert gap.what == "alarm payments-api-broken"
    assert gap.why.startswith("unreadable: KeyError('StateValue')")


def test_composite_and_metric_math_alarms(connector: CloudWatchConnector, stub: Stubber) -> None:
    math = _metric_alarm("payments-api-error-rate")
    for key in ("MetricName", "Namespace", "Dimensions"):
        del math[key]
    math["Metrics"] = [
        {"Id": "e1", "Expression": "100 * m1 / m2", "ReturnData": True},
        {"Id": "m1", "ReturnData": False, "MetricStat": _stat("HTTPCode_Target_5XX_Count")},
        {"Id": "m2", "ReturnData": False, "MetricStat": _stat("RequestCount")},
    ]
    composite = {
        "AlarmName": "payments-api-page",
        "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-api-page",
        "AlarmRule": 'ALARM("payments-api-error-rate")',
        "StateValue": "OK",
        "StateReason": "all children OK",
        "StateUpdatedTimestamp": LONG_AGO,
    }
    stub.add_response(
        "describe_alarms", {"MetricAlarms": [math], "CompositeAlarms": [composite]}, _alarms_call()
    )

    data, _ = connector.fetch([], START, END)

    by_name = {a.name: a for a in data.alarms or []}
    assert by_name["payments-api-error-rate"].expression == "100 * m1 / m2"
    assert by_name["payments-api-error-rate"].metric_name is None
    assert by_name["payments-api-page"].kind == "composite"
    assert by_name["payments-api-page"].rule == 'ALARM("payments-api-error-rate")'


def _stat(metric: str) -> dict[str, Any]:
    return {
        "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric},
        "Period": 300,
        "Stat": "Sum",
    }


def test_get_metric_data_follows_next_token(connector: CloudWatchConnector, stub: Stubber) -> None:
    t = [START + timedelta(minutes=5 * i) for i in range(4)]
    first = {"Id": "requests", "Label": "requests", "StatusCode": "PartialData"}
    last = {"Id": "requests", "Label": "requests", "StatusCode": "Complete"}
    stub.add_response("describe_alarms", {"MetricAlarms": []}, _alarms_call())
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [{**first, "Timestamps": t[:2], "Values": [1.0, 2.0]}],
            "NextToken": "n",
        },
        _metrics_call(),
    )
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [{**last, "Timestamps": t[2:], "Values": [3.0, 4.0]}]},
        _metrics_call("n"),
    )

    data, provenance = connector.fetch([_query()], START, END)

    (series,) = data.series
    assert (series.timestamps, series.values, series.status) == (
        t,
        [1.0, 2.0, 3.0, 4.0],
        "Complete",
    )
    assert data.alarms == []  # read and truly empty
    assert provenance.gaps == []


def test_access_denied_on_alarms_is_a_gap_not_no_alarms(
    connector: CloudWatchConnector, stub: Stubber
) -> None:
    stub.add_client_error(
        "describe_alarms",
        service_error_code="AccessDenied",
        service_message="User is not authorized to perform: cloudwatch:DescribeAlarms",
        http_status_code=403,
    )
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [{"Id": "requests", "StatusCode": "Complete"}]},
        _metrics_call(),
    )

    data, provenance = connector.fetch([_query()], START, END)

    assert data.alarms is None
    assert [s.query_id for s in data.series] == ["requests"]  # metrics still read
    (gap,) = provenance.gaps
    assert gap.what == "alarms"
    assert gap.why.startswith("access denied: AccessDenied")


def test_expired_credentials_stop_after_one_gap(
    connector: CloudWatchConnector, stub: Stubber
) -> None:
    stub.add_client_error("describe_alarms", "ExpiredTokenException", "token expired", 400)

    data, provenance = connector.fetch([_query()], START, END)

    assert (data.alarms, data.series) == (None, [])
    (gap,) = provenance.gaps  # GetMetricData was not even tried
    assert "expired" in gap.why
    assert gap.what.startswith("all CloudWatch data")


def test_throttling_after_botocores_retries_is_a_gap(
    connector: CloudWatchConnector, stub: Stubber
) -> None:
    stub.add_response("describe_alarms", {"MetricAlarms": []}, _alarms_call())
    stub.add_client_error(
        "get_metric_data",
        "ThrottlingException",
        "Rate exceeded",
        400,
        response_meta={"RetryAttempts": 4},
    )

    data, provenance = connector.fetch([_query()], START, END)

    assert data.alarms == [] and data.series == []
    (gap,) = provenance.gaps
    assert gap.what == "metrics requests"
    assert gap.why == "throttled after 5 attempt(s): ThrottlingException"
    assert provenance.retries == 4


def test_metric_result_forbidden_is_a_gap_for_that_query(
    connector: CloudWatchConnector, stub: Stubber
) -> None:
    stub.add_response("describe_alarms", {"MetricAlarms": []}, _alarms_call())
    results = [
        {"Id": "ok", "StatusCode": "Complete", "Timestamps": [START], "Values": [5.0]},
        {
            "Id": "denied",
            "StatusCode": "Forbidden",
            "Messages": [{"Code": "Forbidden", "Value": "no access to namespace"}],
        },
    ]
    stub.add_response("get_metric_data", {"MetricDataResults": results}, _metrics_call())

    data, provenance = connector.fetch([_query("ok"), _query("denied")], START, END)

    assert [s.query_id for s in data.series] == ["ok"]
    (gap,) = provenance.gaps
    assert (gap.what, gap.why) == ("metrics denied", "Forbidden: no access to namespace")


# -- real botocore retries, answered before anything leaves the process ----------------


class _Body:
    def __init__(self) -> None:
        self.data = b""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _throttle(connector: CloudWatchConnector, first_n: int) -> None:
    assert connector.client is not None
    connector.client.meta.events.register_first("before-send.*.*", _throttle_first(first_n))


def _throttle_first(n: int) -> Any:
    attempts: list[str] = []

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(request.url)
        if len(attempts) > n:
            return None  # let moto answer
        # CloudWatch speaks rpc-v2-cbor; the query-compatible header carries the code.
        headers = {"x-amzn-query-error": "Throttling;Sender", "smithy-protocol": "rpc-v2-cbor"}
        return AWSResponse(request.url, 400, headers, _Body())

    return handler


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # botocore's backoff
    return slept


def test_botocore_retries_throttling_then_succeeds(no_sleep: list[float]) -> None:
    with mock_aws():
        connector = CloudWatchConnector(CloudWatchSettings(max_attempts=3))
        _throttle(connector, first_n=2)

        data, provenance = connector.fetch([], START, END)

    assert data.alarms == []
    assert provenance.gaps == []
    assert (provenance.requests, provenance.retries) == (3, 2)
    assert len(no_sleep) == 2  # backed off between attempts


def test_throttling_that_outlasts_retries_is_a_gap(no_sleep: list[float]) -> None:
    with mock_aws():
        connector = CloudWatchConnector(CloudWatchSettings(max_attempts=3))
        _throttle(connector, first_n=99)

        data, provenance = connector.fetch([_query()], START, END)

    assert data.alarms is None
    (alarms, metrics) = provenance.gaps
    assert (alarms.what, alarms.why) == ("alarms", "throttled after 3 attempt(s): Throttling")
    assert metrics.what == "metrics requests"
    assert provenance.requests == 6  # 3 attempts for each call, then it gave up


# -- no client at all --------------------------------------------------------------------


def test_no_credentials_is_one_gap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    connector = CloudWatchConnector(CloudWatchSettings(region="eu-west-1"))
    data, provenance = connector.fetch([_query()], START, END)

    assert (data.alarms, data.series) == (None, [])
    (gap,) = provenance.gaps
    assert gap.why == "no AWS credentials"
    assert provenance.requests == 0


def test_unknown_profile_is_a_gap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    connector = CloudWatchConnector(CloudWatchSettings(profile="prod-readonly"))
    data, provenance = connector.fetch([], START, END)

    assert connector.client is None
    assert data.alarms is None
    (gap,) = provenance.gaps
    assert "prod-readonly" in gap.why


# -- request checks and batching --------------------------------------------------------------


def test_caller_mistakes_raise(connector: CloudWatchConnector) -> None:
    with pytest.raises(ValueError, match="unique"):
        connector.fetch([_query("x"), _query("x", "other")], START, END)
    with pytest.raises(ValueError, match="timezone-aware"):
        connector.fetch([], START.replace(tzinfo=None), END)
    with pytest.raises(ValueError, match="before"):
        connector.fetch([], END, START)


def test_batches_hold_at_most_500_and_keep_services_whole() -> None:
    a = [_query(f"a{i}", "a") for i in range(300)]
    b = [_query(f"b{i}", "b") for i in range(150)]
    c = [_query(f"c{i}", "c") for i in range(100)]

    assert [len(call) for call in batches(a + b + c)] == [450, 100]
    assert [len(call) for call in batches(b + c)] == [250]
    assert [len(call) for call in batches([_query(f"d{i}", "d") for i in range(1001)])] == [
        500,
        500,
        1,
    ]
