"""The synthetic org as GitHub and Jira Cloud answer it, and a router over those answers.

Bodies come from the cassette generators' shape builders (``scripts/make_github_cassettes``:
GitHub's OpenAPI examples, carried in the repository, retargeted, and its GraphQL answers;
``scripts/make_jira_cassettes``: Atlassian's components), so the connectors parse exactly
what they parse in their contract tests. Lists are paginated on request: GitHub by
``per_page``/``page`` with a ``Link`` header in GitHub's ``/repositories/{id}/...`` form,
Jira Cloud search by ``nextPageToken``. GraphQL (``POST /api/graphql``, as on Enterprise
Server) answers the connector's own documents: each aliased ``pullRequest`` or commit
``object`` is looked up by number or SHA. Every item is serialized once; a page, or a
GraphQL answer, is a join of pre-serialized items.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench import org as synth

_ITEMS = "\u0000items\u0000"
_ITEMS_JSON = json.dumps(_ITEMS)


def _gh() -> Any:
    """The GitHub cassette generator (its OpenAPI examples are carried in scripts/)."""
    from scripts import make_github_cassettes

    return make_github_cassettes


def _jira() -> Any:
    from scripts import make_jira_cassettes

    return make_jira_cassettes


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Listing:
    """A paginated list: items already as JSON, and the page wrapper (None: a bare list)."""

    items: list[str]
    wrap: Callable[[int], str] | None = None  # page number -> wrapper JSON holding _ITEMS

    def page(self, number: int, per_page: int) -> tuple[str, int]:
        last = max(1, math.ceil(len(self.items) / per_page))
        chunk = "[" + ",".join(self.items[(number - 1) * per_page : number * per_page]) + "]"
        if self.wrap is None:
            return chunk, last
        return self.wrap(number).replace(_ITEMS_JSON, chunk, 1), last


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    source: str = "github"
    kind: str = ""


def _mmdd(when: datetime) -> str:
    """The cassette builders' time format: ``"10-01 08:40"`` in 2024, UTC."""
    return when.astimezone(UTC).strftime("%m-%d %H:%M")


# -- GitHub ------------------------------------------------------------------------------


class GitHubWire:
    """Every GitHub answer the connector needs for one synthetic release."""

    def __init__(self, org: synth.Org, api: str) -> None:
        gh = _gh()
        self.gh = gh
        self.org = org
        self.api = api.rstrip("/")
        web = api.rsplit("/api/v3", 1)[0]
        self.host = _host_class()(api=self.api, web=web, full_name=synth.REPO,
                                repo_id=synth.REPO_ID)
        self.prefix = urlsplit(self.api).path  # /api/v3
        self.graphql_path = self.prefix.removesuffix("/v3") + "/graphql"  # /api/graphql
        self.single: dict[str, str] = {}
        self.lists: dict[str, Listing] = {}
        self.pull_nodes: dict[int, str] = {}  # GraphQL pullRequest answers by number
        self.commit_nodes: dict[str, str] = {}  # GraphQL associatedPullRequests by SHA
        # The first-parent line (a linear history): each commit's body and the diff
        # entries it brings in, for compares of consecutive merges.
        self.line: list[str] = [gh.sha("base")]
        self.commit_bodies: dict[str, Any] = {}
        self.entries_at: dict[str, list[str]] = {}
        self._build()

    # -- building --------------------------------------------------------------------

    def _pull(self, p: synth.PullSpec) -> Any:
        return self.gh.P(p.number, p.title, p.body, p.author, p.head_ref, _mmdd(p.created),
                         _mmdd(p.updated), _mmdd(p.merged) if p.merged else None,
                         p.merge_key, p.labels, _mmdd(p.closed) if p.closed else None)

    def _build(self) -> None:
        gh, host, org = self.gh, self.host, self.org
        repo = f"/repos/{synth.REPO}"
        self.single[repo] = _dumps(gh.repository(host))
        commits, parent = [], gh.sha("base")
        merged = {p.merge_key: p for p in org.merged}
        for c in sorted(org.commits, key=lambda c: c.when):
            spec = gh.C(c.key, c.message, c.login, _mmdd(c.when), committer=c.committer)
            body = gh.commit(host, spec, parent)
            commits.append(_dumps(body))
            self.line.append(spec.sha)
            self.commit_bodies[spec.sha] = body
            parent = spec.sha
            pull = merged.get(c.key)  # a direct push has none
            pulls = [(pull.number, _mmdd(pull.merged))] if pull and pull.merged else []
            self.commit_nodes[spec.sha] = _dumps(gh.association_node(host, spec.sha, pulls))
        span = f"{synth.BASE}...{synth.HEAD}"
        total = len(commits)

        def compare(page: int) -> str:
            body = gh.comparison(host, span, [], total, page)
            body["commits"] = _ITEMS
            return _dumps(body)

        self.lists[f"{repo}/compare/{span}"] = Listing(commits, _cached_pages(compare))
        for p in org.merged:
            self._parts(repo, p)
        owners = gh.content_file(host, ".github/CODEOWNERS", synth.HEAD, synth.CODEOWNERS)
        self.single[f"{repo}/contents/.github/CODEOWNERS?ref={synth.HEAD}"] = _dumps(owners)
        deployments = []
        for d in org.deployments:
            spec = gh.D(d.id, d.ref, d.commit_key, _mmdd(d.created),
                        tuple((s, _mmdd(at), text) for s, at, text in d.statuses))
            deployments.append(_dumps(gh.deployment(host, spec)))
            statuses = [_dumps(gh.deployment_status(host, spec, i))
                        for i in range(len(spec.statuses))]
            self.lists[f"{repo}/deployments/{d.id}/statuses"] = Listing(statuses)
        self.lists[f"{repo}/deployments"] = Listing(deployments)

    def _parts(self, repo: str, p: synth.PullSpec) -> None:
        """A PR's files (REST) and its GraphQL answer: reviews, check runs, statuses."""
        gh, host = self.gh, self.host
        pull = self._pull(p)
        head = pull.head_sha
        files = [gh.F(f.path, f.status, f.additions, f.deletions, f.patch, f.previous)
                 for f in p.files]
        entries = [_dumps(gh.diff_entry(host, f, head)) for f in files]
        self.lists[f"{repo}/pulls/{p.number}/files"] = Listing(entries)
        if pull.merge_sha:
            self.entries_at[pull.merge_sha] = entries
        reviews = [gh.R(rid, who, state, _mmdd(at)) for rid, who, state, at in p.reviews]
        parts = gh.Parts(files=files, reviews=reviews, checks=[gh.K(*k) for k in p.checks],
                         statuses=list(p.statuses), state=p.combined)
        self.pull_nodes[p.number] = _dumps(gh.pull_node(host, pull, parts))

    # -- answering -------------------------------------------------------------------

    def route(self, method: str, target: str, body: bytes = b"") -> Reply:
        split = urlsplit(target)
        path = split.path
        if path == self.graphql_path and method == "POST":
            return self._graphql(body)
        if not path.startswith(self.prefix):
            return self._error(404, "Not Found")
        path = path[len(self.prefix):]
        long_form = f"/repositories/{synth.REPO_ID}"
        if path.startswith(long_form):
            path = f"/repos/{synth.REPO}" + path[len(long_form):]
        query = dict(parse_qsl(split.query))
        if method != "GET":
            return self._error(405, f"{method} not served: read-only replay", kind="write")
        kind = _kind(path)
        if path in self.lists:
            return self._page(path, query, kind)
        merges = _MERGES.fullmatch(path.removeprefix(f"/repos/{synth.REPO}"))
        if merges:
            return self._merges(*merges.groups())
        keyed = f"{path}?ref={query['ref']}" if "ref" in query else path
        if keyed in self.single:
            return Reply(200, self.single[keyed].encode(), _gh_headers(), kind=kind)
        return self._error(404, "Not Found", kind=kind)

    def _page(self, path: str, query: dict[str, str], kind: str) -> Reply:
        per_page = min(100, int(query.get("per_page", 30)))
        page = int(query.get("page", 1))
        body, last = self.lists[path].page(page, per_page)
        kept = {k: v for k, v in query.items() if k != "page"}
        tail = path.removeprefix(f"/repos/{synth.REPO}")

        def uri(n: int) -> str:
            params = urlencode(sorted({**kept, "page": n}.items()))
            return f"{self.api}/repositories/{synth.REPO_ID}{tail}?{params}"

        headers = _gh_headers()
        link = self.gh.links(uri, page, last)
        if link:
            headers["Link"] = link
        return Reply(200, body.encode(), headers, kind=kind)

    def _merges(self, start: str, end: str) -> Reply:
        """``compare/{start}...{end}?per_page=1`` on the line: page 1, every file of the
        merges between (the synthetic history has no conflicts to resolve)."""
        if start not in self.line or end not in self.line or \
                self.line.index(start) >= self.line.index(end):
            return self._error(404, "Not Found", kind="merges compare")
        inside = self.line[self.line.index(start) + 1 : self.line.index(end) + 1]
        files = [e for sha in inside for e in self.entries_at.get(sha, [])]
        base = self.commit_bodies.get(start) or self.gh.commit(
            self.host, self.gh.C("base", "Release", "bob", "09-27 16:00"), self.gh.sha("older"))
        body = self.gh.range_comparison(self.host, base, end, self.commit_bodies[inside[0]],
                                        len(inside), [])
        body["files"] = _ITEMS
        text = _dumps(body).replace(_ITEMS_JSON, "[" + ",".join(files) + "]", 1)
        headers = _gh_headers()
        link = self.gh.links(functools.partial(self.gh.merges_page, self.host, start, end), 1,
                             len(inside))
        if link:
            headers["Link"] = link
        return Reply(200, text.encode(), headers, kind="merges compare")

    def _graphql(self, raw: bytes) -> Reply:
        """The connector's ``pulls`` and ``associations`` documents, answered alias by alias."""
        try:
            document = str(json.loads(raw)["query"])
        except (ValueError, KeyError, TypeError):
            return self._error(400, "Problems parsing JSON", kind="graphql")
        pulls = _PULL_ALIAS.findall(document)
        commits = _COMMIT_ALIAS.findall(document)
        if pulls:
            found = [(alias, self.pull_nodes.get(int(number))) for alias, number in pulls]
            kind = "graphql pull requests"
        elif commits:
            found = [(alias, self.commit_nodes.get(sha)) for alias, sha in commits]
            kind = "graphql commits"
        else:
            return self._error(400, "document not served by the replay", kind="graphql")
        fields = ",".join(f'"{alias}":{node or "null"}' for alias, node in found)
        text = '{"data":{"repository":{' + fields + "}}}"
        return Reply(200, text.encode(), _gh_headers("graphql"), kind=kind)

    @staticmethod
    def _error(status: int, message: str, kind: str = "unknown") -> Reply:
        body = {"message": message, "documentation_url": "https://docs.github.com/rest",
                "status": str(status)}
        return Reply(status, _dumps(body).encode(), _gh_headers(), kind=kind)


@functools.cache
def _host_class() -> Any:
    """``make_github_cassettes.Host`` whose user objects are built once per login."""
    gh = _gh()

    class CachedHost(gh.Host):  # type: ignore[misc, name-defined]
        def user(self, login: str | None, uid: int, kind: str = "User") -> Any:
            key = (self.api, login, uid, kind)
            if key not in _USERS:
                _USERS[key] = super().user(login, uid, kind)
            return copy.deepcopy(_USERS[key])

    return CachedHost


_USERS: dict[tuple[str, str | None, int, str], Any] = {}


def _cached_pages(build: Callable[[int], str]) -> Callable[[int], str]:
    cache: dict[int, str] = {}

    def page(number: int) -> str:
        key = 1 if number == 1 else 2  # only page 1 differs (it lists the files)
        if key not in cache:
            cache[key] = build(number)
        return cache[key]

    return page


_MERGES = re.compile(r"/compare/([0-9a-f]{40})\.\.\.([0-9a-f]{40})")
_PULL_ALIAS = re.compile(r"(p\d+): pullRequest\(number: (\d+)\)")
_COMMIT_ALIAS = re.compile(r'(c\d+): object\(oid: "([0-9a-f]{40})"\)')
_KIND_RULES = (
    (re.compile(r"^/repos/[^/]+/[^/]+$"), "repository"),
    (re.compile(r"/compare/"), "compare"),
    (re.compile(r"/pulls/\d+/files$"), "pr files"),
    (re.compile(r"/contents/"), "codeowners"),
    (re.compile(r"/deployments$"), "deployments"),
    (re.compile(r"/deployments/\d+/statuses$"), "deployment statuses"),
)


def _kind(path: str) -> str:
    return next((name for rule, name in _KIND_RULES if rule.search(path)), "other")


def _gh_headers(resource: str = "core") -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Server": "github.com",
        "X-GitHub-Media-Type": "github.v3; format=json" if resource == "core"
        else "github.v4; format=json",
        "X-RateLimit-Limit": "15000" if resource == "core" else "5000",
        "X-RateLimit-Remaining": "14000" if resource == "core" else "4900",
        "X-RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 3600),
        "X-RateLimit-Resource": resource,
    }


# -- Jira Cloud --------------------------------------------------------------------------

_STATUS_IDS = {"To Do": ("10000", "new"), "In Progress": ("3", "indeterminate"),
               "In Review": ("10002", "indeterminate"), "Done": ("10001", "done"),
               "Reopened": ("4", "indeterminate")}


def _jira_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class JiraWire:
    """Every Jira Cloud answer the connector needs for one synthetic fix version."""

    def __init__(self, org: synth.Org, base: str) -> None:
        self.j = _jira()
        self.org = org
        self.site = self.j.Site(base.rstrip("/"), cloud=True)
        self.prefix = urlsplit(self.site.api).path  # /rest/api/3
        self.jql = (f'project = "{synth.PROJECT}" AND fixVersion = {synth.FIX_VERSION_ID} '
                    f"ORDER BY key ASC")
        self.single: dict[str, str] = {}
        self.issues: list[str] = []
        self.changelogs: dict[str, list[str]] = {}
        self._build()

    def _status(self, name: str) -> Any:
        sid, category = _STATUS_IDS[name]
        return self.j.status(self.site, sid, name, category)

    def _person(self, login: str) -> dict[str, Any]:
        account = "5b10" + base64.b16encode(login.encode()).decode().lower().ljust(20, "0")
        return {"self": f"{self.site.api}/user?accountId={account}", "accountId": account,
                "displayName": login.capitalize() + " Example", "active": True,
                "timeZone": "Europe/Berlin", "accountType": "atlassian", "avatarUrls": {}}

    def _build(self) -> None:
        j, site = self.j, self.site
        versions = [j.version(site, "10199", "1.9.0", True, "2024-09-10"),
                    j.version(site, synth.FIX_VERSION_ID, synth.FIX_VERSION, False,
                              synth.RELEASE_DATE.isoformat()),
                    j.version(site, "10201", "2.1.0", False, "2024-11-06")]
        self.single[f"project/{synth.PROJECT}/versions"] = _dumps(versions)
        self.single["field"] = _dumps(j.cloud_field_list())
        fix = [j.fix_version_ref(versions[1])]
        by_key = {i.key: i for i in self.org.issues}
        statuses = [self._status(name) for name in _STATUS_IDS]
        self.single["status"] = _dumps(statuses)
        for spec in self.org.issues:
            self.issues.append(_dumps(self._issue(spec, by_key, fix)))
            links = [j.remote_link(site, spec.key, lid, url, title,
                                   ("com.github.integration", "GitHub"), "mentioned in", True)
                     for lid, url, title in spec.remote_links]
            self.single[f"issue/{spec.key}/remotelink"] = _dumps(links)

    def _history(self, spec: synth.IssueSpec, row: tuple[int, datetime, str, str, str]) -> Any:
        hid, at, kind, a, b = row
        who = self._person(synth.PEOPLE[hid % len(synth.PEOPLE)])
        item = (self.j.status_change(self.site, self._status(a), self._status(b))
                if kind == "status" else self.j.priority_change(self.site, a, b))
        return self.j.history(self.site, hid, who, _jira_time(at), [item])

    def _issue(self, spec: synth.IssueSpec, by_key: dict[str, synth.IssueSpec],
               fix: list[Any]) -> Any:
        j, site = self.j, self.site
        extra: dict[str, Any] = {
            "prio": spec.priority, "fixVersions": fix, "customfield_10016": spec.story_points,
            "assignee": self._person(synth.PEOPLE[int(spec.id) % len(synth.PEOPLE)]),
            "description": j.adf(j.para(j.text(f"{spec.summary}: acceptance criteria in the "
                                               f"epic."))),
        }
        if spec.status == "Done":
            extra["resolution"] = j.resolution(site)
            extra["resolutiondate"] = _jira_time(spec.resolved or spec.updated)
        upward = spec.parent or spec.epic
        if upward and upward in by_key:
            up = by_key[upward]
            extra["parent"] = j.linked(site, up.id, up.key, up.summary, self._status(up.status),
                                       up.kind)
        if spec.blocks and spec.blocks[0] in by_key:
            other = by_key[spec.blocks[0]]
            extra["issuelinks"] = [{
                "id": str(30000 + int(spec.id)), "self": f"{site.api}/issueLink/1",
                "type": {"id": "10000", "name": "Blocks", "inward": "is blocked by",
                         "outward": "blocks", "self": f"{site.api}/issueLinkType/10000"},
                "outwardIssue": j.linked(site, other.id, other.key, other.summary,
                                         self._status(other.status), other.kind)}]
        fields = j.cloud_fields(site, summary=spec.summary, kind=spec.kind,
                                st=self._status(spec.status),
                                created=_jira_time(spec.created),
                                updated=_jira_time(spec.updated), **extra)
        histories = [self._history(spec, row) for row in spec.histories]
        if spec.truncated:  # the search embeds the newest; the endpoint pages oldest first
            self.changelogs[spec.key] = [_dumps(h) for h in histories]
            embedded = histories[-synth.EMBEDDED_HISTORIES :]
            bean = j.issue_bean(site, spec.id, spec.key, fields, embedded, len(histories))
            bean["changelog"]["maxResults"] = synth.EMBEDDED_HISTORIES
            return bean
        return j.issue_bean(site, spec.id, spec.key, fields, histories)

    # -- answering -------------------------------------------------------------------

    def route(self, method: str, target: str, body: bytes) -> Reply:
        split = urlsplit(target)
        if split.path == "/rest/api/2/serverInfo" and method == "GET":  # asked through v2
            info = {**self.j.CLOUD_SERVER_INFO, "baseUrl": self.site.base}
            return Reply(200, _dumps(info).encode(), _jira_headers(), "jira", "serverInfo")
        if not split.path.startswith(self.prefix + "/"):
            return self._error(404, "Not Found")
        path = split.path[len(self.prefix) + 1 :]
        query = dict(parse_qsl(split.query))
        if method == "POST" and path == "search/jql":
            return self._search(body)
        if method != "GET":
            return self._error(405, f"{method} not served: read-only replay", kind="write")
        if path in self.single:
            kind = ("remote links" if path.endswith("/remotelink") else
                    "versions" if path.endswith("/versions") else path)  # field, status
            return Reply(200, self.single[path].encode(), _jira_headers(), "jira", kind)
        match = re.fullmatch(r"issue/([A-Z]+-\d+)/changelog", path)
        if match and match.group(1) in self.changelogs:
            return self._changelog(match.group(1), query)
        return self._error(404, "Not Found")

    def _search(self, raw: bytes) -> Reply:
        try:
            asked = json.loads(raw or b"{}")
        except ValueError:
            return self._error(400, "body is not JSON", kind="search")
        if asked.get("jql") != self.jql:
            return self._error(400, f"unexpected JQL {asked.get('jql')!r}", kind="search")
        size = max(1, min(100, int(asked.get("maxResults", 50))))
        token = asked.get("nextPageToken")
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        chunk = self.issues[start : start + size]
        page: dict[str, Any] = {"issues": _ITEMS}
        if start + size < len(self.issues):
            page["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
            page["isLast"] = False
        else:
            page["isLast"] = True
        text = _dumps(page).replace(_ITEMS_JSON, "[" + ",".join(chunk) + "]", 1)
        return Reply(200, text.encode(), _jira_headers(), "jira", "search")

    def _changelog(self, key: str, query: dict[str, str]) -> Reply:
        values = self.changelogs[key]
        start = int(query.get("startAt", 0))
        size = max(1, min(100, int(query.get("maxResults", 100))))
        chunk = values[start : start + size]
        last = start + size >= len(values)
        base = f"{self.site.api}/issue/{key}/changelog"
        page: dict[str, Any] = {"self": f"{base}?maxResults={size}&startAt={start}",
                                "maxResults": size, "startAt": start, "total": len(values),
                                "isLast": last, "values": _ITEMS}
        if not last:
            page["nextPage"] = f"{base}?maxResults={size}&startAt={start + size}"
        text = _dumps(page).replace(_ITEMS_JSON, "[" + ",".join(chunk) + "]", 1)
        return Reply(200, text.encode(), _jira_headers(), "jira", "changelog")

    @staticmethod
    def _error(status: int, message: str, kind: str = "unknown") -> Reply:
        body = {"errorMessages": [message], "errors": {}}
        return Reply(status, _dumps(body).encode(), _jira_headers(), "jira", kind)


def _jira_headers() -> dict[str, str]:
    return {"Content-Type": "application/json;charset=UTF-8", "Server": "AtlassianEdge",
            "Cache-Control": "no-cache, no-store, no-transform"}
