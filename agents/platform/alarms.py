"""alarm-active: CloudWatch alarms that are firing, or blind, right now.

``alarms is None`` means CloudWatch could not be read: that is a gap, never "no alarms".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.base import Outcome
from agents.models import Confidence, Finding
from agents.platform.evidence import Links
from agents.platform.findings import ALARM_ACTIVE, Findings
from agents.platform.policy import AlarmsPolicy
from connectors.cloudwatch.models import Alarm, CloudWatchData
from connectors.provenance import Gap

__all__ = ["alarm_findings"]

_ADVICE = {
    "ALARM": (
        "Do not deploy into an active alarm: resolve it, or have the on-call explain "
        "it, first; a deploy now hides whether the release made things worse."
    ),
    "INSUFFICIENT_DATA": (
        "The alarm cannot see its metric (no datapoints: a renamed metric "
        "or dimension, a broken exporter, or no traffic). Fix it before "
        "deploying, or the release ships without this guard."
    ),
}


def _finding(alarm: Alarm, policy: AlarmsPolicy, findings: Findings, links: Links) -> Finding:
    firing = alarm.state == "ALARM"
    metric = (
        f"{alarm.namespace}/{alarm.metric_name}"
        if alarm.metric_name
        else alarm.expression or alarm.rule or "composite"
    )
    since = f"{alarm.state_updated_at:%Y-%m-%d %H:%M} UTC"
    return findings.new(
        ALARM_ACTIVE,
        (alarm.arn or alarm.name,),
        severity=policy.alarm_severity if firing else policy.insufficient_data_severity,
        confidence=Confidence.HIGH,
        title=f"Alarm {alarm.name} is {alarm.state}",
        explanation=(
            f"{alarm.name} ({alarm.kind} alarm on {metric}) has been {alarm.state} "
            f"since {since}: {alarm.state_reason or 'no reason given'}"
        ),
        evidence=[links.alarm(alarm, f"{alarm.state} since {since}")],
        recommendation=_ADVICE[alarm.state],
    )


def alarm_findings(
    cloudwatch: CloudWatchData | None, policy: AlarmsPolicy, findings: Findings, links: Links
) -> Outcome:
    out = Outcome()
    if cloudwatch is None:
        return out  # the missing source is already a coverage gap
    if cloudwatch.alarms is None:
        out.gaps.append(
            Gap(
                source="cloudwatch",
                what="alarm states",
                why="DescribeAlarms could not be read: active alarms are unknown",
            )
        )
        return out
    ignored = [re.compile(p) for p in policy.ignore]
    alarms: Sequence[Alarm] = [
        a for a in cloudwatch.alarms if not any(p.search(a.name) for p in ignored)
    ]
    for alarm in alarms:
        out.counts[f"alarms_{alarm.state.lower()}"] += 1
        if alarm.state in _ADVICE:
            out.findings.append(_finding(alarm, policy, findings, links))
    return out
