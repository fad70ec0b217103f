"""Read alarms, their recent history and metric series from CloudWatch, read-only.

Every call goes through a boto3 client guarded by ``guard_boto3_client``: operations
not named Get*/Describe*/List* are refused before they are signed. botocore retries
throttling and 5xx itself (``settings.client_config()``); what still fails becomes a
``Gap``, never an exception and never an empty list that looks like "nothing there".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from connectors.cloudwatch.failures import classify
from connectors.cloudwatch.models import Alarm, CloudWatchData, MetricQuery, MetricSeries
from connectors.cloudwatch.parse import composite_alarm, metric_alarm, transitions
from connectors.cloudwatch.queries import Collected, batches, collect, metric_data_query
from connectors.cloudwatch.settings import CloudWatchSettings
from connectors.provenance import Gap, RequestStats, SourceProvenance
from connectors.transport import guard_boto3_client

SOURCE = "cloudwatch"
PAGE_SIZE = 100  # DescribeAlarms / DescribeAlarmHistory maximum MaxRecords
ALARM_TYPES = ["MetricAlarm", "CompositeAlarm"]
_AWS_ERRORS = (BotoCoreError, ClientError)


class _Run:
    """Gaps of one fetch; after a credential failure every later call is skipped."""

    def __init__(self) -> None:
        self.gaps: list[Gap] = []
        self.stopped = False

    def fail(self, what: str, exc: BotoCoreError | ClientError, note: str = "") -> None:
        failure = classify(exc)
        if failure.fatal:
            self.stopped = True
            what = "all CloudWatch data (alarms, alarm history, metrics)"
        self.gaps.append(Gap(source=SOURCE, what=what, why=failure.why + note))

    def gap(self, what: str, why: str) -> None:
        self.gaps.append(Gap(source=SOURCE, what=what, why=why))


class CloudWatchConnector:
    def __init__(
        self, settings: CloudWatchSettings, *, session: boto3.Session | None = None
    ) -> None:
        self.settings = settings
        self.stats = RequestStats()
        self.client: Any | None = None  # the guarded client; None when it cannot be built
        self._setup_error: BotoCoreError | None = None
        try:
            session = session or boto3.Session(profile_name=settings.profile)
            client = session.client(
                "cloudwatch", region_name=settings.region, config=settings.client_config()
            )
            self.client = guard_boto3_client(client, SOURCE, self.stats)
        except BotoCoreError as exc:  # unknown profile, no region
            self._setup_error = exc

    @property
    def region(self) -> str:
        if self.client is not None:
            return str(self.client.meta.region_name)
        return self.settings.region or "unknown"

    def fetch(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime
    ) -> tuple[CloudWatchData, SourceProvenance]:
        _check_request(queries, start, end)
        before = (self.stats.requests, self.stats.retries)
        run = _Run()
        if self._setup_error is not None:
            run.fail("CloudWatch client", self._setup_error)
            run.stopped = True  # without a client there is nothing more to try
        data = CloudWatchData(
            region=self.region,
            window_start=start,
            window_end=end,
            alarms=self._alarms(run, end),
            series=self._series(run, queries, start, end),
        )
        provenance = SourceProvenance(
            source=SOURCE,
            asked=self._asked(queries, start, end),
            requests=self.stats.requests - before[0],
            retries=self.stats.retries - before[1],
            gaps=run.gaps,
        )
        return data, provenance

    def _asked(
        self, queries: Sequence[MetricQuery], start: datetime, end: datetime
    ) -> dict[str, Any]:
        return {
            "region": self.region,
            "alarm_name_prefix": self.settings.alarm_name_prefix,
            "history_window_s": self.settings.history_window.total_seconds(),
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "queries": [q.id for q in queries],
        }

    # -- paging -----------------------------------------------------------------

    def _pages(
        self, run: _Run, operation: str, what: str, **params: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        """All pages of ``operation`` and whether they all arrived."""
        pages: list[dict[str, Any]] = []
        if run.stopped or self.client is None:
            return pages, False
        try:
            for page in self.client.get_paginator(operation).paginate(**params):
                self._count_retries(page)
                pages.append(page)
        except _AWS_ERRORS as exc:
            if isinstance(exc, ClientError):
                self._count_retries(exc.response)
            run.fail(what, exc, f"; incomplete after {len(pages)} page(s)" if pages else "")
            return pages, False
        return pages, True

    def _count_retries(self, response: dict[str, Any]) -> None:
        # botocore retries inside the call; its sleeps are not visible here, only the count.
        for _ in range(int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0))):
            self.stats.record_retry(0.0, rate_limited=False)

    # -- alarms -----------------------------------------------------------------

    def _alarms(self, run: _Run, end: datetime) -> list[Alarm] | None:
        params: dict[str, Any] = {
            "AlarmTypes": ALARM_TYPES,
            "PaginationConfig": {"PageSize": PAGE_SIZE},
        }
        if self.settings.alarm_name_prefix:
            params["AlarmNamePrefix"] = self.settings.alarm_name_prefix
        pages, complete = self._pages(run, "describe_alarms", "alarms", **params)
        if not pages and not complete:
            return None  # unknown, not "no alarms"
        alarms = _parse_alarms(pages, run)
        since = end - self.settings.history_window
        return [self._with_history(run, alarm, since, end) for alarm in alarms]

    def _with_history(self, run: _Run, alarm: Alarm, since: datetime, end: datetime) -> Alarm:
        if alarm.state != "ALARM" and alarm.state_updated_at < since:
            return alarm.model_copy(update={"history": []})  # no update in the window
        what = f"history of alarm {alarm.name}"
        pages, complete = self._pages(
            run,
            "describe_alarm_history",
            what,
            AlarmName=alarm.name,
            AlarmTypes=ALARM_TYPES,
            HistoryItemType="StateUpdate",
            StartDate=since,
            EndDate=end,
            ScanBy="TimestampAscending",
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        if not complete:
            return alarm
        items = (i for page in pages for i in page.get("AlarmHistoryItems", []))
        history, unreadable = transitions(items)
        if unreadable:
            run.gap(what, f"{unreadable} history item(s) without a readable state change")
        return alarm.model_copy(update={"history": history})

    # -- metrics ----------------------------------------------------------------

    def _series(
        self, run: _Run, queries: Sequence[MetricQuery], start: datetime, end: datetime
    ) -> list[MetricSeries]:
        series: list[MetricSeries] = []
        for batch in batches(queries):
            series += self._metric_batch(run, batch, start, end)
        return series

    def _metric_batch(
        self, run: _Run, batch: list[MetricQuery], start: datetime, end: datetime
    ) -> list[MetricSeries]:
        wanted = [q for q in batch if q.return_data]
        if not wanted:
            return []
        pages, complete = self._pages(
            run,
            "get_metric_data",
            _metrics_named([q.id for q in wanted]),
            MetricDataQueries=[metric_data_query(q) for q in batch],
            StartTime=start,
            EndTime=end,
            ScanBy="TimestampAscending",
        )
        results = collect(pages)
        series = []
        for query in wanted:
            found = results.get(query.id)
            if found is None:
                if complete:
                    run.gap(_metrics_named([query.id]), "GetMetricData returned no result for it")
                continue
            made = _series_from(query, found, complete, run)
            if made is not None:
                series.append(made)
        return series


def _parse_alarms(pages: list[dict[str, Any]], run: _Run) -> list[Alarm]:
    alarms: list[Alarm] = []
    for key, parse in (("MetricAlarms", metric_alarm), ("CompositeAlarms", composite_alarm)):
        for item in (item for page in pages for item in page.get(key, [])):
            try:
                alarms.append(parse(item))
            except (KeyError, ValidationError) as exc:  # a field AWS should always send
                run.gap(f"alarm {item.get('AlarmName', '?')}", f"unreadable: {exc!r:.200}")
    return alarms


def _series_from(
    query: MetricQuery, found: Collected, complete: bool, run: _Run
) -> MetricSeries | None:
    if found.status not in ("Complete", "PartialData"):
        detail = "; ".join(m for m in found.messages if m)
        run.gap(_metrics_named([query.id]), f"{found.status}{': ' + detail if detail else ''}")
        return None
    timestamps, values = found.ordered()
    return MetricSeries(
        query_id=query.id,
        service=query.service,
        label=query.label or query.id,
        timestamps=timestamps,
        values=values,
        status="Complete" if complete and found.status == "Complete" else "PartialData",
    )


def _metrics_named(ids: list[str], shown: int = 10) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"metrics {', '.join(ids[:shown])}{more}"


def _check_request(queries: Sequence[MetricQuery], start: datetime, end: datetime) -> None:
    """Caller mistakes are errors, not gaps: they would fail the same way every run."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if start >= end:
        raise ValueError("start must be before end")
    duplicates = [i for i, n in Counter(q.id for q in queries).items() if n > 1]
    if duplicates:
        raise ValueError(f"query ids must be unique: {', '.join(sorted(duplicates))}")
