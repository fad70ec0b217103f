"""One `fetch_release` run: fix version, JQL search, full changelogs, remote links, epics.

Search is called directly rather than through ``JIRA.enhanced_search_issues``: that
method only runs once ``deploymentType`` is known (a ``serverInfo`` round trip), asks
``GET /field`` to translate field names on first use, and caps fetch-all pages at 100.
We paginate ourselves: tokens on Cloud (``/rest/api/3/search/jql``; the old
``/search`` is gone), ``startAt``/``total`` on Server/DC (``/rest/api/2/search``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

from connectors.errors import ConnectorError
from connectors.jira.fields import FieldMap
from connectors.jira.http import Fault, JiraHttp
from connectors.jira.models import JiraIssue, JiraRelease, StatusCategory
from connectors.jira.parse import (
    ParseContext,
    Raw,
    category_of,
    current_categories,
    embedded_histories,
    parse_issue,
    requested_fields,
    status_ids_in,
)
from connectors.jira.settings import JiraSettings
from connectors.provenance import Gap

SOURCE = "jira"
T = TypeVar("T")
V = TypeVar("V")
# Jira keys that a merged PR or a commit of the release names; None when not known.
NamedByCode = Callable[[], frozenset[str] | None]


def credentials_rejected(url: str, fault: Fault) -> ConnectorError:
    return ConnectorError(
        f"jira: credentials rejected by {url} ({fault.why}); "
        "check JIRA_EMAIL/JIRA_API_TOKEN or JIRA_PAT"
    )


class ReleaseRun:
    """State of one `fetch_release` call: what was read, what is missing."""

    def __init__(self, http: JiraHttp, settings: JiraSettings, fields: FieldMap, project: str,
                 as_of: datetime):
        self.http = http
        self.settings = settings
        self.fields = fields
        self.project = project
        self.as_of = as_of
        self.gaps: list[Gap] = []
        self.links_skipped: dict[str, int] = {}  # why remote links were not asked -> issues
        self.authenticated = False  # a 401 before any success means bad credentials

    # --- orchestration ------------------------------------------------------------

    def fetch(self, fix_version: str | None, jql: str | None, *, remote_links: bool,
              named_by_code: NamedByCode | None = None) -> JiraRelease:
        version = self.resolve_version(fix_version) if fix_version or not jql else None
        base = {"project": self.project, **_version_fields(version)}
        if jql is not None:
            query = jql
        elif version is not None:
            query = _release_jql(self.project, str(version.get("id")))
        else:  # the version list could not be read: already a gap
            return JiraRelease(jql="", **base)
        raw = self.search(query)
        # Changelogs and remote links are independent: one pool serves both, changelogs
        # first (the status categories wait on them), links once their scope is known.
        with self._pool() as pool:
            truncated = self.truncated_changelogs(raw)
            changelogs = _start(pool, self._full_changelog, truncated)
            targets = self.link_targets(raw, named_by_code) if remote_links else []
            links = _start(pool, self._links_of, {key: key for key in targets})
            histories = self.complete_changelogs(truncated, changelogs)
            categories = pool.submit(self.status_categories, raw, histories).result()
            read = self.links_read(links)
        context = ParseContext(fields=self.fields, as_of=self.as_of, categories=categories)
        issues = _with_inherited_epics(self.parse_all(raw, context, histories, read))
        return JiraRelease(jql=query, issues=issues, epics=_epics(issues), **base)

    def fault(self, fault: Fault, what: str) -> None:
        if fault.status == 401 and not self.authenticated:
            raise credentials_rejected(self.settings.url, fault)
        self.gaps.append(Gap(source=SOURCE, what=what, why=fault.why))

    def ok(self, body: T) -> T:
        self.authenticated = True
        return body

    # --- fix version -------------------------------------------------------------

    def resolve_version(self, name: str | None) -> Raw | None:
        try:
            versions = self.ok(self.http.get(f"project/{self.project}/versions", expect=list))
        except Fault as fault:
            if fault.status == 404:
                missing = f"jira: project {self.project} not found ({fault.why})"
                raise ConnectorError(missing) from None
            self.fault(fault, f"fix versions of {self.project}")
            return None
        return _pick_version([v for v in versions if isinstance(v, dict)], name, self.project)

    # --- search ------------------------------------------------------------------

    def search(self, jql: str) -> list[Raw]:
        pages = self._cloud_pages(jql) if self.settings.is_cloud else self._server_pages(jql)
        issues: dict[str, Raw] = {}
        try:
            for page in pages:
                issues.update((str(i.get("id", i.get("key"))), i) for i in self.ok(page))
        except Fault as fault:
            if fault.status == 400 and not issues:
                raise ConnectorError(f"jira: search rejected: {fault.why} (JQL: {jql})") from None
            self.fault(fault, f"issues after the first {len(issues)}" if issues else "issues")
        return list(issues.values())

    def _search_body(self) -> dict[str, Any]:
        return {"maxResults": self.settings.max_results, "fields": requested_fields(self.fields)}

    def _cloud_pages(self, jql: str) -> Iterator[list[Raw]]:
        # Pages may hold fewer than maxResults (Jira trims pages with many fields), so
        # only the token says whether more exist.
        body = {"jql": jql, **self._search_body(), "expand": "changelog"}
        seen: set[str] = set()
        while True:
            page = self.http.post("search/jql", body)
            yield _issues_of(page)
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True or token in seen:
                return
            seen.add(token)
            body = {**body, "nextPageToken": token}

    def _server_pages(self, jql: str) -> Iterator[list[Raw]]:
        start = 0
        while True:
            body = {"jql": jql, "startAt": start, **self._search_body(), "expand": ["changelog"]}
            page = self.http.post("search", body)
            issues = _issues_of(page)
            yield issues
            start += len(issues)
            total = page.get("total")
            if not issues or not isinstance(total, int) or start >= total:
                return

    # --- changelogs ----------------------------------------------------------------

    def truncated_changelogs(self, raw: list[Raw]) -> dict[str, Raw]:
        """Issues whose embedded changelog was cut short, where they can be completed."""
        truncated = {str(i["key"]): i for i in raw if _changelog_missing(i)}
        if truncated and not self.settings.is_cloud:  # no per-issue changelog on Server/DC
            for key, issue in truncated.items():
                log = issue["changelog"]
                why = f"changelog truncated at {len(log['histories'])} of {log['total']} histories"
                self.gaps.append(Gap(source=SOURCE, what=f"changelog of {key}", why=why))
            return {}
        return truncated

    def complete_changelogs(
        self, truncated: dict[str, Raw], pending: dict[str, Future[list[Raw] | Fault]]
    ) -> dict[str, list[Raw]]:
        """Full histories of the truncated issues, as their reads finish."""
        complete: dict[str, list[Raw]] = {}
        for key, future in pending.items():
            result = future.result()
            if isinstance(result, Fault):
                shown = len(embedded_histories(truncated[key]))
                self.fault(result, f"changelog of {key} beyond the {shown} histories searched")
            else:
                complete[key] = result
        return complete

    def _full_changelog(self, issue: Raw) -> list[Raw]:
        """Page /issue/{key}/changelog until, merged with the embedded part, nothing is missing."""
        log = issue["changelog"]
        merged = {str(h.get("id")): h for h in log["histories"] if isinstance(h, dict)}
        start = 0
        while len(merged) < log["total"]:
            params = {"startAt": start, "maxResults": self.settings.changelog_page_size}
            page = self.http.get(f"issue/{issue['key']}/changelog", params)
            values = _values_of(page)
            merged.update((str(h.get("id")), h) for h in values)
            start += len(values)
            if not values or page.get("isLast") is True:
                break
        return list(merged.values())

    # --- status categories --------------------------------------------------------------

    def status_categories(
        self, raw: list[Raw], histories: dict[str, list[Raw]]
    ) -> dict[str, StatusCategory]:
        """Categories of every status in the histories; asks /status only for strangers."""
        known = current_categories(raw)
        seen: set[str] = set()
        for issue in raw:
            seen |= status_ids_in(histories.get(str(issue.get("key"))) or embedded_histories(issue))
        if not seen - known.keys():
            return known
        try:
            statuses = self.ok(self.http.get("status", expect=list))
        except Fault as fault:
            self.fault(fault, "status categories (reopen counts may be low)")
            return known
        for status in statuses:
            category = category_of(status)
            if isinstance(status, dict) and category is not None:
                known[str(status.get("id"))] = category
        return known

    # --- remote links ----------------------------------------------------------------

    def link_targets(self, raw: list[Raw], named_by_code: NamedByCode | None) -> list[str]:
        """The issues whose remote links are read: all, or with the release's code known,
        those it leaves open (done, or of no known category, and named by no merged PR
        or commit). The rest are counted in ``links_skipped`` by reason."""
        self.links_skipped = {}
        keys = [str(i["key"]) for i in raw if i.get("key")]
        named = named_by_code() if named_by_code is not None else None
        if named is None:
            return keys
        targets: list[str] = []
        skipped: Counter[str] = Counter()
        for issue in raw:
            key = str(issue.get("key") or "")
            if not key:
                continue
            status = _obj(_obj(issue.get("fields")).get("status"))
            if category_of(status) not in (None, "done"):
                skipped["not done"] += 1
            elif key in named:
                skipped["named by the release's code"] += 1
            else:
                targets.append(key)
        self.links_skipped = dict(skipped)
        return targets

    def remote_links(self, keys: list[str]) -> dict[str, list[Raw]]:
        """The remote links of ``keys``, read concurrently; a failed read is a gap."""
        with self._pool() as pool:
            return self.links_read(_start(pool, self._links_of, {key: key for key in keys}))

    def _links_of(self, key: str) -> list[Raw]:
        result: list[Raw] = self.http.get(f"issue/{key}/remotelink", expect=list)
        return result

    def links_read(self, pending: dict[str, Future[list[Raw] | Fault]]) -> dict[str, list[Raw]]:
        failed: dict[str, list[str]] = {}
        links: dict[str, list[Raw]] = {}
        for key, future in pending.items():
            result = future.result()
            if isinstance(result, Fault):
                failed.setdefault(result.why, []).append(key)
            else:
                links[key] = [link for link in result if isinstance(link, dict)]
        for why, failed_keys in failed.items():  # one gap per cause, not per issue
            what = f"remote links of {', '.join(sorted(failed_keys))}"
            self.gaps.append(Gap(source=SOURCE, what=what, why=why))
        return links

    @contextmanager
    def _pool(self) -> Iterator[ThreadPoolExecutor]:
        pool = ThreadPoolExecutor(max_workers=max(1, self.settings.workers),
                                  thread_name_prefix="jira")
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after a fatal error, stop early

    # --- parsing ---------------------------------------------------------------------

    def parse_all(
        self,
        raw: list[Raw],
        context: ParseContext,
        histories: dict[str, list[Raw]],
        links: dict[str, list[Raw]],
    ) -> list[JiraIssue]:
        issues: list[JiraIssue] = []
        for issue in raw:
            key = str(issue.get("key", "?"))
            try:
                issues.append(parse_issue(issue, context, histories.get(key), links.get(key)))
            except ValueError as exc:
                why = f"malformed issue: {str(exc).splitlines()[0][:200]}"
                self.gaps.append(Gap(source=SOURCE, what=f"issue {key}", why=why))
        return sorted(issues, key=_key_order)


# --- helpers -----------------------------------------------------------------------


def _start(pool: ThreadPoolExecutor, fetch: Callable[[V], T],
           items: dict[str, V]) -> dict[str, Future[T | Fault]]:
    """``fetch`` of every item queued on ``pool``; a fault comes back as a value."""

    def attempt(item: V) -> T | Fault:
        try:
            return fetch(item)
        except Fault as fault:
            return fault

    return {key: pool.submit(attempt, item) for key, item in items.items()}


def _obj(value: object) -> Raw:
    return value if isinstance(value, dict) else {}


def _issues_of(page: Raw) -> list[Raw]:
    issues = page.get("issues")
    if not isinstance(issues, list):
        raise Fault(200, "malformed response: search page without an issues list")
    return [i for i in issues if isinstance(i, dict)]


def _values_of(page: Raw) -> list[Raw]:
    values = page.get("values")
    if not isinstance(values, list):
        raise Fault(200, "malformed response: changelog page without values")
    return [v for v in values if isinstance(v, dict)]


def _changelog_missing(issue: Raw) -> bool:
    log = issue.get("changelog")
    if not isinstance(log, dict) or not issue.get("key"):
        return False
    total = log.get("total")
    histories = log.get("histories")
    return isinstance(total, int) and isinstance(histories, list) and total > len(histories)


def _pick_version(versions: list[Raw], name: str | None, project: str) -> Raw:
    if name is not None:
        exact = [v for v in versions if v.get("name") == name]
        folded = [v for v in versions if str(v.get("name", "")).casefold() == name.casefold()]
        match = exact or (folded if len(folded) == 1 else [])
        if not match:
            raise ConnectorError(f"jira: fix version {name!r} not found in project {project}")
        return match[0]
    upcoming = [v for v in versions if not v.get("released") and not v.get("archived")]
    if not upcoming:
        raise ConnectorError(f"jira: project {project} has no unreleased version; name one")
    # The next release: earliest release date; undated versions after dated ones.
    return min(
        upcoming, key=lambda v: (str(v.get("releaseDate") or "9999-12-31"), _int(v.get("id")))
    )


def _int(value: object) -> int:
    text = str(value)
    return int(text) if text.isdigit() else 0


def _version_fields(version: Raw | None) -> dict[str, Any]:
    if version is None:
        return {}
    return {
        "fix_version": version.get("name"),
        "fix_version_id": str(version.get("id")),
        "released": version.get("released"),
        "release_date": _date(version.get("releaseDate")),
    }


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _release_jql(project: str, version_id: str) -> str:
    # Ids, not names: version names may hold quotes; the key was validated above.
    return f'project = "{project}" AND fixVersion = {version_id} ORDER BY key ASC'


def _key_order(issue: JiraIssue) -> tuple[str, int]:
    project, _, number = issue.key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)


def _with_inherited_epics(issues: list[JiraIssue]) -> list[JiraIssue]:
    """Sub-tasks roll up to their parent's epic when the parent is in the release."""
    by_key = {i.key: i for i in issues}
    resolved: list[JiraIssue] = []
    for issue in issues:
        parent = by_key.get(issue.parent_key or "")
        if issue.epic_key is None and parent is not None and parent.epic_key is not None:
            issue = issue.model_copy(update={"epic_key": parent.epic_key})
        resolved.append(issue)
    return resolved


def _epics(issues: list[JiraIssue]) -> dict[str, list[str]]:
    epics: dict[str, list[str]] = {i.key: [] for i in issues if i.is_epic}
    for issue in issues:
        if issue.epic_key:
            epics.setdefault(issue.epic_key, []).append(issue.key)
    return epics
