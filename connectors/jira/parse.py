"""Turn Jira REST bodies (IssueBean, changelog histories, remote links) into our models.

Pure functions over plain dicts, identical for Cloud v3 and Server v2 except where noted:
the description (ADF vs wiki text), the epic (``parent`` vs the "Epic Link" field) and
user objects (``accountId`` vs ``name``), of which we keep only display names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from connectors.jira.adf import adf_to_text
from connectors.jira.fields import FieldMap
from connectors.jira.models import (
    IssueLink,
    JiraIssue,
    RemoteLink,
    Sprint,
    StatusCategory,
    StatusTransition,
)

Raw = dict[str, Any]
_DATETIME = TypeAdapter(datetime)
_CATEGORIES: frozenset[str] = frozenset({"new", "indeterminate", "done"})
_SPRINT_STATES = frozenset({"active", "closed", "future"})
# Server/DC (and older Cloud) send a sprint as the toString of a Java object:
# "com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,state=ACTIVE,name=...,goal=]"
_SPRINT_TEXT = re.compile(r"\[(?P<body>.*)\]\s*$", re.DOTALL)
_SPRINT_PAIR = re.compile(r",(?=[A-Za-z]+=)")


@dataclass(frozen=True)
class ParseContext:
    fields: FieldMap  # which custom field holds what on this site
    as_of: datetime  # time in the current status runs until here
    categories: dict[str, StatusCategory] = field(default_factory=dict)  # status id -> category


class _Change(NamedTuple):
    at: datetime
    from_id: str | None
    from_name: str | None
    to_id: str | None
    to_name: str
    by: str | None


# --- small accessors ----------------------------------------------------------


def _obj(value: object) -> Raw:
    return value if isinstance(value, dict) else {}


def _name(value: object) -> str | None:
    name = _obj(value).get("name")
    return str(name) if name is not None else None


def _person(value: object) -> str | None:
    name = _obj(value).get("displayName")
    return str(name) if name is not None else None


def _names(values: object) -> list[str]:
    return [n for v in values if (n := _name(v))] if isinstance(values, list) else []


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def category_of(status: object) -> StatusCategory | None:
    key = _obj(_obj(status).get("statusCategory")).get("key")
    return key if key in _CATEGORIES else None


def _is_epic_type(issue_type: object) -> bool:
    kind = _obj(issue_type)
    return kind.get("hierarchyLevel") == 1 or kind.get("name") == "Epic"


# --- status categories and changelog --------------------------------------------


def current_categories(issues: Iterable[Raw]) -> dict[str, StatusCategory]:
    """Status id -> category, from the statuses the issues are in now (no request needed)."""
    known: dict[str, StatusCategory] = {}
    for issue in issues:
        status = _obj(_obj(issue.get("fields")).get("status"))
        category = category_of(status)
        if status.get("id") is not None and category is not None:
            known[str(status["id"])] = category
    return known


def embedded_histories(issue: Raw) -> list[Raw]:
    """The changelog histories a search returned inside the issue (possibly cut short)."""
    histories = _obj(issue.get("changelog")).get("histories")
    return [h for h in histories if isinstance(h, dict)] if isinstance(histories, list) else []


def _is_status_item(item: Raw) -> bool:
    # Cloud sends fieldId; Server/DC only field + fieldtype.
    return item.get("fieldId") == "status" or (
        item.get("field") == "status" and item.get("fieldtype") == "jira"
    )


def status_ids_in(histories: Iterable[Raw]) -> set[str]:
    ids: set[str] = set()
    for history in histories:
        for item in _items(history):
            if _is_status_item(item):
                ids.update(str(v) for v in (item.get("from"), item.get("to")) if v is not None)
    return ids


def _items(history: Raw) -> list[Raw]:
    items = history.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _sort_key(history: Raw) -> tuple[str, int]:
    hid = str(history.get("id", ""))
    return (str(history.get("created", "")), int(hid) if hid.isdigit() else 0)


def _changes(histories: Iterable[Raw]) -> list[_Change]:
    changes: list[_Change] = []
    for history in sorted(histories, key=_sort_key):
        at = _DATETIME.validate_python(history.get("created"))  # ValueError if missing
        by = _person(history.get("author"))
        for item in _items(history):
            if _is_status_item(item) and item.get("toString"):
                changes.append(
                    _Change(
                        at,
                        _str_or_none(item.get("from")),
                        _str_or_none(item.get("fromString")),
                        _str_or_none(item.get("to")),
                        str(item["toString"]),
                        by,
                    )
                )
    return changes


def _str_or_none(value: object) -> str | None:
    return str(value) if value is not None else None


def reopen_count(changes: list[_Change], categories: dict[str, StatusCategory]) -> int:
    """Transitions out of a done-category status into one that is not done."""
    count = 0
    for change in changes:
        was = categories.get(change.from_id or "")
        now = categories.get(change.to_id or "")
        if was == "done" and now is not None and now != "done":
            count += 1
    return count


def time_in_status(
    created: datetime, current: str, changes: list[_Change], as_of: datetime
) -> dict[str, float]:
    """Seconds spent in each status, from creation until ``as_of``."""
    spent: dict[str, float] = {}
    status = (changes[0].from_name if changes else None) or current
    since = created
    for change in changes:
        _add(spent, status, since, change.at)
        status, since = change.to_name, change.at
    _add(spent, status, since, as_of)
    return spent


def _add(spent: dict[str, float], status: str, start: datetime, end: datetime) -> None:
    seconds = max(0.0, (end - start).total_seconds())  # clock skew never goes negative
    spent[status] = round(spent.get(status, 0.0) + seconds, 3)


# --- links ----------------------------------------------------------------------


def issue_links(values: object) -> list[IssueLink]:
    links: list[IssueLink] = []
    for value in values if isinstance(values, list) else []:
        link = _obj(value)
        kind = _obj(link.get("type"))
        direction = "inward" if "inwardIssue" in link else "outward"
        other = _obj(link.get(f"{direction}Issue"))
        key = other.get("key")
        if not key:
            continue
        links.append(
            IssueLink(
                type=str(kind.get("name", "")),
                direction=direction,
                relation=str(kind.get(direction, kind.get("name", ""))),
                key=str(key),
                project=str(key).rsplit("-", 1)[0],
                status=_name(_obj(other.get("fields")).get("status")),
            )
        )
    return links


def remote_links(values: Iterable[Raw]) -> list[RemoteLink]:
    links: list[RemoteLink] = []
    for value in values:
        target = _obj(_obj(value).get("object"))
        if not target.get("url"):
            continue
        links.append(
            RemoteLink(
                url=str(target["url"]),
                title=str(target.get("title") or target["url"]),
                application=_name(value.get("application")),
                relationship=_str_or_none(value.get("relationship")),
            )
        )
    return links


# --- the issue ------------------------------------------------------------------


# --- agile fields -------------------------------------------------------------------


def _when(value: object) -> datetime | None:
    if value in (None, "", "<null>"):
        return None
    try:
        return _DATETIME.validate_python(value)
    except ValidationError:
        return None


def _sprint(value: object) -> Sprint | None:
    if isinstance(value, str):
        match = _SPRINT_TEXT.search(value)
        if match is None:
            return None
        value = dict(pair.partition("=")[::2] for pair in _SPRINT_PAIR.split(match["body"]))
    if not isinstance(value, dict) or not value.get("name"):
        return None
    state = str(value.get("state") or "").lower()
    ident = str(value.get("id", ""))
    return Sprint(
        id=int(ident) if ident.isdigit() else None,
        name=str(value["name"]),
        state=state if state in _SPRINT_STATES else None,
        start=_when(value.get("startDate")),
        end=_when(value.get("endDate")),
        completed=_when(value.get("completeDate")),
    )


def sprints(value: object) -> list[Sprint]:
    """Sprint objects (Cloud) or their Java toString (Server/DC), in Jira's order."""
    items = value if isinstance(value, list) else []
    return [s for s in (_sprint(item) for item in items) if s is not None]


def team(value: object) -> str | None:
    """An Atlassian team object's name; an Advanced Roadmaps team id as text."""
    if isinstance(value, dict):
        name = value.get("name") or value.get("title")
        return str(name) if name else None
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def due_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def story_points(fields: Raw, ids: Iterable[str]) -> float | None:
    """The first story points field of the site that holds a number for this issue."""
    for field_id in ids:
        points = _number(fields.get(field_id))
        if points is not None:
            return points
    return None


def _epic_and_parent(fields: Raw, context: ParseContext) -> tuple[str | None, str | None]:
    parent = _obj(fields.get("parent"))
    parent_key = _str_or_none(parent.get("key"))
    link = context.fields.epic_link
    if link and fields.get(link):
        return str(fields[link]), parent_key
    # Cloud (company- and team-managed): an epic is the parent at hierarchy level 1.
    if parent_key and _is_epic_type(_obj(parent.get("fields")).get("issuetype")):
        return parent_key, parent_key
    return None, parent_key


def parse_issue(
    raw: Raw,
    context: ParseContext,
    histories: list[Raw] | None = None,
    remote: Iterable[Raw] | None = None,
) -> JiraIssue:
    """One IssueBean (with ``expand=changelog``) as a `JiraIssue`; ValueError if malformed.

    ``remote`` is the issue's remote-link list; None when it was not read.
    """
    fields = raw.get("fields")
    if not isinstance(fields, dict) or not raw.get("key") or raw.get("id") is None:
        raise ValueError("issue without key, id or fields")
    if histories is None:
        histories = embedded_histories(raw)
    status = _obj(fields.get("status"))
    current = str(status.get("name", ""))
    created = _DATETIME.validate_python(fields.get("created"))
    changes = _changes(histories)
    epic_key, parent_key = _epic_and_parent(fields, context)
    return JiraIssue(
        key=str(raw["key"]),
        id=str(raw["id"]),
        summary=str(fields.get("summary") or ""),
        issue_type=_name(fields.get("issuetype")) or "",
        status=current,
        status_category=category_of(status),
        priority=_name(fields.get("priority")),
        resolution=_name(fields.get("resolution")),
        story_points=story_points(fields, context.fields.story_points),
        due_date=due_date(fields.get(context.fields.due_date or "")),
        sprints=sprints(fields.get(context.fields.sprint or "")),
        team=team(fields.get(context.fields.team or "")),
        epic_key=epic_key,
        parent_key=parent_key,
        labels=[str(label) for label in fields.get("labels") or []],
        components=_names(fields.get("components")),
        assignee=_person(fields.get("assignee")),
        reporter=_person(fields.get("reporter")),
        created=created,
        updated=fields.get("updated") or created,
        resolved=fields.get("resolutiondate"),
        fix_versions=_names(fields.get("fixVersions")),
        description=adf_to_text(fields.get("description")),
        status_history=[
            StatusTransition(from_status=c.from_name, to_status=c.to_name, at=c.at, by=c.by)
            for c in changes
        ],
        reopen_count=reopen_count(changes, context.categories),
        time_in_status=time_in_status(created, current, changes, context.as_of),
        links=issue_links(fields.get("issuelinks")),
        remote_links=remote_links(remote) if remote is not None else None,
        is_epic=_is_epic_type(fields.get("issuetype")),
    )


SYSTEM_FIELDS = (
    "summary", "issuetype", "status", "priority", "resolution", "labels", "components",
    "assignee", "reporter", "created", "updated", "resolutiondate", "fixVersions",
    "description", "parent", "issuelinks",
)  # fmt: skip


def requested_fields(fields: FieldMap) -> list[str]:
    """Exactly the fields `parse_issue` reads, so search pages stay as small as possible."""
    return list(dict.fromkeys([*SYSTEM_FIELDS, *fields.ids()]))
