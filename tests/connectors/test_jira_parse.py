"""Without HTTP: ADF flattening, status history arithmetic, malformed beans, concurrency."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.jira import JiraSettings
from connectors.jira.adf import adf_to_text
from connectors.jira.fields import FieldMap
from connectors.jira.http import Fault
from connectors.jira.parse import SYSTEM_FIELDS, ParseContext, parse_issue, requested_fields
from connectors.jira.release import ReleaseRun

NOW = datetime(2024, 6, 1, tzinfo=UTC)
FIELDS = FieldMap(story_points=("customfield_10016",), sprint="customfield_10020",
                  team="customfield_10001")
CONTEXT = ParseContext(FIELDS, NOW, {"1": "new", "3": "indeterminate", "5": "done"})


def bean(histories: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    base = {
        "summary": "s",
        "issuetype": {"name": "Task"},
        "status": {"id": "3", "name": "Doing", "statusCategory": {"key": "indeterminate"}},
        "created": "2024-05-31T00:00:00.000+0000",
        "updated": "2024-05-31T00:00:00.000+0000",
    }
    return {
        "id": "1",
        "key": "X-1",
        "fields": base | fields,
        "changelog": {"histories": histories or []},
    }


def move(hid: str, at: str, frm: tuple[str, str], to: tuple[str, str]) -> dict[str, Any]:
    item = {
        "field": "status",
        "fieldtype": "jira",
        "from": frm[0],
        "fromString": frm[1],
        "to": to[0],
        "toString": to[1],
    }
    return {"id": hid, "created": at, "items": [item]}  # no author: automation


def node(kind: str, *content: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    built: dict[str, Any] = {"type": kind}
    if attrs:
        built["attrs"] = attrs
    if content:
        built["content"] = list(content)
    return built


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def para(*inline: dict[str, Any]) -> dict[str, Any]:
    return node("paragraph", *inline)


def test_adf_inline_nodes_and_nesting() -> None:
    doc = node(
        "doc",
        node(
            "orderedList",
            node(
                "listItem",
                para(
                    node("emoji", shortName=":warning:", text="⚠️"),
                    text(" see "),
                    node("inlineCard", url="https://x.example/1"),
                    node("hardBreak"),
                    text("due "),
                    node("date", timestamp="1717200000000"),
                ),
                node("bulletList", node("listItem", para(text("nested")))),
            ),
            order=3,
        ),
        node(
            "taskList",
            node("taskItem", text("ship"), state="DONE"),
            node("taskItem", text("tell"), state="TODO"),
        ),
        node("panel", para(node("status", text="BLOCKED")), panelType="warning"),
        node("blockquote", para(text("q"))),
        node("rule"),
        node("mediaSingle", node("media", id="abc")),
        node("futureNode", text("still text")),  # unknown types fall back to their text
    ) | {"version": 1}
    assert adf_to_text(doc) == (
        "3. ⚠️ see https://x.example/1\ndue 2024-06-01\n"
        "  - nested\n"
        "\n"
        "- [x] ship\n"
        "- [ ] tell\n"
        "\n"
        "BLOCKED\n"
        "\n"
        "> q\n"
        "\n"
        "---\n"
        "\n"
        "still text"
    )


@pytest.mark.parametrize("value", [None, "", 42, [], {"type": "doc"}])
def test_adf_of_nothing_is_empty(value: object) -> None:
    assert adf_to_text(value) == ""


def test_server_wiki_text_passes_through() -> None:
    assert adf_to_text("  h1. Title\n* a  ") == "h1. Title\n* a"


def test_no_history_means_all_time_in_the_current_status() -> None:
    issue = parse_issue(bean(), CONTEXT)
    assert issue.time_in_status == {"Doing": 86_400.0}
    assert (issue.status_history, issue.reopen_count) == ([], 0)


def test_histories_are_ordered_and_authorless_changes_kept() -> None:
    histories = [
        move("12", "2024-05-31T12:00:00.000+0000", ("5", "Done"), ("3", "Doing")),
        move("11", "2024-05-31T06:00:00.000+0000", ("1", "Open"), ("5", "Done")),
    ]
    issue = parse_issue(bean(histories), CONTEXT)
    assert [(t.from_status, t.to_status, t.by) for t in issue.status_history] == [
        ("Open", "Done", None),
        ("Done", "Doing", None),
    ]
    assert issue.reopen_count == 1
    assert issue.time_in_status == {"Open": 21_600.0, "Done": 21_600.0, "Doing": 43_200.0}


def test_unknown_categories_never_count_as_reopens() -> None:
    histories = [move("1", "2024-05-31T06:00:00.000+0000", ("9", "Gone"), ("3", "Doing"))]
    assert parse_issue(bean(histories), CONTEXT).reopen_count == 0


def test_a_missing_status_category_is_none_not_a_guess() -> None:
    issue = parse_issue(
        bean(status={"id": "7", "name": "Triage", "statusCategory": {"key": "undefined"}}), CONTEXT
    )
    assert issue.status_category is None


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "1", "key": "X-1"},
        {"key": "X-1", "fields": {}},
        bean(created=None),
        bean([{"id": "1", "items": []}]),  # history without a date
    ],
)
def test_malformed_beans_raise_value_error(raw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_issue(raw, CONTEXT)


def test_story_points_ignore_non_numbers() -> None:
    assert parse_issue(bean(customfield_10016="5"), CONTEXT).story_points is None
    assert parse_issue(bean(customfield_10016=True), CONTEXT).story_points is None
    assert parse_issue(bean(customfield_10016=3), CONTEXT).story_points == 3.0


def test_requested_fields_are_exactly_what_parsing_reads() -> None:
    assert requested_fields(FIELDS) == [*SYSTEM_FIELDS, "customfield_10016",
                                        "customfield_10020", "customfield_10001", "duedate"]
    server = FieldMap(story_points=("customfield_10106", "customfield_10002"),
                      epic_link="customfield_10101", due_date=None)
    assert requested_fields(server)[-3:] == [
        "customfield_10106",
        "customfield_10002",
        "customfield_10101",
    ]


class SlowHttp:
    """A stand-in for JiraHttp that records how many calls overlap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def get(self, path: str, params: Any = None, *, expect: type = dict) -> Any:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.05)
        with self.lock:
            self.active -= 1
        if path == "issue/X-3/remotelink":
            raise Fault(403, "HTTP 403 forbidden")
        return [{"object": {"url": f"https://git.example/{path}", "title": "PR"}}]


def test_remote_links_are_fetched_concurrently_and_faults_stay_values() -> None:
    settings = JiraSettings(
        url="https://acme.atlassian.net", email="a@b.c", api_token="t", workers=4
    )
    http = SlowHttp()
    run = ReleaseRun(http, settings, FIELDS, "X", NOW)  # type: ignore[arg-type]
    links = run.remote_links(["X-1", "X-2", "X-3", "X-4"])
    assert http.peak > 1  # really in parallel
    assert sorted(links) == ["X-1", "X-2", "X-4"]
    assert links["X-2"][0]["object"]["url"] == "https://git.example/issue/X-2/remotelink"
    assert [(g.what, g.why) for g in run.gaps] == [("remote links of X-3", "HTTP 403 forbidden")]


def keyed(key: str, status: dict[str, Any]) -> dict[str, Any]:
    return {**bean(status=status), "key": key}


def test_remote_link_targets_are_the_done_issues_no_code_names() -> None:
    settings = JiraSettings(url="https://acme.atlassian.net", email="a@b.c", api_token="t")
    run = ReleaseRun(SlowHttp(), settings, FIELDS, "X", NOW)  # type: ignore[arg-type]
    done = {"id": "5", "name": "Done", "statusCategory": {"key": "done"}}
    custom = {"id": "9", "name": "Shipped"}  # no category: it may be done, so it is read
    raw = [keyed("X-1", done), keyed("X-2", done), keyed("X-3", custom),
           keyed("X-4", {"id": "1", "name": "To Do", "statusCategory": {"key": "new"}})]
    assert run.link_targets(raw, lambda: frozenset({"X-1"})) == ["X-2", "X-3"]
    assert run.links_skipped == {"named by the release's code": 1, "not done": 1}
    assert run.link_targets(raw, lambda: None) == ["X-1", "X-2", "X-3", "X-4"]
    assert run.links_skipped == {}
    assert run.link_targets(raw, None) == ["X-1", "X-2", "X-3", "X-4"]
