"""Write ``cassettes/jira/*.yaml`` in the shapes Jira Cloud (v3) and Server/DC (v2) return.

Bodies follow the components of Atlassian's OpenAPI description (IssueBean, Version,
PageBeanChangelog, RemoteIssueLink, StatusDetails…) and, for ``/rest/api/3/search/jql``
(newer than the spec), Atlassian's current documentation (SearchAndReconcileResults).
``tests/contract/test_jira_contract.py`` validates every 2xx body; if it fails, fix the
fixture here, never the validator. Also holds the YAML helpers the Confluence
generator reuses.

    .venv/bin/python scripts/make_jira_cassettes.py
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent / "cassettes"
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
}

# -- vcrpy's format, written readably ----------------------------------------------------


def interaction(
    method: str,
    uri: str,
    status: int,
    body: Any,
    *,
    request_headers: dict[str, str],
    response_headers: dict[str, str],
    request_body: Any = None,
    compact: bool = False,
) -> dict[str, Any]:
    """One vcrpy interaction; dict/list bodies become JSON, strings are kept verbatim."""
    indent = None if compact else 2  # compact for bulky filler, as the wire sends it
    text = body if isinstance(body, str) else json.dumps(body, indent=indent, ensure_ascii=False)
    return {
        "request": {
            "body": None if request_body is None else json.dumps(request_body),
            "headers": {k: [v] for k, v in request_headers.items()},
            "method": method,
            "uri": uri,
        },
        "response": {
            "status": {"code": status, "message": REASONS[status]},
            "headers": {k: [v] for k, v in response_headers.items()},
            "body": {"string": text},
        },
    }


def request_id(seed: str) -> str:
    """Stable ids, so regenerating a cassette changes nothing."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None  # JSON bodies as readable blocks
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def write(service: str, name: str, interactions: list[dict[str, Any]]) -> Path:
    path = ROOT / service / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "interactions": interactions}
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text)
    return path


# -- what the `jira` client sends (never an Authorization header) ---------------------------

JIRA_REQUEST_HEADERS = {
    "User-Agent": "python-requests/2.34.2",
    "Accept-Encoding": "gzip, deflate",
    "Accept": "application/json,*/*;q=0.9",
    "Connection": "keep-alive",
    "Cache-Control": "no-cache",
    "Content-Type": "application/json",
    "X-Atlassian-Token": "no-check",
}


class Site:
    """A Jira site: Cloud (v3, AtlassianEdge) or Server/DC (v2, Tomcat)."""

    def __init__(self, base: str, cloud: bool) -> None:
        self.base = base
        self.cloud = cloud
        self.api = f"{base}/rest/api/{3 if cloud else 2}"
        self.counter = 0

    def headers(
        self, status: int, seed: str, extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        self.counter += 1
        common = {
            "Content-Type": "application/json;charset=UTF-8",
            "Date": "Sat, 01 Jun 2024 00:00:00 GMT",
            "Cache-Control": "no-cache, no-store, no-transform",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if self.cloud:
            common |= {
                "Server": "AtlassianEdge",
                "X-AREQUESTID": request_id(f"{seed}-{self.counter}"),
                "atl-traceid": request_id(f"trace-{seed}-{self.counter}").replace("-", ""),
                "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
            }
        else:
            common |= {
                "X-AREQUESTID": f"1440x{4100 + self.counter}x1",
                "X-ASESSIONID": "1b7k9x2",
                "X-AUSERNAME": "svc-release-advisor",
                "X-Seraph-LoginReason": "OK" if status < 400 else "AUTHENTICATED_FAILED",
            }
        return common | (extra or {})

    def server_info(self, seed: str, *, status: int = 200, body: Any = None,
                    headers: dict[str, str] | None = None,
                    site_url: str | None = None) -> dict[str, Any]:
        """``GET /rest/api/2/serverInfo`` (v2 on Cloud too): what the connector asks first.
        ``site_url``: the site's own URL where it is reached through another (the gateway)."""
        if body is None:
            url = site_url or self.base
            body = dict(CLOUD_SERVER_INFO if self.cloud else SERVER_SERVER_INFO, baseUrl=url)
            if self.cloud:
                body.update(displayUrl=url, displayUrlServicedeskHelpCenter=url)
        return interaction(
            "GET",
            f"{self.base}/rest/api/2/serverInfo",
            status,
            body,
            request_headers=JIRA_REQUEST_HEADERS,
            response_headers=self.headers(status, seed, headers),
        )

    def call(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        *,
        seed: str,
        request_body: Any = None,
        headers: dict[str, str] | None = None,
        compact: bool = False,
    ) -> dict[str, Any]:
        return interaction(
            method,
            f"{self.api}/{path}",
            status,
            body,
            request_headers=JIRA_REQUEST_HEADERS,
            response_headers=self.headers(status, seed, headers),
            request_body=request_body,
            compact=compact,
        )


# -- entity builders -------------------------------------------------------------------------

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


def category(site: Site, key: str) -> dict[str, Any]:
    value = CATEGORIES[key]
    return {"self": f"{site.api}/statuscategory/{value['id']}", **value}


def status(site: Site, sid: str, name: str, cat: str) -> dict[str, Any]:
    return {
        "self": f"{site.api}/status/{sid}",
        "description": "",
        "iconUrl": f"{site.base}/images/icons/statuses/generic.png"
        if not site.cloud
        else f"{site.base}/",
        "name": name,
        "id": sid,
        "statusCategory": category(site, cat),
    }


def user(site: Site, name: str, handle: str) -> dict[str, Any]:
    avatar = "https://secure.gravatar.com/avatar/" + uuid.uuid5(uuid.NAMESPACE_DNS, handle).hex
    avatars = {size: f"{avatar}?d=mm&s={size[:2]}" for size in ("48x48", "24x24", "16x16", "32x32")}
    if site.cloud:
        account = {"mia": "5b10a2844c20165700ede21g", "ravi": "5b10ac8d82e05b22cc7d4ef5"}[handle]
        return {
            "self": f"{site.api}/user?accountId={account}",
            "accountId": account,
            "avatarUrls": avatars,
            "displayName": name,
            "active": True,
            "timeZone": "Europe/Berlin",
            "accountType": "atlassian",
        }
    return {
        "self": f"{site.api}/user?username={handle}",
        "name": handle,
        "key": f"JIRAUSER{10100 + len(handle)}",
        "emailAddress": f"{handle}@acme.example",
        "avatarUrls": avatars,
        "displayName": name,
        "active": True,
        "timeZone": "Europe/Berlin",
    }


def issue_type(site: Site, name: str) -> dict[str, Any]:
    ids = {
        "Epic": ("10000", 1, 10307),
        "Story": ("10001", 0, 10315),
        "Bug": ("10004", 0, 10303),
        "Task": ("10002", 0, 10318),
        "Subtask": ("10003", -1, 10316),
        "Sub-task": ("5", -1, 10316),
    }
    tid, level, avatar = ids[name]
    value: dict[str, Any] = {
        "self": f"{site.api}/issuetype/{tid}",
        "id": tid,
        "description": f"{name} issue type.",
        "iconUrl": f"{site.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{avatar}"
        "?size=medium",
        "name": name,
        "subtask": level < 0,
        "avatarId": avatar,
    }
    if site.cloud:
        value["hierarchyLevel"] = level  # Server/DC issue types have no hierarchy level
    return value


def priority(site: Site, name: str) -> dict[str, Any]:
    pid = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4"}[name]
    return {
        "self": f"{site.api}/priority/{pid}",
        "iconUrl": f"{site.base}/images/icons/priorities/{name.lower()}.svg",
        "name": name,
        "id": pid,
    }


def resolution(site: Site) -> dict[str, Any]:
    return {
        "self": f"{site.api}/resolution/10000",
        "id": "10000",
        "description": "Work has been completed on this issue.",
        "name": "Done",
    }


def component(site: Site, cid: str, name: str) -> dict[str, Any]:
    return {"self": f"{site.api}/component/{cid}", "id": cid, "name": name}


def version(
    site: Site,
    vid: str,
    name: str,
    released: bool,
    when: str | None,
    *,
    archived: bool = False,
    project_id: int = 10000,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "self": f"{site.api}/version/{vid}",
        "id": vid,
        "description": "",
        "name": name,
        "archived": archived,
        "released": released,
    }
    if when:
        value["releaseDate"] = when
        stamp = datetime.fromisoformat(when)
        value["userReleaseDate"] = stamp.strftime("%d/%b/%y").lstrip("0")
    value["overdue"] = False if released or not when else when < "2024-06-01"
    value["projectId"] = project_id
    return value


def fix_version_ref(full: dict[str, Any]) -> dict[str, Any]:
    """Fix versions inside an issue carry fewer fields than the project's version list."""
    keep = ("self", "id", "description", "name", "archived", "released", "releaseDate")
    return {k: full[k] for k in keep if k in full}


def linked(
    site: Site,
    iid: str,
    key: str,
    summary: str,
    st: dict[str, Any],
    kind: str,
    prio: str = "Medium",
) -> dict[str, Any]:
    return {
        "id": iid,
        "key": key,
        "self": f"{site.api}/issue/{iid}",
        "fields": {
            "summary": summary,
            "status": st,
            "priority": priority(site, prio),
            "issuetype": issue_type(site, kind),
        },
    }


def history(
    site: Site, hid: int, who: dict[str, Any], at: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"id": str(hid), "author": who, "created": at, "items": items}


def status_change(site: Site, frm: dict[str, Any], to: dict[str, Any]) -> dict[str, Any]:
    item = {
        "field": "status",
        "fieldtype": "jira",
        "from": frm["id"],
        "fromString": frm["name"],
        "to": to["id"],
        "toString": to["name"],
    }
    return {**item, "fieldId": "status"} if site.cloud else item


def priority_change(site: Site, frm: str, to: str) -> dict[str, Any]:
    a, b = priority(site, frm), priority(site, to)
    item = {
        "field": "priority",
        "fieldtype": "jira",
        "from": a["id"],
        "fromString": frm,
        "to": b["id"],
        "toString": to,
    }
    return {**item, "fieldId": "priority"} if site.cloud else item


def issue_bean(
    site: Site,
    iid: str,
    key: str,
    fields: dict[str, Any],
    histories: list[dict[str, Any]],
    total: int | None = None,
) -> dict[str, Any]:
    expand = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
    total = len(histories) if total is None else total
    return {
        "expand": expand
        if site.cloud
        else "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": iid,
        "self": f"{site.api}/issue/{iid}",
        "key": key,
        # Complete changelogs report maxResults = their size; cut ones the page cap.
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories) if total == len(histories) else 100,
            "total": total,
            "histories": histories,
        },
        "fields": fields,
    }


def remote_link(
    site: Site,
    key: str,
    lid: int,
    url: str,
    title: str,
    app: tuple[str, str],
    relationship: str,
    resolved: bool,
    summary: str | None = None,
) -> dict[str, Any]:
    target: dict[str, Any] = {
        "url": url,
        "title": title,
        "icon": {"url16x16": "https://github.com/favicon.ico", "title": app[1]},
        "status": {"resolved": resolved, "icon": {}},
    }
    if summary:
        target["summary"] = summary
    return {
        "id": lid,
        "self": f"{site.api}/issue/{key}/remotelink/{lid}",
        "globalId": f"system={url}",
        "application": {"type": app[0], "name": app[1]},
        "relationship": relationship,
        "object": target,
    }


def adf(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def para(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def cell(kind: str, *inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "attrs": {}, "content": [para(*inline)]}


# -- what kind of site: serverInfo (the Cloud and Server answers Atlassian documents) ------

CLOUD_SERVER_INFO = {
    "baseUrl": "https://acme.atlassian.net",
    "displayUrl": "https://acme.atlassian.net",
    "displayUrlServicedeskHelpCenter": "https://acme.atlassian.net",
    "version": "1001.0.0-SNAPSHOT",
    "versionNumbers": [1001, 0, 0],
    "deploymentType": "Cloud",
    "buildNumber": 100273,
    "buildDate": "2024-05-30T04:12:58.000+0000",
    "serverTime": "2024-06-01T00:00:00.000+0000",
    "scmInfo": "3e9a1f3a8e66f0fc5e4bd3c9b1f0a7d3c0e8f2a1",
    "serverTitle": "Jira",
}
SERVER_SERVER_INFO = {
    "baseUrl": "https://jira.acme.example/jira",
    "version": "9.12.8",
    "versionNumbers": [9, 12, 8],
    "deploymentType": "Server",
    "buildNumber": 9120008,
    "buildDate": "2024-04-17T00:00:00.000+0200",
    "databaseBuildNumber": 9120008,
    "serverTime": "2024-06-01T02:00:00.000+0200",
    "scmInfo": "4f6c7e0a2ad6c8ba2f0b7c5f7b3d5c4b8a4c6e1d",
    "serverTitle": "Acme Jira",
}


# -- which fields the sites have: /field (FieldDetails on Cloud, FieldBean on Server) ---------


def field(fid: str, name: str, schema: dict[str, Any], *, clause: str | None = None,
          cloud: bool = True) -> dict[str, Any]:
    custom = fid.startswith("customfield_")
    clauses = [f"cf[{fid.rsplit('_', 1)[1]}]", name] if custom else [clause or fid]
    value: dict[str, Any] = {"id": fid, "name": name, "custom": custom, "orderable": True,
                             "navigable": True, "searchable": True, "clauseNames": clauses,
                             "schema": schema}
    if cloud:
        value = {"id": fid, "key": fid, **{k: v for k, v in value.items() if k != "id"}}
    return value


def custom(kind: str, cid: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "custom": kind, "customId": int(cid), **extra}


def system_fields(cloud: bool) -> list[dict[str, Any]]:
    return [
        field("summary", "Summary", {"type": "string", "system": "summary"}, cloud=cloud),
        field("status", "Status", {"type": "status", "system": "status"}, cloud=cloud),
        field("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"},
              clause="type", cloud=cloud),
        field("duedate", "Due date", {"type": "date", "system": "duedate"}, clause="due",
              cloud=cloud),
        field("parent", "Parent", {"type": "issuelink", "system": "parent"}, cloud=cloud),
        field("fixVersions", "Fix versions", {"type": "array", "items": "version",
                                              "system": "fixVersions"}, clause="fixVersion",
              cloud=cloud),
    ]


GH = "com.pyxis.greenhopper.jira"
CF = "com.atlassian.jira.plugin.system.customfieldtypes"


def cloud_field_list() -> list[dict[str, Any]]:
    """A Jira Software Cloud site: story point estimate, Sprint, Team (and Epic Link, kept
    on older sites though Cloud links epics through the parent)."""
    return [
        *system_fields(True),
        field("customfield_10014", "Epic Link", custom(f"{GH}:gh-epic-link", "10014", "any")),
        field("customfield_10015", "Start date", custom(f"{CF}:datepicker", "10015", "date")),
        field("customfield_10016", "Story point estimate",
              custom(f"{GH}:jsw-story-points", "10016", "number")),
        field("customfield_10019", "Rank", custom(f"{GH}:gh-lexo-rank", "10019", "any")),
        field("customfield_10020", "Sprint",
              custom(f"{GH}:gh-sprint", "10020", "array", items="json")),
        field("customfield_10001", "Team", custom(f"{CF}:atlassian-team", "10001", "team",
                                                 configuration={f"{CF}:atlassian-team": True})),
        field("customfield_10035", "Flagged", custom(f"{CF}:multicheckboxes", "10035", "array",
                                                    items="option")),
    ]


def server_field_list(points: str, epic: str, sprint: str | None) -> list[dict[str, Any]]:
    """A Jira Software Server/DC site: its own ids for Story Points, Epic Link, Sprint."""
    fields = [
        *system_fields(False),
        field(points, "Story Points", custom(f"{CF}:float", points.rsplit("_", 1)[1], "number"),
              cloud=False),
        field(epic, "Epic Link", custom(f"{GH}:gh-epic-link", epic.rsplit("_", 1)[1], "any"),
              cloud=False),
        field("customfield_10002", "Business Value",
              custom(f"{CF}:float", "10002", "number"), cloud=False),
    ]
    if sprint:
        fields.append(field(sprint, "Sprint", custom(f"{GH}:gh-sprint", sprint.rsplit("_", 1)[1],
                                                     "array", items="string"), cloud=False))
    return fields


def preamble(site: Site, seed: str, fields: list[dict[str, Any]] | None = None,
             site_url: str | None = None) -> list[dict[str, Any]]:
    """serverInfo, then /field: what the connector reads once before its first fetch."""
    listed = cloud_field_list() if fields is None else fields
    return [site.server_info(f"{seed}-info", site_url=site_url),
            site.call("GET", "field", 200, listed, seed=f"{seed}-field", compact=True)]


# -- the fields our connector asks for (kept literal: the cassettes are the contract) -------

SYSTEM_FIELDS = [
    "summary",
    "issuetype",
    "status",
    "priority",
    "resolution",
    "labels",
    "components",
    "assignee",
    "reporter",
    "created",
    "updated",
    "resolutiondate",
    "fixVersions",
    "description",
    "parent",
    "issuelinks",
]
# Story points, sprint, team, due date (Cloud: epics are parents).
CLOUD_FIELDS = [*SYSTEM_FIELDS, "customfield_10016", "customfield_10020", "customfield_10001",
                "duedate"]
# Story points, epic link, sprint, due date: the OPS site has no Team field.
SERVER_FIELDS = [*SYSTEM_FIELDS, "customfield_10106", "customfield_10101", "customfield_10104",
                 "duedate"]


def search_body(jql: str, *, token: str | None = None, max_results: int = 100) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jql": jql,
        "maxResults": max_results,
        "fields": CLOUD_FIELDS,
        "expand": "changelog",
    }
    if token:
        body["nextPageToken"] = token
    return body


def cloud_fields(
    site: Site,
    *,
    summary: str,
    kind: str,
    st: dict[str, Any],
    created: str,
    updated: str,
    **extra: Any,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": summary,
        "issuetype": issue_type(site, kind),
        "status": st,
        "priority": priority(site, extra.pop("prio", "Medium")),
        "resolution": None,
        "labels": [],
        "components": [],
        "assignee": None,
        "reporter": user(site, "Ravi Patel", "ravi"),
        "created": created,
        "updated": updated,
        "resolutiondate": None,
        "fixVersions": [],
        "description": None,
        "issuelinks": [],
        "customfield_10016": None,
        "customfield_10020": None,
        "customfield_10001": None,
        "duedate": None,
    }
    fields.update(extra)
    return fields


# -- Cloud: release ACME 4.2.0, two token pages, a reopened story ------------------------------

CLOUD = "https://acme.atlassian.net"
RELEASE_JQL = 'project = "ACME" AND fixVersion = 10042 ORDER BY key ASC'
NEXT_PAGE = "ChkjU3RyaW5nJlFVTk5SUT09JUludCZNekE9EAMYnY6I-pUyIgtrZXkgQVNDLCBpZA=="


def cloud_versions(site: Site) -> list[dict[str, Any]]:
    return [
        version(site, "10041", "4.1.0", True, "2024-05-21"),
        version(site, "10042", "4.2.0", False, "2024-06-18"),
        version(site, "10043", "4.3.0", False, "2024-07-16"),
        version(site, "10030", "Someday", False, None, archived=True),
    ]


def cloud_statuses(site: Site) -> dict[str, dict[str, Any]]:
    return {
        "todo": status(site, "10000", "To Do", "new"),
        "progress": status(site, "3", "In Progress", "indeterminate"),
        "review": status(site, "10002", "In Review", "indeterminate"),
        "done": status(site, "10001", "Done", "done"),
    }


ACME_SPRINT_6 = {"id": 36, "name": "ACME Sprint 6", "state": "closed", "boardId": 2,
                 "goal": "Wallet tokens", "startDate": "2024-05-13T08:00:00.000Z",
                 "endDate": "2024-05-27T08:00:00.000Z",
                 "completeDate": "2024-05-27T09:12:44.310Z"}
ACME_SPRINT_7 = {"id": 37, "name": "ACME Sprint 7", "state": "active", "boardId": 2,
                 "goal": "Saved cards", "startDate": "2024-05-27T08:00:00.000Z",
                 "endDate": "2024-06-10T08:00:00.000Z"}
PAYMENTS_TEAM = {"id": "36885b3c-1bf0-4f85-a357-c5b858c31de4", "name": "Payments",
                 "avatarUrl": "", "isVisible": True, "isVerified": False, "title": "Payments",
                 "isShared": True}


def acme_issues(site: Site) -> list[dict[str, Any]]:
    s = cloud_statuses(site)
    mia, ravi = user(site, "Mia Krystof", "mia"), user(site, "Ravi Patel", "ravi")
    fix = [fix_version_ref(cloud_versions(site)[1])]
    checkout = [component(site, "10010", "checkout")]
    epic = linked(site, "10001", "ACME-1", "Checkout v2", s["progress"], "Epic", "High")
    description = adf(
        {"type": "heading", "attrs": {"level": 2}, "content": [text("Acceptance criteria")]},
        para(
            text("Customers can pay with a card saved in their "),
            text("wallet", {"type": "link", "attrs": {"href": "https://acme.example/wallet"}}),
            text(". Owner: "),
            {
                "type": "mention",
                "attrs": {"id": ravi["accountId"], "text": "@Ravi Patel", "accessLevel": ""},
            },
        ),
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [para(text("3-D Secure challenge still applies"))]},
                {"type": "listItem", "content": [para(text("Tokens never leave the vault"))]},
            ],
        },
        {
            "type": "codeBlock",
            "attrs": {"language": "sql"},
            "content": [text("ALTER TABLE cards ADD COLUMN vault_token text;")],
        },
        {
            "type": "table",
            "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        cell("tableHeader", text("Flag")),
                        cell("tableHeader", text("Default")),
                    ],
                },
                {
                    "type": "tableRow",
                    "content": [
                        cell("tableCell", text("saved_cards", {"type": "code"})),
                        cell("tableCell", text("off")),
                    ],
                },
            ],
        },
    )
    ops12 = linked(site, "10412", "OPS-12", "Vault capacity", s["progress"], "Task")
    acme5 = linked(site, "10005", "ACME-5", "Refund rounding error", s["todo"], "Bug", "High")
    return [
        issue_bean(
            site,
            "10001",
            "ACME-1",
            cloud_fields(
                site,
                summary="Checkout v2",
                kind="Epic",
                st=s["progress"],
                prio="High",
                created="2024-04-01T09:00:00.000+0200",
                updated="2024-05-02T11:00:00.000+0200",
                labels=["checkout"],
                components=checkout,
                assignee=ravi,
                fixVersions=fix,
                description=adf(para(text("Rebuild checkout on the new payment service."))),
            ),
            [
                history(
                    site,
                    10101,
                    ravi,
                    "2024-05-02T11:00:00.000+0200",
                    [status_change(site, s["todo"], s["progress"])],
                )
            ],
        ),
        issue_bean(
            site,
            "10002",
            "ACME-2",
            cloud_fields(
                site,
                summary="Pay with saved card",
                kind="Story",
                st=s["review"],
                prio="High",
                created="2024-04-03T10:00:00.000+0000",
                updated="2024-05-10T16:30:00.000+0000",
                labels=["payments", "pci"],
                components=checkout,
                assignee=mia,
                fixVersions=fix,
                description=description,
                parent=epic,
                customfield_10016=5.0,
                customfield_10020=[ACME_SPRINT_6, ACME_SPRINT_7],
                customfield_10001=PAYMENTS_TEAM,
                duedate="2024-06-14",
                issuelinks=[
                    {
                        "id": "10300",
                        "self": f"{site.api}/issueLink/10300",
                        "type": {
                            "id": "10000",
                            "name": "Blocks",
                            "inward": "is blocked by",
                            "outward": "blocks",
                            "self": f"{site.api}/issueLinkType/10000",
                        },
                        "inwardIssue": ops12,
                    }
                ],
            ),
            [
                history(
                    site,
                    10201,
                    mia,
                    "2024-05-06T09:00:00.000+0000",
                    [status_change(site, s["todo"], s["progress"])],
                ),
                history(
                    site,
                    10202,
                    mia,
                    "2024-05-10T16:30:00.000+0000",
                    [status_change(site, s["progress"], s["review"])],
                ),
            ],
        ),
        issue_bean(
            site,
            "10003",
            "ACME-3",
            cloud_fields(
                site,
                summary="Retry declined payments",
                kind="Story",
                st=s["done"],
                prio="High",
                created="2024-04-05T08:00:00.000+0000",
                updated="2024-05-15T12:00:00.000+0000",
                resolution=resolution(site),
                resolutiondate="2024-05-15T12:00:00.000+0000",
                components=checkout,
                assignee=mia,
                fixVersions=fix,
                parent=epic,
                customfield_10016=3.0,
                description=adf(para(text("Retry soft declines once, after 2 s."))),
                issuelinks=[
                    {
                        "id": "10301",
                        "self": f"{site.api}/issueLink/10301",
                        "type": {
                            "id": "10000",
                            "name": "Blocks",
                            "inward": "is blocked by",
                            "outward": "blocks",
                            "self": f"{site.api}/issueLinkType/10000",
                        },
                        "outwardIssue": acme5,
                    }
                ],
            ),
            [
                history(
                    site,
                    10301,
                    mia,
                    "2024-05-03T08:00:00.000+0000",
                    [status_change(site, s["todo"], s["progress"])],
                ),
                history(
                    site,
                    10302,
                    ravi,
                    "2024-05-04T08:00:00.000+0000",
                    [priority_change(site, "Medium", "High")],
                ),
                history(
                    site,
                    10303,
                    mia,
                    "2024-05-06T08:00:00.000+0000",
                    [status_change(site, s["progress"], s["review"])],
                ),
                history(
                    site,
                    10304,
                    ravi,
                    "2024-05-08T08:00:00.000+0000",
                    [status_change(site, s["review"], s["done"])],
                ),
                history(
                    site,
                    10305,
                    mia,
                    "2024-05-13T08:00:00.000+0000",
                    [status_change(site, s["done"], s["progress"])],
                ),
                history(
                    site,
                    10306,
                    mia,
                    "2024-05-15T12:00:00.000+0000",
                    [status_change(site, s["progress"], s["done"])],
                ),
            ],
        ),
        issue_bean(
            site,
            "10004",
            "ACME-4",
            cloud_fields(
                site,
                summary="Add idempotency key",
                kind="Subtask",
                st=s["done"],
                created="2024-04-06T08:00:00.000+0000",
                updated="2024-05-07T08:00:00.000+0000",
                resolution=resolution(site),
                resolutiondate="2024-05-07T08:00:00.000+0000",
                assignee=mia,
                fixVersions=fix,
                parent=linked(
                    site, "10003", "ACME-3", "Retry declined payments", s["done"], "Story", "High"
                ),
            ),
            [
                history(
                    site,
                    10401,
                    mia,
                    "2024-05-07T08:00:00.000+0000",
                    [status_change(site, s["todo"], s["done"])],
                )
            ],
        ),
        issue_bean(
            site,
            "10005",
            "ACME-5",
            cloud_fields(
                site,
                summary="Refund rounding error",
                kind="Bug",
                st=s["todo"],
                prio="High",
                created="2024-05-20T08:00:00.000+0000",
                updated="2024-05-20T08:00:00.000+0000",
                labels=["money"],
                fixVersions=fix,
                customfield_10016=2.0,
                parent=linked(site, "10009", "ACME-9", "Refunds", s["todo"], "Epic"),
            ),
            [],
        ),
    ]


def cloud_remote_links(site: Site) -> dict[str, list[dict[str, Any]]]:
    github = ("com.github.integration", "GitHub")
    return {
        "ACME-1": [],
        "ACME-2": [
            remote_link(
                site,
                "ACME-2",
                10100,
                "https://github.com/acme/checkout/pull/812",
                "PR #812: pay with saved card",
                github,
                "mentioned in",
                False,
                "Open pull request",
            )
        ],
        "ACME-3": [
            remote_link(
                site,
                "ACME-3",
                10101,
                "https://github.com/acme/checkout/pull/790",
                "PR #790: retry soft declines",
                github,
                "mentioned in",
                True,
            ),
            remote_link(
                site,
                "ACME-3",
                10102,
                "https://github.com/acme/checkout/pull/805",
                "PR #805: fix retry after reopen",
                github,
                "mentioned in",
                True,
            ),
        ],
        "ACME-4": [],
        "ACME-5": [
            remote_link(
                site,
                "ACME-5",
                10103,
                "https://acme.atlassian.net/wiki/spaces/ENG/pages/98305",
                "Release 4.2 runbook",
                ("com.atlassian.confluence", "System Confluence"),
                "Wiki Page",
                False,
            )
        ],
    }


def cloud_release() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    issues = acme_issues(site)
    links = cloud_remote_links(site)
    calls = [
        *preamble(site, "release"),
        site.call("GET", "project/ACME/versions", 200, cloud_versions(site), seed="versions"),
        site.call(
            "POST",
            "search/jql",
            200,
            {"issues": issues[:3], "nextPageToken": NEXT_PAGE, "isLast": False},
            seed="search-1",
            request_body=search_body(RELEASE_JQL),
        ),
        site.call(
            "POST",
            "search/jql",
            200,
            {"issues": issues[3:], "isLast": True},
            seed="search-2",
            request_body=search_body(RELEASE_JQL, token=NEXT_PAGE),
        ),
    ]
    for key, value in links.items():
        calls.append(site.call("GET", f"issue/{key}/remotelink", 200, value, seed=f"rl-{key}"))
    return calls


# -- Cloud: a changelog longer than the search embeds -----------------------------------------


def long_history(site: Site) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    s = cloud_statuses(site)
    mia = user(site, "Mia Krystof", "mia")
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    steps = [(s["todo"], s["progress"])]
    steps += [
        (s["progress"], s["review"]) if k % 2 == 0 else (s["review"], s["progress"])
        for k in range(126)
    ]
    steps += [(s["progress"], s["done"]), (s["done"], s["progress"]), (s["progress"], s["done"])]
    histories = [
        history(
            site,
            20001 + n,
            mia,
            (start + timedelta(hours=6 * n)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            [status_change(site, a, b)],
        )
        for n, (a, b) in enumerate(steps)
    ]
    fields = cloud_fields(
        site,
        summary="Ledger migration",
        kind="Story",
        st=s["done"],
        created="2024-02-28T09:00:00.000+0000",
        updated=histories[-1]["created"],
        resolution=resolution(site),
        resolutiondate=histories[-1]["created"],
        assignee=mia,
        fixVersions=[fix_version_ref(cloud_versions(site)[2])],
        customfield_10016=8.0,
    )
    return histories, fields


def cloud_truncated_changelog() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    histories, fields = long_history(site)
    assert len(histories) == 130
    # The search embeds the newest 100 histories; the changelog endpoint pages oldest first.
    bean = issue_bean(site, "10007", "ACME-7", fields, histories[30:], total=130)
    jql = 'project = "ACME" AND fixVersion = 10043 ORDER BY key ASC'
    page = {
        "self": f"{site.api}/issue/ACME-7/changelog?maxResults=100&startAt=0",
        "nextPage": f"{site.api}/issue/ACME-7/changelog?maxResults=100&startAt=100",
        "maxResults": 100,
        "startAt": 0,
        "total": 130,
        "isLast": False,
        "values": histories[:100],
    }
    return [
        *preamble(site, "t"),
        site.call("GET", "project/ACME/versions", 200, cloud_versions(site), seed="t-versions"),
        site.call(
            "POST",
            "search/jql",
            200,
            {"issues": [bean], "isLast": True},
            seed="t-search",
            request_body=search_body(jql),
            compact=True,
        ),
        site.call(
            "GET",
            "issue/ACME-7/changelog?startAt=0&maxResults=100",
            200,
            page,
            seed="t-changelog",
            compact=True,
        ),
        # Only "Done" is current, so the other statuses' categories come from /status.
        site.call("GET", "status", 200, list(cloud_statuses(site).values()), seed="t-status"),
    ]


# -- Cloud: failures ----------------------------------------------------------------------------

CLOUD_401_BODY = "Client must be authenticated to access this resource."


def cloud_unauthorized() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    headers = {
        "Content-Type": "text/plain;charset=UTF-8",
        "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
        "WWW-Authenticate": 'OAuth realm="https%3A%2F%2Facme.atlassian.net"',
    }
    # serverInfo is the first request: with rejected credentials, it is what says so.
    return [site.server_info("401", status=401, body=CLOUD_401_BODY, headers=headers)]


def cloud_fix_version_not_found() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    return [*preamble(site, "nf"),
            site.call("GET", "project/ACME/versions", 200, cloud_versions(site), seed="nf")]


def cloud_unknown_project() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    body = {"errorMessages": ["No project could be found with key 'NOPE'."], "errors": {}}
    return [*preamble(site, "404"), site.call("GET", "project/NOPE/versions", 404, body,
                                              seed="404")]


def rate_limit_headers(retry_after: int) -> dict[str, str]:
    return {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": "350",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2024-06-01T00:00:07Z",
        "X-RateLimit-NearLimit": "true",
        "RateLimit-Reason": "jira-quota-tenant-based",
    }


RATE_LIMITED_BODY = {"errorMessages": ["Rate limit exceeded."], "errors": {}}


def cloud_rate_limited() -> list[dict[str, Any]]:
    site = Site(CLOUD, cloud=True)
    issue = acme_issues(site)[4]  # ACME-5 alone
    jql = 'project = "ACME" AND fixVersion = 10042 ORDER BY key ASC'
    return [
        *preamble(site, "rl"),
        site.call(
            "GET",
            "project/ACME/versions",
            429,
            RATE_LIMITED_BODY,
            seed="rl-429",
            headers=rate_limit_headers(7),
        ),
        site.call("GET", "project/ACME/versions", 200, cloud_versions(site), seed="rl-200"),
        site.call(
            "POST",
            "search/jql",
            200,
            {"issues": [issue], "isLast": True},
            seed="rl-search",
            request_body=search_body(jql),
        ),
    ]


HOTFIX_JQL = 'project = ACME AND labels = "hotfix" ORDER BY key ASC'


def cloud_faults() -> list[dict[str, Any]]:
    """JQL-driven run where page 2, a changelog and every remote link fail differently."""
    site = Site(CLOUD, cloud=True)
    s = cloud_statuses(site)
    mia = user(site, "Mia Krystof", "mia")
    start = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
    flips = [
        history(
            site,
            30001 + n,
            mia,
            (start + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            [
                status_change(
                    site, *((s["progress"], s["review"]) if n % 2 else (s["review"], s["progress"]))
                )
            ],
        )
        for n in range(45)
    ]
    base = {
        "kind": "Bug",
        "created": "2024-03-30T09:00:00.000+0000",
        "updated": "2024-04-03T09:00:00.000+0000",
        "labels": ["hotfix"],
    }
    issues = [
        issue_bean(
            site,
            "10020",
            "ACME-20",
            cloud_fields(site, summary="Hotfix: card BIN lookup", st=s["progress"], **base),
            [],
        ),
        # /search/jql embeds at most 40 histories now; this one has 45.
        issue_bean(
            site,
            "10021",
            "ACME-21",
            cloud_fields(site, summary="Hotfix: tax rounding", st=s["review"], **base),
            flips[5:],
            total=45,
        ),
        issue_bean(
            site,
            "10022",
            "ACME-22",
            cloud_fields(site, summary="Hotfix: 3DS timeout", st=s["todo"], **base),
            [],
        ),
    ]
    issues[1]["changelog"]["maxResults"] = 40
    cursor = "ChkjU3RyaW5nJlFVTk5SUT09JUludCZNekE9EAMYsIqD-pUyIgtrZXkgQVNDLCBpZA=="
    not_visible = {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }
    maintenance = (
        "<!DOCTYPE html><html><head><title>Atlassian</title></head>"
        "<body>Down for maintenance</body></html>"
    )
    return [
        *preamble(site, "f"),
        site.call(
            "POST",
            "search/jql",
            200,
            {"issues": issues, "nextPageToken": cursor, "isLast": False},
            seed="f-search-1",
            request_body=search_body(HOTFIX_JQL),
        ),
        site.call(
            "POST",
            "search/jql",
            429,
            RATE_LIMITED_BODY,
            seed="f-search-2",
            request_body=search_body(HOTFIX_JQL, token=cursor),
            headers=rate_limit_headers(3600),
        ),
        site.call(
            "GET", "issue/ACME-21/changelog?startAt=0&maxResults=100", 404, not_visible, seed="f-cl"
        ),
        site.call(
            "GET",
            "issue/ACME-20/remotelink",
            200,
            maintenance,
            seed="f-rl-20",
            headers={"Content-Type": "text/html;charset=UTF-8"},
        ),
        site.call(
            "GET",
            "issue/ACME-21/remotelink",
            403,
            {
                "errorMessages": ["You do not have the permission to see the specified issue."],
                "errors": {},
            },
            seed="f-rl-21",
        ),
        site.call(
            "GET",
            "issue/ACME-22/remotelink",
            401,
            {
                "errorMessages": [
                    "You are not authenticated. Authentication required to perform this operation."
                ],
                "errors": {},
            },
            seed="f-rl-22",
        ),
    ]


# -- Server/DC: release OPS 2024.06, startAt paging, Epic Link, a reopened bug -------------------

SERVER = "https://jira.acme.example/jira"
SERVER_JQL = 'project = "OPS" AND fixVersion = 20100 ORDER BY key ASC'


def server_statuses(site: Site) -> dict[str, dict[str, Any]]:
    return {
        "open": status(site, "1", "Open", "new"),
        "progress": status(site, "3", "In Progress", "indeterminate"),
        "reopened": status(site, "4", "Reopened", "new"),
        "resolved": status(site, "5", "Resolved", "done"),
        "closed": status(site, "6", "Closed", "done"),
    }


def server_fields(
    site: Site, *, summary: str, kind: str, st: dict[str, Any], created: str, **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": summary,
        "issuetype": issue_type(site, kind),
        "status": st,
        "priority": priority(site, extra.pop("prio", "Medium")),
        "resolution": None,
        "labels": [],
        "components": [],
        "assignee": None,
        "reporter": user(site, "Ravi Patel", "ravi"),
        "created": created,
        "updated": extra.pop("updated", created),
        "resolutiondate": None,
        "fixVersions": [
            fix_version_ref(
                version(site, "20100", "2024.06", False, "2024-06-10", project_id=10200)
            )
        ],
        "description": None,
        "issuelinks": [],
        "customfield_10106": None,
        "customfield_10101": None,
        "customfield_10104": None,
        "duedate": None,
    }
    fields.update(extra)
    return fields


# How Jira Server/DC sends a sprint in REST v2: the toString of its Java object.
OPS_SPRINT_22 = (
    "com.atlassian.greenhopper.service.sprint.Sprint@5d2b8e3a[id=22,rapidViewId=4,"
    "state=ACTIVE,name=OPS Sprint 22,startDate=2024-05-27T09:00:00.000+02:00,"
    "endDate=2024-06-07T17:00:00.000+02:00,completeDate=<null>,"
    "activatedDate=2024-05-27T09:04:12.551+02:00,sequence=22,goal=Deploys, without downtime,"
    "synced=false,autoStartStop=false,incompleteIssuesDestinationId=<null>]"
)


def server_issues(site: Site) -> list[dict[str, Any]]:
    s = server_statuses(site)
    mia, ravi = user(site, "Mia Krystof", "mia"), user(site, "Ravi Patel", "ravi")
    wiki = (
        "h2. Rollout\n* drain the *blue* pool\n* switch DNS\n\n"
        "{code:sql}UPDATE flags SET on = 1;{code}"
    )
    bug = linked(site, "10203", "OPS-3", "Cache stampede on deploy", s["resolved"], "Bug", "High")

    def at(day: int, hour: int = 9) -> str:
        return f"2024-05-{day:02d}T{hour:02d}:00:00.000+0200"

    return [
        issue_bean(
            site,
            "10201",
            "OPS-1",
            server_fields(
                site,
                summary="Zero-downtime deploys",
                kind="Epic",
                st=s["progress"],
                created=at(1),
                assignee=ravi,
            ),
            [history(site, 40101, ravi, at(2), [status_change(site, s["open"], s["progress"])])],
        ),
        issue_bean(
            site,
            "10202",
            "OPS-2",
            server_fields(
                site,
                summary="Blue/green switch",
                kind="Story",
                st=s["progress"],
                created=at(2),
                assignee=mia,
                description=wiki,
                customfield_10106=8.0,
                customfield_10101="OPS-1",
                customfield_10104=[OPS_SPRINT_22],
                duedate="2024-06-07",
                components=[component(site, "10400", "deploy")],
                labels=["infra"],
            ),
            [history(site, 40201, mia, at(3), [status_change(site, s["open"], s["progress"])])],
        ),
        issue_bean(
            site,
            "10203",
            "OPS-3",
            server_fields(
                site,
                summary="Cache stampede on deploy",
                kind="Bug",
                st=s["resolved"],
                created=at(3),
                prio="High",
                assignee=mia,
                customfield_10101="OPS-1",
                resolution=resolution(site),
                resolutiondate=at(20),
                updated=at(20),
            ),
            [
                history(site, 40301, mia, at(4), [status_change(site, s["open"], s["progress"])]),
                history(
                    site, 40302, mia, at(6), [status_change(site, s["progress"], s["resolved"])]
                ),
                history(
                    site, 40303, ravi, at(8), [status_change(site, s["resolved"], s["closed"])]
                ),
                history(
                    site, 40304, ravi, at(14), [status_change(site, s["closed"], s["reopened"])]
                ),
                history(
                    site, 40305, mia, at(15), [status_change(site, s["reopened"], s["progress"])]
                ),
                history(
                    site, 40306, mia, at(20), [status_change(site, s["progress"], s["resolved"])]
                ),
            ],
        ),
        issue_bean(
            site,
            "10204",
            "OPS-4",
            server_fields(
                site,
                summary="Warm cache before switch",
                kind="Sub-task",
                st=s["resolved"],
                created=at(15),
                parent=bug,
                assignee=mia,
                resolution=resolution(site),
                resolutiondate=at(19),
                updated=at(19),
            ),
            [history(site, 40401, mia, at(19), [status_change(site, s["open"], s["resolved"])])],
        ),
        issue_bean(
            site,
            "10205",
            "OPS-5",
            server_fields(
                site,
                summary="Update runbook",
                kind="Task",
                st=s["open"],
                created=at(21),
                prio="Low",
            ),
            [],
        ),
    ]


def server_search_body(start: int) -> dict[str, Any]:
    return {
        "jql": SERVER_JQL,
        "startAt": start,
        "maxResults": 2,
        "fields": SERVER_FIELDS,
        "expand": ["changelog"],
    }


def server_release() -> list[dict[str, Any]]:
    site = Site(SERVER, cloud=False)
    issues = server_issues(site)
    versions = [
        version(site, "20099", "2024.05", True, "2024-05-13", project_id=10200),
        version(site, "20100", "2024.06", False, "2024-06-10", project_id=10200),
    ]
    fields = server_field_list("customfield_10106", "customfield_10101", "customfield_10104")
    calls = [*preamble(site, "s", fields),
             site.call("GET", "project/OPS/versions", 200, versions, seed="s-versions")]
    for start in (0, 2, 4):
        page = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": 2,
            "total": 5,
            "issues": issues[start : start + 2],
        }
        calls.append(
            site.call(
                "POST",
                "search",
                200,
                page,
                seed=f"s-search-{start}",
                request_body=server_search_body(start),
            )
        )
    statuses = list(server_statuses(site).values())
    calls.append(site.call("GET", "status", 200, statuses, seed="s-status"))
    github = ("com.github.integration", "GitHub")
    links = {
        "OPS-2": [
            remote_link(
                site,
                "OPS-2",
                10500,
                "https://github.com/acme/infra/pull/77",
                "PR #77: blue/green switch",
                github,
                "mentioned in",
                False,
            )
        ]
    }
    for n in range(1, 6):
        key = f"OPS-{n}"
        calls.append(
            site.call("GET", f"issue/{key}/remotelink", 200, links.get(key, []), seed=f"s-rl-{n}")
        )
    return calls


# -- #18: a Server whose custom fields only /field names; Cloud through the API gateway -------

BILL = "https://jira.example.org"
BILL_JQL = 'project = "BILL" AND fixVersion = 30200 ORDER BY key ASC'
BILL_FIELDS = [*SYSTEM_FIELDS, "customfield_10105", "customfield_10700", "customfield_10104",
               "duedate"]
BILL_SPRINT = (
    "com.atlassian.greenhopper.service.sprint.Sprint@2f1e6c0b[id=41,rapidViewId=9,"
    "state=FUTURE,name=BILL Sprint 14,startDate=<null>,endDate=<null>,completeDate=<null>,"
    "activatedDate=<null>,sequence=41,goal=,synced=false,autoStartStop=false,"
    "incompleteIssuesDestinationId=<null>]"
)


def server_custom_fields() -> list[dict[str, Any]]:
    """Story points in customfield_10105 and the epic in customfield_10700, as a real
    Server keeps them: nothing but /field says so."""
    site = Site(BILL, cloud=False)
    s = server_statuses(site)
    ravi = user(site, "Ravi Patel", "ravi")
    fix = [fix_version_ref(version(site, "30200", "3.2", False, "2024-06-28", project_id=10300))]

    def fields(**extra: Any) -> dict[str, Any]:
        base = server_fields(site, created="2024-05-20T10:00:00.000+0200", **extra)
        for old in ("customfield_10106", "customfield_10101"):
            base.pop(old)
        return {"customfield_10105": None, "customfield_10700": None, **base,
                "fixVersions": fix}

    issues = [
        issue_bean(site, "30001", "BILL-1", fields(summary="Invoicing v3", kind="Epic",
                                                   st=s["progress"], assignee=ravi), []),
        issue_bean(site, "30007", "BILL-7", fields(
            summary="PDF invoices", kind="Story", st=s["progress"], assignee=ravi,
            customfield_10105=5.0, customfield_10700="BILL-1", customfield_10104=[BILL_SPRINT],
            duedate="2024-06-21"), []),
        issue_bean(site, "30008", "BILL-8", fields(
            summary="Rounding of VAT", kind="Bug", st=s["open"], customfield_10700="BILL-1"), []),
    ]
    versions = [version(site, "30200", "3.2", False, "2024-06-28", project_id=10300)]
    listed = server_field_list("customfield_10105", "customfield_10700", "customfield_10104")
    calls = [*preamble(site, "b", listed),
             site.call("GET", "project/BILL/versions", 200, versions, seed="b-versions")]
    page = {"expand": "schema,names", "startAt": 0, "maxResults": 100, "total": 3,
            "issues": issues}
    body = {"jql": BILL_JQL, "startAt": 0, "maxResults": 100, "fields": BILL_FIELDS,
            "expand": ["changelog"]}
    calls.append(site.call("POST", "search", 200, page, seed="b-search", request_body=body))
    for key in ("BILL-1", "BILL-7", "BILL-8"):
        calls.append(site.call("GET", f"issue/{key}/remotelink", 200, [], seed=f"b-rl-{key}"))
    return calls


GATEWAY = "https://api.atlassian.com/ex/jira/7a3f2e14-1b5c-4e8a-9d2f-6c1b0e9a4d21"


def cloud_gateway() -> list[dict[str, Any]]:
    """ACME's Cloud site through the API gateway (OAuth 2.0, scoped tokens): no
    atlassian.net in the URL, only serverInfo tells."""
    site = Site(GATEWAY, cloud=True)
    issue = acme_issues(site)[4]  # ACME-5
    links = cloud_remote_links(site)["ACME-5"]
    return [
        *preamble(site, "gw", site_url=CLOUD),
        site.call("GET", "project/ACME/versions", 200, cloud_versions(site), seed="gw-versions"),
        site.call("POST", "search/jql", 200, {"issues": [issue], "isLast": True},
                  seed="gw-search", request_body=search_body(RELEASE_JQL)),
        site.call("GET", "issue/ACME-5/remotelink", 200, links, seed="gw-rl"),
    ]


def main() -> None:
    scenarios = {
        "cloud_release": cloud_release,
        "cloud_truncated_changelog": cloud_truncated_changelog,
        "cloud_unauthorized": cloud_unauthorized,
        "cloud_fix_version_not_found": cloud_fix_version_not_found,
        "cloud_unknown_project": cloud_unknown_project,
        "cloud_rate_limited": cloud_rate_limited,
        "cloud_faults": cloud_faults,
        "server_release": server_release,
        "server_custom_fields": server_custom_fields,
        "cloud_gateway": cloud_gateway,
        "read_only": list,  # no interaction at all: a write must never reach the wire
    }
    for name, build in scenarios.items():
        print(write("jira", name, build()))


if __name__ == "__main__":
    main()
