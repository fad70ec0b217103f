"""Write ``cassettes/demo/{github,jira,confluence,osv}/release.yaml`` from the demo data.

Bodies come from the shape builders of ``scripts/make_github_cassettes.py`` (GitHub's
OpenAPI examples, retargeted), ``make_jira_cassettes.py`` and
``make_confluence_cassettes.py``; this module only feeds them the demo organisation and
sets the fields those fixtures hard-code (their 2024 clock, environment names, page
sizes). Import those scripts with ``scripts/`` on ``sys.path`` (as build_demo.py does);
the GitHub builders read GitHub's OpenAPI description from ``../shared``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from connectors.osv.models import PackageRef
from scripts.demo_org import code, issues, pages, pulls
from scripts.demo_org.org import (
    BASE,
    CONFLUENCE_PAGE_SIZE,
    CONFLUENCE_SPACE,
    ENVIRONMENTS,
    FIX_VERSION,
    GITHUB_PER_PAGE,
    HEAD,
    JIRA_MAX_RESULTS,
    JIRA_PROJECT,
    JIRA_URL,
    NOW,
    PEOPLE,
    RELEASE_DATE,
    REPO,
    REPO_ID,
    iso,
    jira_time,
)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "cassettes" / "demo"
RELEASE_JQL = f'project = "{JIRA_PROJECT}" AND fixVersion = {issues.VERSION_ID} ORDER BY key ASC'
CQL = f'type = page AND space = "{CONFLUENCE_SPACE}"'
HTTP_DATE = format_datetime(NOW, usegmt=True)

# -- GitHub ---------------------------------------------------------------------------------

_UIDS = {login: 41_000_000 + 7919 * i for i, login in enumerate(
    [*PEOPLE, "dependabot[bot]", "deploy-bot", "web-flow"])}
_UIDS["dependabot[bot]"], _UIDS["web-flow"] = 49699333, 19864447  # their real ids


def _gh() -> Any:
    import make_github_cassettes as gh

    gh.NOW = NOW - timedelta(minutes=3)  # the tape's clock: a few seconds per request
    gh.PER_PAGE = GITHUB_PER_PAGE
    gh.OUT = OUT / "github"
    # The fixtures write "MM-DD HH:MM" of 2024; the demo passes full timestamps.
    gh.iso = lambda when: when if "T" in when else f"2025-{when.replace(' ', 'T')}:00Z"
    gh.NAMES.update({login: person.name for login, person in PEOPLE.items()})
    gh.NAMES["dependabot[bot]"] = "dependabot[bot]"
    return gh


def _user(gh: Any, host: Any, login: str | None) -> Any:
    if login is None:
        return None
    kind = "Bot" if login.endswith("[bot]") or login == "deploy-bot" else "User"
    return host.user(login, _UIDS[login], kind)


def _commit(gh: Any, host: Any, commit: pulls.Commit | pulls.DirectCommit, parent: str,
            by_github: bool) -> Any:
    when = iso(commit.when)
    stand_in = gh.C(commit.sha, commit.message, commit.login, when,
                    committer="web-flow" if by_github else commit.login)
    body = gh.replace(gh.commit(host, stand_in, parent), (stand_in.sha, commit.sha))
    person = PEOPLE.get(commit.login)
    name, email = ((person.name, person.email) if person else
                   (commit.login, f"{_UIDS[commit.login]}+{commit.login}@users.noreply.github.com"))
    body["commit"]["author"].update(name=name, email=email)
    if not by_github:
        body["commit"]["committer"].update(name=name, email=email)
    body["author"] = _user(gh, host, commit.login)
    body["committer"] = _user(gh, host, "web-flow" if by_github else commit.login)
    body["commit"]["verification"] = {"verified": by_github, "reason": "valid" if by_github
                                      else "unsigned", "signature": None, "payload": None,
                                      "verified_at": when if by_github else None}
    return body


@dataclass(frozen=True)
class _DemoPull:
    """``make_github_cassettes.P`` with the demo's head and merge SHAs."""

    base: Any
    head: str
    merge: str | None

    def __getattr__(self, name: str) -> Any:
        if name == "head_sha":
            return self.head
        if name == "merge_sha":
            return self.merge
        return getattr(self.base, name)


def _as_p(gh: Any, pull: pulls.Pull) -> Any:
    fields = dict(
        number=pull.number, title=pull.title, body=pull.body, author=pull.author,
        head_ref=pull.branch, created=iso(pull.opened), updated=iso(pull.updated_at),
        merged=iso(pull.merged) if pull.merged else None, labels=pull.labels,
        closed=None if pull.merged else iso(pull.updated_at), merged_by=pull.merger)
    return _DemoPull(gh.P(**fields), pull.head_sha, pull.merge_sha if pull.merged else None)


def _parts(gh: Any, pull: pulls.Pull, changes: Sequence[code.FileChange]) -> Any:
    """What GraphQL says of one PR (reviews, check runs, statuses) and its files."""
    reviews = [gh.R(2_600_000_000 + pull.number * 10 + index, r.login, r.state,
                    iso(pull.opened + timedelta(hours=r.after_h)))
               for index, r in enumerate(pull.reviews)]
    checks = [gh.K(33_100_000_000 + pull.number * 100 + index, k.name, "completed", k.conclusion)
              for index, k in enumerate(pull.checks)]
    files = [gh.F(c.path, c.status, c.additions, c.deletions, c.patch) for c in changes]
    return gh.Parts(files=files, reviews=reviews, checks=checks, statuses=list(pull.statuses),
                    state=pull.combined_state)


def _deployment(gh: Any, host: Any, d: pulls.Deployment) -> Any:
    body = gh.deployment(host, gh.D(d.id, d.ref, d.sha, iso(d.created)))
    body.update(sha=d.sha, environment=d.environment, original_environment=d.environment,
                description=f"Deploy {d.ref} ({d.sha[:7]}) to {d.environment}",
                task="deploy", production_environment=d.environment == "production",
                transient_environment=False, creator=_user(gh, host, "deploy-bot"))
    return body


def _deployment_statuses(gh: Any, host: Any, d: pulls.Deployment) -> list[Any]:
    rows = []
    for index, (state, minutes, text) in enumerate(d.statuses):
        when = iso(d.created + timedelta(minutes=minutes))
        stand_in = gh.D(d.id, d.ref, d.sha, iso(d.created), ((state, when, text),))
        body = gh.deployment_status(host, stand_in, 0)
        host_name = "api.acme-pay.example" if d.environment == "production" else (
            "api.staging.acme-pay.example")
        body.update(id=d.id * 10 + index, environment=d.environment,
                    environment_url=f"https://{host_name}",
                    target_url=f"https://argocd.acme-pay.example/applications/payments-api-"
                               f"{d.environment}?deployment={d.id}",
                    log_url=f"https://argocd.acme-pay.example/applications/payments-api-"
                            f"{d.environment}?deployment={d.id}&view=logs",
                    creator=_user(gh, host, "deploy-bot"),
                    url=f"{host.repo_api}/deployments/{d.id}/statuses/{d.id * 10 + index}")
        rows.append(body)
    return rows


def _range_files(gh: Any, host: Any, changes: dict[int, list[code.FileChange]]) -> list[Any]:
    """The compare's file list (first page only, as GitHub sends it), patches left out."""
    totals: dict[str, list[Any]] = {}
    for number in sorted(changes):
        for c in changes[number]:
            entry = totals.setdefault(c.path, [c.status, 0, 0])
            entry[1] += c.additions
            entry[2] += c.deletions
    files = []
    for path, (status, added, deleted) in sorted(totals.items()):
        body = gh.diff_entry(host, gh.F(path, status, added, deleted, None), pulls.DIRECT[-1].sha)
        files.append(body)
    return files


def write_github() -> int:
    """What the connector reads: the repository, CODEOWNERS, the compare, the merged PRs
    of its commits (GraphQL), their metadata (GraphQL) and patches (compares of
    back-to-back merges, REST file listings for the rest), deployments."""
    gh = _gh()
    host = gh.Host(full_name=REPO, repo_id=REPO_ID)
    tape = gh.Tape(limit=5000, used=212)
    repo = f"/repos/{REPO}"
    body = gh.repository(host)
    body.update(description="Acme Pay payments API: authorise, capture, refund, settle",
                homepage="https://docs.acme-pay.example/api", language="Python",
                topics=["payments", "pci", "fastapi"], created_at="2021-06-14T09:12:44Z",
                pushed_at=iso(pulls.DIRECT[-1].when), updated_at=iso(pulls.DIRECT[-1].when))
    tape.add("GET", f"{host.api}{repo}", 200, body)
    tape.add("GET", f"{host.api}{repo}/contents/.github/CODEOWNERS?ref={HEAD}", 200,
             gh.content_file(host, ".github/CODEOWNERS", HEAD, code.CODEOWNERS))

    commits, parent = [], pulls.BASE_COMMIT.sha
    for c in pulls.range_commits():
        commits.append(_commit(gh, host, c, parent, c.by_github))
        parent = c.sha
    base = _commit(gh, host, pulls.BASE_COMMIT, pulls.sha("release:2.2.1"), False)
    changes = code.file_changes()
    span = f"{BASE}...{HEAD}"

    def comparison(chunk: list[Any], page: int) -> Any:
        page_body = gh.comparison(host, span, chunk, len(commits), page)
        page_body.update(base_commit=base, merge_base_commit=base,
                         permalink_url=f"{host.repo_web}/compare/acme-pay:{base['sha'][:7]}"
                                       f"...acme-pay:{pulls.DIRECT[-1].sha[:7]}")
        if page == 1:
            page_body["files"] = _range_files(gh, host, changes)
        return page_body

    gh.paged(tape, host, f"{repo}/compare/{span}", commits, wrap=comparison)
    # Squash merges: each merged PR brought in its one commit; the direct pushes, none.
    by_merge = {p.merge_sha: p for p in pulls.MERGED if p.merged}
    gh.associations(tape, host, [
        (c.sha, [(by_merge[c.sha].number, iso(by_merge[c.sha].merged))] if c.sha in by_merge
         else []) for c in pulls.range_commits()])
    merged = [(_as_p(gh, p), _parts(gh, p, changes[p.number])) for p in pulls.MERGED]
    gh.metadata(tape, host, merged)
    merged_of = {c.sha: (by_merge[c.sha].number,) if c.sha in by_merge else ()
                 for c in pulls.range_commits()}
    gh.merged_files(tape, host, base, commits, merged_of, merged)

    since = pulls.range_commits()[0].when - timedelta(minutes=10)
    for env in ENVIRONMENTS:
        rows = pulls.deployments_of(env)
        assert len(rows) <= GITHUB_PER_PAGE and rows[-1].created < since, env
        gh.paged(tape, host, f"{repo}/deployments", [_deployment(gh, host, d) for d in rows],
                 params={"environment": env}, requested=1, last=4)
    for d in sorted((d for d in pulls.DEPLOYMENTS if d.created >= since),
                    key=lambda d: d.created, reverse=True):
        gh.paged(tape, host, f"{repo}/deployments/{d.id}/statuses",
                 _deployment_statuses(gh, host, d))
    tape.write("release")
    return len(tape.interactions)


# -- Jira -----------------------------------------------------------------------------------


def _mj() -> Any:
    import make_jira_cassettes as mj

    return mj


class _JiraSite:
    """``make_jira_cassettes.Site`` with the demo's date on every response."""

    def __init__(self, mj: Any) -> None:
        self.site = mj.Site(JIRA_URL, cloud=True)
        original = self.site.headers

        def headers(status: int, seed: str, extra: dict[str, str] | None = None) -> Any:
            return {**original(status, seed, extra), "Date": HTTP_DATE}

        self.site.headers = headers


def _account(login: str) -> str:
    import uuid

    return "712020:" + str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{login}.acme-pay.example"))


def _jira_user(site: Any, login: str | None) -> Any:
    if login is None:
        return None
    person, account = PEOPLE[login], _account(login)
    avatar = f"https://secure.gravatar.com/avatar/{account[-32:].replace('-', '')}?d=mm"
    return {
        "self": f"{site.api}/user?accountId={account}", "accountId": account,
        "avatarUrls": {s: f"{avatar}&s={s[:2]}" for s in ("48x48", "24x24", "16x16", "32x32")},
        "displayName": person.name, "active": True, "timeZone": "Europe/Berlin",
        "accountType": "atlassian",
    }


def _status(mj: Any, site: Any, name: str) -> Any:
    sid, category = issues.STATUSES[name]
    return mj.status(site, sid, name, category)


def _versions(mj: Any, site: Any) -> list[Any]:
    return [
        mj.version(site, "10231", "2.2.0", True, "2024-11-26", project_id=10400),
        mj.version(site, "10235", "2.3.0", True, "2025-01-21", project_id=10400),
        mj.version(site, issues.VERSION_ID, FIX_VERSION, False, RELEASE_DATE.isoformat(),
                   project_id=10400),
        mj.version(site, "10244", "2.5.0", False, "2025-04-16", project_id=10400),
    ]


def _link(mj: Any, site: Any, index: int, link: issues.Link, inward: bool) -> Any:
    kinds = {"is blocked by": ("10000", "Blocks", "is blocked by", "blocks"),
             "relates to": ("10003", "Relates", "relates to", "relates to")}
    tid, name, inward_text, outward_text = kinds[link.relation]
    other = issues.BY_KEY.get(link.key)
    iid = other.id if other else str(20000 + int(link.key.split("-")[1]))
    return {
        "id": str(10500 + index), "self": f"{site.api}/issueLink/{10500 + index}",
        "type": {"id": tid, "name": name, "inward": inward_text, "outward": outward_text,
                 "self": f"{site.api}/issueLinkType/{tid}"},
        ("inwardIssue" if inward else "outwardIssue"): mj.linked(
            site, iid, link.key, link.summary, _status(mj, site, link.status), link.kind,
            link.priority),
    }


def _bean(mj: Any, site: Any, issue: issues.Issue, fix: Any) -> Any:
    fields: dict[str, Any] = mj.cloud_fields(
        site, summary=issue.summary, kind=issue.kind, st=_status(mj, site, issue.status),
        created=jira_time(issue.created_at), updated=jira_time(issue.updated_at),
        prio=issue.priority)
    components = {"vault": "10101", "settlement": "10102", "checkout": "10103", "api": "10104",
                  "infra": "10105"}
    fields.update(
        labels=list(issue.labels),
        components=[mj.component(site, components[c], c) for c in issue.components],
        assignee=_jira_user(site, issue.assignee), reporter=_jira_user(site, issue.reporter),
        fixVersions=[fix], customfield_10016=issue.points,
        description=mj.adf(mj.para(mj.text(issue.description))) if issue.description else None,
        issuelinks=[_link(mj, site, i, link, link.relation == "is blocked by")
                    for i, link in enumerate(issue.links)])
    if issue.resolved_at is not None:
        fields.update(resolution=mj.resolution(site), resolutiondate=jira_time(issue.resolved_at))
    parent_key = issue.epic or issue.parent
    if parent_key:
        parent = issues.BY_KEY[parent_key]
        fields["parent"] = mj.linked(site, parent.id, parent.key, parent.summary,
                                     _status(mj, site, parent.status), parent.kind,
                                     parent.priority)
    histories, previous = [], "To Do"
    for n, (when, status, who) in enumerate(issue.flow):
        histories.append(mj.history(site, int(issue.id) * 10 + n, _jira_user(site, who),
                                    jira_time(issues.at(when)),
                                    [mj.status_change(site, _status(mj, site, previous),
                                                      _status(mj, site, status))]))
        previous = status
    return mj.issue_bean(site, issue.id, issue.key, fields, histories)


def _remote_links(mj: Any, site: Any, issue: issues.Issue) -> list[Any]:
    titles = {p.number: p.title for p in pulls.MERGED}
    return [mj.remote_link(site, issue.key, 30000 + number,
                           f"https://github.com/{REPO}/pull/{number}",
                           f"#{number} {titles[number]}",
                           ("com.github.integration", "GitHub"), "mentioned in", True, "Merged")
            for number in issue.remote]


def link_targets() -> list[issues.Issue]:
    """The issues whose remote links the connector reads: done, named by no code."""
    named = pulls.code_keys()
    return sorted((i for i in issues.ISSUES
                   if issues.STATUSES[i.status][1] == "done" and i.key not in named),
                  key=lambda i: int(i.key.split("-")[1]))


def write_jira() -> int:
    mj = _mj()
    site = _JiraSite(mj).site
    fix = mj.fix_version_ref(_versions(mj, site)[2])
    ordered = sorted(issues.ISSUES, key=lambda i: int(i.key.split("-")[1]))
    beans = [_bean(mj, site, i, fix) for i in ordered]
    calls = [*mj.preamble(site, "demo"),
             site.call("GET", f"project/{JIRA_PROJECT}/versions", 200, _versions(mj, site),
                       seed="demo-versions")]
    token = None
    for start in range(0, len(beans), JIRA_MAX_RESULTS):
        chunk = beans[start:start + JIRA_MAX_RESULTS]
        last = start + JIRA_MAX_RESULTS >= len(beans)
        page: dict[str, Any] = {"issues": chunk, "isLast": last}
        following = None if last else _page_token(start + JIRA_MAX_RESULTS)
        if following:
            page["nextPageToken"] = following
        calls.append(site.call("POST", "search/jql", 200, page, seed=f"demo-search-{start}",
                               request_body=mj.search_body(RELEASE_JQL, token=token,
                                                           max_results=JIRA_MAX_RESULTS),
                               compact=True))
        token = following
    # "Reopened" only appears in a changelog, so its category comes from /status.
    calls.append(site.call("GET", "status", 200,
                           [_status(mj, site, name) for name in issues.STATUSES],
                           seed="demo-status"))
    for issue in link_targets():
        calls.append(site.call("GET", f"issue/{issue.key}/remotelink", 200,
                               _remote_links(mj, site, issue), seed=f"demo-rl-{issue.key}"))
    mj.write("demo/jira", "release", calls)
    return len(calls)


def _page_token(offset: int) -> str:
    import base64

    raw = f"\x0a\x09key ASC\x12\x02{offset}\x1a\x06PAY-{100 + offset}".encode()
    return base64.urlsafe_b64encode(raw).decode()


# -- Confluence ---------------------------------------------------------------------------------


def write_confluence() -> int:
    import make_confluence_cassettes as mc

    mj = _mj()
    site = mc.Site("https://acme-pay.atlassian.net", "/wiki", cloud=True)
    original = site.headers
    site.headers = lambda status, extra=None: {**original(status, extra), "Date": HTTP_DATE}

    def user(login: str) -> Any:
        account = _account(login)
        return {"type": "known", "accountId": account, "accountType": "atlassian", "email": "",
                "publicName": PEOPLE[login].name, "displayName": PEOPLE[login].name,
                "profilePicture": {"path": f"/wiki/aa-avatar/{account}", "width": 48,
                                   "height": 48, "isDefault": False},
                "isExternalCollaborator": False,
                "_expandable": {"operations": "", "personalSpace": ""},
                "_links": {"self": f"{site.base}/rest/api/user?accountId={account}"}}

    space = site.space(CONFLUENCE_SPACE, "Payments", 2293760)
    by_id = {p.id: p for p in pages.PAGES}

    def ancestors(page: pages.Page) -> list[Any]:
        chain, parent = [], page.parent
        while parent:
            chain.insert(0, site.ancestor(parent, by_id[parent].title, CONFLUENCE_SPACE))
            parent = by_id[parent].parent
        return chain

    results = [site.page(p.id, p.title, space=space, version=p.version, when=pages.when(p),
                         by=user(p.by), labels=list(p.labels), ancestors=ancestors(p),
                         body=p.body, position=i)
               for i, p in enumerate(pages.PAGES)]
    calls, size = [], CONFLUENCE_PAGE_SIZE
    uri = site.search_uri(CQL, limit=size)
    for start in range(0, len(results), size):
        following = None
        if start + size < len(results):
            following = "/rest/api/content/search?" + urlencode({
                "next": "true", "cursor": f"_f_{start + size}_sa_" + str(2293760 + start),
                "expand": mc.EXPAND, "limit": str(size), "start": str(start + size),
                "cql": CQL})
        body = site.envelope(results[start:start + size], start, CQL, following, uri)
        body["limit"] = size
        if "prev" in body["_links"]:
            body["_links"]["prev"] = body["_links"]["prev"].replace("limit=50", f"limit={size}")
        calls.append(site.get(uri, 200, body, compact=True))
        uri = site.base + following if following else uri
    mj.write("demo/confluence", "release", calls)
    return len(calls)


# -- OSV ---------------------------------------------------------------------------------------

OSV_SOURCE = ROOT / "cassettes" / "osv" / "querybatch_requests_jinja2.yaml"
# What OSV knows of the versions the demo pins: record ids, taken from the OSV records
# in cassettes/osv (OSV's own JSON). Any other package version has none.
KNOWN = {("jinja2", "2.11.2"): ("GHSA-g3rq-g295-4j3m", "PYSEC-2021-66"),
         ("requests", "2.19.0"): ("GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q", "PYSEC-2018-28")}
OSV_HEADERS = {
    "Content-Type": ["application/json"], "Date": [HTTP_DATE], "Server": ["Google Frontend"],
    "Vary": ["Accept-Encoding"], "Alt-Svc": ['h3=":443"; ma=2592000,h3-29=":443"; ma=2592000'],
    "Cache-Control": ["private"],
}


def _osv_records() -> dict[str, str]:
    loaded = yaml.safe_load(OSV_SOURCE.read_text(encoding="utf-8"))
    return {i["request"]["uri"].rsplit("/", 1)[1]: i["response"]["body"]["string"]
            for i in loaded["interactions"] if i["request"]["method"] == "GET"}


def write_osv(packages: Sequence[PackageRef]) -> int:
    records = _osv_records()
    queries = [{"package": {"ecosystem": p.ecosystem, "name": p.name}, "version": p.version}
               for p in packages]
    results = []
    for p in packages:
        ids = KNOWN.get((p.name, p.version), ())
        vulns = [{"id": i, "modified": json.loads(records[i])["modified"]} for i in ids]
        results.append({"vulns": vulns} if vulns else {})
    request_headers = {"User-Agent": ["python-requests/2.34.2"],
                       "Accept-Encoding": ["gzip, deflate"], "Accept": ["*/*"],
                       "Connection": ["keep-alive"]}

    def interaction(method: str, uri: str, sent: Any, text: str) -> Any:
        headers = dict(request_headers)
        if sent is not None:
            headers["Content-Type"] = ["application/json"]
        return {"request": {"body": json.dumps(sent) if sent is not None else None,
                            "headers": headers, "method": method, "uri": uri},
                "response": {"status": {"code": 200, "message": "OK"},
                             "headers": OSV_HEADERS, "body": {"string": text}}}

    calls = [interaction("POST", "https://api.osv.dev/v1/querybatch", {"queries": queries},
                         json.dumps({"results": results}, indent=2) + "\n")]
    for ids in dict.fromkeys(KNOWN.get((p.name, p.version), ()) for p in packages):
        for vuln in ids:
            calls.append(interaction("GET", f"https://api.osv.dev/v1/vulns/{vuln}", None,
                                     records[vuln]))
    _mj().write("demo/osv", "release", calls)
    return len(calls)
