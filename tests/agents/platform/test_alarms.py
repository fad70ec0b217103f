"""alarm-active: firing and blind alarms; unreadable alarms are a gap, never 'none'."""

from __future__ import annotations

from agents.models import EvidenceKind, Severity
from tests.agents.platform.factories import alarm, cloudwatch, of, run, snapshot


def test_alarm_and_insufficient_data_are_findings() -> None:
    alarms = [alarm("payments-api-5xx", "ALARM", reason="Threshold Crossed: 3 datapoints > 10"),
              alarm("payments-api-latency", "INSUFFICIENT_DATA"),
              alarm("payments-db-cpu", "OK")]
    report = run(snapshot(cloud=cloudwatch(alarms)))
    found = {f.title: f for f in of(report, "alarm-active")}
    assert set(found) == {"Alarm payments-api-5xx is ALARM",
                          "Alarm payments-api-latency is INSUFFICIENT_DATA"}
    firing = found["Alarm payments-api-5xx is ALARM"]
    assert firing.severity is Severity.HIGH and "3 datapoints > 10" in firing.explanation
    assert firing.evidence[0].kind is EvidenceKind.ALARM
    assert firing.evidence[0].url == ("https://eu-west-1.console.aws.amazon.com/cloudwatch/home"
                                      "?region=eu-west-1#alarmsV2:alarm/payments-api-5xx")
    assert found["Alarm payments-api-latency is INSUFFICIENT_DATA"].severity is Severity.MEDIUM
    assert report.metrics["alarms_ok"] == 1 and report.metrics["alarms_alarm"] == 1


def test_quiet_alarms_are_not_findings() -> None:
    report = run(snapshot(cloud=cloudwatch([alarm(state="OK")])))
    assert not of(report, "alarm-active")
    assert not any(g.what == "alarm states" for g in report.gaps)


def test_unreadable_alarms_are_a_gap_not_all_clear() -> None:
    report = run(snapshot(cloud=cloudwatch(alarms=None)))
    assert not of(report, "alarm-active")
    assert any(g.source == "cloudwatch" and g.what == "alarm states" for g in report.gaps)
    assert report.status == "partial"


def test_ignored_alarms_and_configured_severity() -> None:
    alarms = [alarm("TargetTracking-table/orders-AlarmHigh-1", "ALARM"),
              alarm("payments-api-5xx", "ALARM")]
    report = run(snapshot(cloud=cloudwatch(alarms)), {"alarms": {"alarm_severity": "critical"}})
    assert [(f.title, f.severity) for f in of(report, "alarm-active")] == [
        ("Alarm payments-api-5xx is ALARM", Severity.CRITICAL)]


def test_alarm_reason_is_redacted() -> None:
    leaky = alarm("payments-api-5xx", "ALARM",
                  reason="token ghp_abcdefghijklmnopqrstuvwxyz0123456789 in the log line")
    report = run(snapshot(cloud=cloudwatch([leaky])))
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in report.model_dump_json()
