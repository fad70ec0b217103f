"""Write ``cassettes/github/*.yaml`` from compact fixtures, on GitHub's own response shapes.

Every JSON body starts from the official example of its schema in GitHub's OpenAPI
description (``../shared/api-specs/github``), retargeted to a fixture repository and
overridden field by field. Headers are the ones api.github.com sends: rate-limit
headers, a request id, and ``Link`` URLs in GitHub's ``/repositories/{id}/...`` form.
``tests/contract/test_github_contract.py`` validates the output against the same spec.

    .venv/bin/python scripts/make_github_cassettes.py
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "api-specs" / "github" / "api.github.com.json"
OUT = ROOT / "cassettes" / "github"
USER_AGENT = "release-risk-advisor (read-only)"
NOW = datetime(2024, 10, 7, 9, 0, tzinfo=UTC)  # when the fixtures were "recorded"
PER_PAGE = 3  # the tests use small pages, so pagination shows in a few rows
EXAMPLE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"  # the examples' favourite commit

EXAMPLES: dict[str, Any] = json.loads(SPEC.read_text())["components"]["examples"]
NAMES = {
    "alice": "Alice Adams",
    "bob": "Bob Brown",
    "carol": "Carol Chen",
    "dave": "Dave Diaz",
    "erin": "Erin Evans",
    "frank": "Frank Fox",
    "grace": "Grace Green",
    None: "Build Robot",
}


def example(name: str) -> Any:
    return copy.deepcopy(EXAMPLES[name]["value"])


def sha(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()  # noqa: S324 - fixture ids, not security


def iso(when: str) -> str:
    """``"10-01 08:40"`` (2024, UTC) as GitHub writes it."""
    return f"2024-{when.replace(' ', 'T')}:00Z"


def replace(value: Any, *pairs: tuple[str, str]) -> Any:
    text = json.dumps(value)
    for old, new in pairs:
        text = text.replace(old, new)
    return json.loads(text)


# -- where the fixture repository lives --------------------------------------------------


@dataclass(frozen=True)
class Host:
    api: str = "https://api.github.com"
    web: str = "https://github.com"
    full_name: str = "acme/shop"
    repo_id: int = 700001

    @property
    def repo_api(self) -> str:
        return f"{self.api}/repos/{self.full_name}"

    @property
    def repo_web(self) -> str:
        return f"{self.web}/{self.full_name}"

    def retarget(self, value: Any) -> Any:
        """Point an example's URLs and names at this host and repository."""
        pairs = []
        for old in (
            "octocat/Hello-World",
            "github/hello-world",
            "octocat/example",
            "octokit/octokit.rb",
        ):
            pairs += [
                (f"https://api.github.com/repos/{old}", self.repo_api),
                (f"https://github.com/{old}", self.repo_web),
                (old, self.full_name),
            ]
        pairs += [("https://api.github.com", self.api), ("https://github.com", self.web)]
        return replace(value, *pairs, ('"Hello-World"', json.dumps(self.full_name.split("/")[1])))

    def user(self, login: str | None, uid: int, kind: str = "User") -> Any:
        if login is None:
            return None
        template = example("pull-request-simple-items")[0]["user"]
        user = self.retarget(replace(template, ("octocat", login)))
        node_id = base64.b64encode(f"04:{kind}{uid}".encode()).decode()
        user.update(id=uid, type=kind, node_id=node_id)
        return user

    def org(self) -> Any:
        return self.user(self.full_name.split("/")[0], 90001, "Organization")


# -- fixture rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class C:
    """A commit: author ``login`` None means the email matches no GitHub account."""

    key: str
    message: str
    login: str | None
    authored: str
    committed: str | None = None
    committer: str = "web-flow"  # GitHub itself, for merges made on github.com

    @property
    def sha(self) -> str:
        return sha(self.key)


@dataclass(frozen=True)
class F:
    """A changed file; no ``patch`` for binaries and diffs GitHub finds too large."""

    path: str
    status: str
    additions: int
    deletions: int
    patch: str | None = None
    previous: str | None = None


@dataclass(frozen=True)
class P:
    """A pull request."""

    number: int
    title: str
    body: str | None
    author: str
    head_ref: str
    created: str
    updated: str
    merged: str | None = None
    merge_key: str | None = None  # the commit key of its merge commit
    labels: tuple[str, ...] = ()
    closed: str | None = None

    @property
    def head_sha(self) -> str:
        return sha(f"head:{self.number}")


@dataclass(frozen=True)
class R:
    """A review; PENDING ones have no ``submitted_at``."""

    id: int
    login: str
    state: str
    submitted: str | None


@dataclass(frozen=True)
class K:
    """A check run."""

    id: int
    name: str
    status: str
    conclusion: str | None


@dataclass(frozen=True)
class D:
    """A deployment and its statuses, newest first: (state, at, description)."""

    id: int
    ref: str
    commit_key: str
    created: str
    statuses: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Parts:
    """What is read per PR besides the PR itself."""

    files: list[F]
    reviews: list[R] = field(default_factory=list)
    checks: list[K] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (context, state)
    state: str = "pending"  # GitHub's combined state; "pending" when there are none


# -- bodies, each from its schema's official example --------------------------------------


def repository(host: Host) -> Any:
    repo = host.retarget(example("full-repository-default-response"))
    for fork_only in ("parent", "source", "template_repository", "temp_clone_token"):
        repo.pop(fork_only)
    permissions = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}
    repo.update(
        id=host.repo_id,
        owner=host.org(),
        organization=host.org(),
        private=True,
        visibility="private",
        default_branch="main",
        language="Python",
        description="Acme web shop",
        fork=False,
        permissions=permissions,
    )
    return repo


def commit(host: Host, c: C, parent: str) -> Any:
    body = host.retarget(replace(example("commit-comparison")["commits"][0], (EXAMPLE_SHA, c.sha)))
    name = NAMES[c.login]
    email = f"{name.split()[0].lower()}@acme.example"
    by_github = c.committer == "web-flow"
    git = body["commit"]
    git["author"] = {"name": name, "email": email, "date": iso(c.authored)}
    git["committer"] = {
        "name": "GitHub" if by_github else name,
        "email": "noreply@github.com" if by_github else email,
        "date": iso(c.committed or c.authored),
    }
    git["message"] = c.message
    body["author"] = host.user(c.login, 2000 + len(NAMES[c.login]))
    body["committer"] = host.user(c.committer, 19864447 if by_github else 2100)
    url = f"{host.repo_api}/commits/{parent}"
    body["parents"] = [{"sha": parent, "url": url, "html_url": f"{host.repo_web}/commit/{parent}"}]
    return body


def comparison(host: Host, span: str, commits: list[Any], total: int, page: int) -> Any:
    body = host.retarget(example("commit-comparison"))
    base = commit(host, C("base", "Release 1.4.0", "alice", "09-27 16:00"), sha("older"))
    body.update(
        url=f"{host.repo_api}/compare/{span}",
        html_url=f"{host.repo_web}/compare/{span}",
        permalink_url=f"{host.repo_web}/compare/acme:{base['sha'][:7]}...acme:{sha('c7')[:7]}",
        diff_url=f"{host.repo_web}/compare/{span}.diff",
        patch_url=f"{host.repo_web}/compare/{span}.patch",
        base_commit=base,
        merge_base_commit=base,
        status="ahead",
        ahead_by=total,
        behind_by=0,
        total_commits=total,
        commits=commits,
    )
    body.pop("files")
    if page == 1:  # GitHub lists the changed files on the first page only
        body["files"] = [diff_entry(host, F("src/payments/client.py", "modified", 40, 5, "@@"), "")]
    return body


def diff_entry(host: Host, f: F, head_sha: str) -> Any:
    body = host.retarget(example("diff-entry-items")[0])
    body = replace(body, (EXAMPLE_SHA, head_sha), ("file1.txt", f.path))
    body.update(
        sha=sha(f"blob:{f.path}"),
        filename=f.path,
        status=f.status,
        additions=f.additions,
        deletions=f.deletions,
        changes=f.additions + f.deletions,
    )
    body.pop("patch")
    if f.patch is not None:
        body["patch"] = f.patch
    if f.previous is not None:
        body["previous_filename"] = f.previous
    return body


def label(host: Host, name: str, index: int) -> Any:
    body = host.retarget(example("pull-request-simple-items")[0]["labels"][0])
    url = f"{host.repo_api}/labels/{name}"
    body.update(id=600_000 + index, name=name, url=url, description=f"{name} work", default=False)
    return body


def _pull(host: Host, template: Any, p: P) -> Any:
    body = host.retarget(replace(template, ("1347", str(p.number)), (EXAMPLE_SHA, p.head_sha)))
    ended = p.merged or p.closed
    body.update(
        id=1_900_000_000 + p.number,
        number=p.number,
        state="closed" if ended else "open",
        locked=False,
        active_lock_reason=None,
        title=p.title,
        body=p.body,
        user=host.user(p.author, 3000 + p.number),
        labels=[label(host, name, i) for i, name in enumerate(p.labels)],
        milestone=None,
        assignee=None,
        assignees=[],
        requested_reviewers=[],
        requested_teams=[],
        created_at=iso(p.created),
        updated_at=iso(p.updated),
        closed_at=iso(ended) if ended else None,
        merged_at=iso(p.merged) if p.merged else None,
        # Unmerged PRs still carry the sha of GitHub's test merge.
        merge_commit_sha=sha(p.merge_key or f"test-merge:{p.number}"),
        author_association="MEMBER",
        auto_merge=None,
        draft=False,
    )
    owner = host.full_name.split("/")[0]
    body["head"].update(label=f"{owner}:{p.head_ref}", ref=p.head_ref, sha=p.head_sha)
    body["base"].update(label=f"{owner}:main", ref="main", sha=sha("base:main"))
    for side in ("head", "base"):
        body[side]["user"] = host.org()
        body[side]["repo"].update(id=host.repo_id, private=True, default_branch="main")
        body[side]["repo"]["owner"] = host.org()
    return body


def pull_simple(host: Host, p: P) -> Any:
    return _pull(host, example("pull-request-simple-items")[0], p)


def pull_full(host: Host, p: P, files: list[F]) -> Any:
    body = _pull(host, example("pull-request"), p)
    body.update(
        merged=p.merged is not None,
        mergeable=None if p.merged else True,
        rebaseable=None if p.merged else True,
        mergeable_state="unknown" if p.merged else "clean",
        merged_by=host.user("alice", 3001) if p.merged else None,
        comments=2,
        review_comments=1,
        maintainer_can_modify=False,
        commits=len(files),
        additions=sum(f.additions for f in files),
        deletions=sum(f.deletions for f in files),
        changed_files=len(files),
    )
    return body


def review(host: Host, p: P, r: R) -> Any:
    body = replace(
        host.retarget(example("pull-request-review-items")[0]),
        ("/pull/12", f"/pull/{p.number}"),
        ("/pulls/12", f"/pulls/{p.number}"),
        ("pullrequestreview-80", f"pullrequestreview-{r.id}"),
    )
    text = "" if r.state == "APPROVED" else f"{r.state.lower().replace('_', ' ')}: see inline notes"
    user = host.user(r.login, 4000 + r.id % 1000)
    body.update(id=r.id, user=user, body=text, state=r.state, commit_id=p.head_sha)
    body.pop("submitted_at")
    if r.submitted is not None:
        body["submitted_at"] = iso(r.submitted)
    return body


def check_run(host: Host, head_sha: str, k: K) -> Any:
    body = host.retarget(example("check-run-paginated")["check_runs"][0])
    job = f"{host.repo_web}/actions/runs/{k.id}/job/{k.id + 1}"
    body.update(
        id=k.id,
        head_sha=head_sha,
        node_id=base64.b64encode(f"08:CheckRun{k.id}".encode()).decode(),
        url=f"{host.repo_api}/check-runs/{k.id}",
        html_url=job,
        details_url=job,
        status=k.status,
        conclusion=k.conclusion,
        started_at=iso("10-01 08:00") if k.status != "queued" else None,
        completed_at=iso("10-01 08:06") if k.status == "completed" else None,
        name=k.name,
        check_suite={"id": k.id * 10},
        pull_requests=[],
    )
    annotations = f"{host.repo_api}/check-runs/{k.id}/annotations"
    body["output"] = {
        "title": None,
        "summary": None,
        "text": None,
        "annotations_count": 0,
        "annotations_url": annotations,
    }
    body["app"].update(id=15368, slug="github-actions", name="GitHub Actions", description="")
    return body


def combined_status(host: Host, head_sha: str, parts: Parts, chunk: list[Any]) -> Any:
    body = host.retarget(example("combined-commit-status"))
    template, statuses = body["statuses"][0], []
    for i, (context, state) in enumerate(chunk):
        item = copy.deepcopy(template)
        item.update(
            id=8_000_000 + i,
            state=state,
            context=context,
            description=f"{context}: {state}",
            url=f"{host.repo_api}/statuses/{head_sha}",
            target_url=f"https://ci.acme.example/{head_sha[:8]}/{i}",
        )
        statuses.append(item)
    body.update(
        state=parts.state,
        statuses=statuses,
        sha=head_sha,
        total_count=len(parts.statuses),
        commit_url=f"{host.repo_api}/commits/{head_sha}",
        url=f"{host.repo_api}/commits/{head_sha}/status",
    )
    body["repository"].update(id=host.repo_id, private=True)
    return body


def deployment(host: Host, d: D) -> Any:
    body = host.retarget(example("deployment-items")[0])
    body.update(
        url=f"{host.repo_api}/deployments/{d.id}",
        id=d.id,
        node_id=base64.b64encode(f"10:Deployment{d.id}".encode()).decode(),
        sha=sha(d.commit_key),
        ref=d.ref,
        environment="production",
        original_environment="production",
        description=f"Deploy {d.ref}",
        creator=host.user("deploy-bot", 5001, "Bot"),
        created_at=iso(d.created),
        updated_at=iso(d.created),
        statuses_url=f"{host.repo_api}/deployments/{d.id}/statuses",
    )
    return body


def deployment_status(host: Host, d: D, index: int) -> Any:
    state, at, description = d.statuses[index]
    body = host.retarget(example("deployment-status-items")[0])
    body.update(
        url=f"{host.repo_api}/deployments/{d.id}/statuses/{d.id * 10 + index}",
        id=d.id * 10 + index,
        state=state,
        creator=host.user("deploy-bot", 5001, "Bot"),
        description=description,
        environment="production",
        target_url=f"https://deploy.acme.example/{d.id}",
        log_url=f"https://deploy.acme.example/{d.id}",
        environment_url="https://shop.acme.example",
        created_at=iso(at),
        updated_at=iso(at),
        deployment_url=f"{host.repo_api}/deployments/{d.id}",
    )
    return body


def content_file(host: Host, path: str, ref: str, text: str) -> Any:
    body = host.retarget(example("content-file-response-if-content-is-a-file"))
    raw = base64.b64encode(text.encode()).decode()
    blob = sha(f"blob:{path}")
    body.update(
        encoding="base64",
        size=len(text.encode()),
        name=path.rsplit("/", 1)[-1],
        path=path,
        # GitHub wraps base64 content at 60 columns, each line newline-terminated.
        content="".join(raw[i : i + 60] + "\n" for i in range(0, len(raw), 60)),
        sha=blob,
        url=f"{host.repo_api}/contents/{path}?ref={ref}",
        git_url=f"{host.repo_api}/git/blobs/{blob}",
        html_url=f"{host.repo_web}/blob/{ref}/{path}",
        download_url=f"https://raw.githubusercontent.com/{host.full_name}/{ref}/{path}",
    )
    body["_links"] = {"self": body["url"], "git": body["git_url"], "html": body["html_url"]}
    return body


DOCS = "https://docs.github.com/rest"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {}."
)
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


def error(message: str, status: int, docs: str = DOCS) -> Any:
    return {"message": message, "documentation_url": docs, "status": str(status)}


# -- interactions ------------------------------------------------------------------------

REASONS = {200: "OK", 201: "Created", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
REASONS[429] = "Too Many Requests"
EXPOSE = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
    "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
    "X-GitHub-Request-Id, Deprecation, Sunset"
)
VARY = "Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With"


class Tape:
    """The interactions of one cassette, with a clock and a rate-limit budget."""

    def __init__(self, limit: int = 5000, used: int = 120) -> None:
        self.interactions: list[Any] = []
        self.clock = NOW
        self.limit, self.used = limit, used

    def add(
        self,
        method: str,
        uri: str,
        status: int,
        body: Any,
        *,
        link: str | None = None,
        extra: dict[str, str] | None = None,
        sent: Any = None,  # the request's JSON body
    ) -> None:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        self._record(method, uri, status, text, self._headers(text, status, link, extra), sent)

    def add_proxy_page(self, uri: str, html: str) -> None:
        """A 200 HTML page from a corporate proxy, not from GitHub."""
        headers = {
            "Server": ["acme-egress-proxy"],
            "Date": [format_datetime(self.clock, usegmt=True)],
            "Content-Type": ["text/html; charset=utf-8"],
            "Cache-Control": ["no-store"],
        }
        self._record("GET", uri, 200, html, headers, None)

    def _record(
        self, method: str, uri: str, status: int, text: str, headers: Any, sent: Any
    ) -> None:
        self.clock += timedelta(milliseconds=350)
        request_headers = {"User-Agent": [USER_AGENT], "Accept-Encoding": ["gzip, deflate"]}
        request_headers |= {"Accept": ["*/*"], "Connection": ["keep-alive"]}
        if sent is not None:
            request_headers["Content-Type"] = ["application/json"]
        request = {
            "body": json.dumps(sent) if sent is not None else None,
            "headers": request_headers,
            "method": method,
            "uri": uri,
        }
        response = {
            "status": {"code": status, "message": REASONS[status]},
            "headers": headers,
            "body": {"string": text},
        }
        self.interactions.append({"request": request, "response": response})

    def _headers(
        self, text: str, status: int, link: str | None, extra: dict[str, str] | None
    ) -> dict[str, list[str]]:
        self.used += 1
        rid = hashlib.sha256(f"{self.clock.isoformat()}{text[:64]}".encode()).hexdigest().upper()
        headers = {
            "Server": "github.com",
            "Date": format_datetime(self.clock, usegmt=True),
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "private, max-age=60, s-maxage=60",
            "Vary": VARY,
            "ETag": f'W/"{hashlib.sha256(text.encode()).hexdigest()}"',
            "X-GitHub-Media-Type": "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - self.used),
            "X-RateLimit-Reset": str(int((NOW + timedelta(hours=1)).timestamp())),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Resource": "core",
            "Access-Control-Expose-Headers": EXPOSE,
            "Access-Control-Allow-Origin": "*",
            "Strict-Transport-Security": "max-age=31536000; includeSubdomains; preload",
            "X-Frame-Options": "deny",
            "X-Content-Type-Options": "nosniff",
            "X-XSS-Protection": "0",
            "Referrer-Policy": "origin-when-cross-origin, strict-origin-when-cross-origin",
            "Content-Security-Policy": "default-src 'none'",
            "X-GitHub-Request-Id": ":".join((rid[:4], rid[4:9], rid[9:16], rid[16:23], rid[23:31])),
        }
        if status >= 400:  # errors are not cached
            del headers["Cache-Control"], headers["ETag"]
        if link:
            headers["Link"] = link
        headers |= extra or {}
        return {name: [value] for name, value in headers.items()}

    def write(self, name: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        document = {"interactions": self.interactions, "version": 1}
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
        (OUT / f"{name}.yaml").write_text(text)
        print(f"{name}.yaml: {len(self.interactions)} interactions")


def links(paged_uri: Callable[[int], str], page: int, last: int) -> str | None:
    """The ``Link`` header GitHub sends with ``page`` of ``last``."""
    rels = [(paged_uri(page - 1), "prev")] if page > 1 else []
    if page < last:
        rels += [(paged_uri(page + 1), "next"), (paged_uri(last), "last")]
    if page > 1:
        rels += [(paged_uri(1), "first")]
    return ", ".join(f'<{url}>; rel="{rel}"' for url, rel in rels) or None


def paged(
    tape: Tape,
    host: Host,
    path: str,
    items: list[Any],
    *,
    params: dict[str, Any] | None = None,
    wrap: Callable[[list[Any], int], Any] = lambda chunk, page: chunk,
    requested: int | None = None,
    last: int | None = None,
) -> None:
    """Pages 1..``requested`` of a list of ``last`` pages (default: all of them)."""
    query = dict(sorted({**(params or {}), "per_page": PER_PAGE}.items()))
    tail = path.removeprefix(f"/repos/{host.full_name}")

    def paged_uri(page: int) -> str:
        return f"{host.api}/repositories/{host.repo_id}{tail}?{urlencode({**query, 'page': page})}"

    last = last or max(1, math.ceil(len(items) / PER_PAGE))
    for page in range(1, (requested or last) + 1):
        uri = f"{host.api}{path}?{urlencode(query)}" if page == 1 else paged_uri(page)
        chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
        tape.add("GET", uri, 200, wrap(chunk, page), link=links(paged_uri, page, last))


def parts_of(tape: Tape, host: Host, p: P, parts: Parts) -> None:
    """Files, reviews, check runs and combined status of one PR, in that order."""
    repo, head = f"/repos/{host.full_name}", p.head_sha
    paged(
        tape,
        host,
        f"{repo}/pulls/{p.number}/files",
        [diff_entry(host, f, head) for f in parts.files],
    )
    paged(
        tape, host, f"{repo}/pulls/{p.number}/reviews", [review(host, p, r) for r in parts.reviews]
    )
    runs = [check_run(host, head, k) for k in parts.checks]
    wrap_runs = lambda chunk, _: {"total_count": len(runs), "check_runs": chunk}  # noqa: E731
    paged(tape, host, f"{repo}/commits/{head}/check-runs", runs, wrap=wrap_runs)
    wrap_status = lambda chunk, _: combined_status(host, head, parts, chunk)  # noqa: E731
    paged(tape, host, f"{repo}/commits/{head}/status", parts.statuses, wrap=wrap_status)


# -- the fixture repository's history ------------------------------------------------------

HISTORY = [  # v1.4.0...v1.5.0, oldest first
    C("c1", "PAY-101 Add retry to payment client (#101)", "alice", "10-01 08:40", "10-01 09:00"),
    C("c2", "Bump version to 1.5.0-dev", None, "10-01 15:30", committer="bob"),
    C("c3", "Add product images", "erin", "09-30 17:00", "10-02 08:00", committer="erin"),
    C("c4", "Merge pull request #102 from acme/feature/SHOP-7-images", "erin", "10-02 10:00"),
    C("c5", "Rate-limit checkout API (#104)", "alice", "10-03 11:00"),
    C("c6", "Revert flaky checkout test", "bob", "10-03 12:00", committer="bob"),
    C("c7", "Release 1.5.0", "bob", "10-04 09:00", committer="bob"),
]

PR101 = P(
    101,
    "PAY-101 Add retry to payment client",
    "Retries idempotent calls. Refs PAY-102 and PAY-101.\r\n\r\n"
    "Not UTF-8 related; see CVE-2024-1234.",
    "alice",
    "feature/PAY-101-retry",
    created="09-29 10:00",
    updated="10-01 09:02",
    merged="10-01 09:00",
    merge_key="c1",
    labels=("payments", "backend"),
)
PR102 = P(
    102,
    "Product images on the catalogue page",
    None,
    "erin",
    "feature/SHOP-7-images",
    created="09-30 17:05",
    updated="10-02 10:01",
    merged="10-02 10:00",
    merge_key="c4",
)
PR104 = P(
    104,
    "Rate-limit checkout API",
    "Closes SHOP-12.\r\nAlso touches OPS-3.",
    "alice",
    "hotfix/checkout-rate-limit",
    created="10-03 09:30",
    updated="10-03 11:01",
    merged="10-03 11:00",
    merge_key="c5",
    labels=("hotfix",),
)
# Listed but not in the range: closed unmerged; merged earlier but commented on since;
# and the first one older than the range, where listing stops.
PR105 = P(
    105, "New cart", "", "dave", "spike/cart", "10-02 09:00", "10-05 14:00", closed="10-05 14:00"
)
PR99 = P(99, "SHOP-3 Old", "", "bob", "feature/SHOP-3", "09-10 09:00", "10-02 12:00", "09-20 10:00")
PR98 = P(98, "Older", "", "bob", "feature/old", "09-01 09:00", "09-26 10:00", "09-25 10:00")

PARTS101 = Parts(
    files=[
        F(
            "src/payments/client.py",
            "modified",
            40,
            5,
            "@@ -10,6 +10,41 @@\n+        retry(self._post)",
        ),
        F(
            "src/payments/retry.py",
            "added",
            60,
            0,
            "@@ -0,0 +1,60 @@\n+def retry(call, attempts=3):",
        ),
        F(
            "tests/test_retry.py",
            "added",
            80,
            0,
            "@@ -0,0 +1,80 @@\n+def test_retries_three_times():",
        ),
        F("src/payments/old_client.py", "renamed", 0, 0, previous="src/payments/legacy_client.py"),
    ],
    reviews=[
        R(9101, "bob", "CHANGES_REQUESTED", "09-30 10:00"),
        R(9102, "carol", "DISMISSED", "09-30 11:00"),
        R(9103, "bob", "APPROVED", "10-01 08:50"),
    ],
    checks=[K(7101, "test", "completed", "success"), K(7102, "lint", "completed", "success")],
    statuses=[("ci/jenkins", "success")],
    state="success",
)
PARTS102 = Parts(
    files=[
        F("assets/hero.png", "added", 0, 0),  # binary: no patch, no lines
        F("src/catalogue/generated_fixtures.json", "modified", 4800, 3200),  # too large to show
        F("src/catalogue/images.py", "added", 30, 0, "@@ -0,0 +1,30 @@\n+def thumbnail(path):"),
    ],
)  # merged with no review, no check and no status
PARTS104 = Parts(
    files=[
        F("src/checkout/api.py", "modified", 12, 3, "@@ -40,7 +40,16 @@\n+    limiter.hit(user)"),
        F("config/limits.yaml", "added", 6, 0, "@@ -0,0 +1,6 @@\n+checkout:\n+  per_minute: 30"),
    ],
    reviews=[R(9141, "bob", "APPROVED", "10-03 10:58")],
    checks=[K(7141, "build", "completed", "success"), K(7142, "e2e", "completed", "skipped")],
    statuses=[("ci/jenkins", "success"), ("security/snyk", "success")],
    state="success",
)
DEPLOYED = (("success", "10-04 10:05", "Deployed"), ("in_progress", "10-04 10:01", "Rolling out"))
FAILED = (("failure", "10-03 12:40", "Health check failed"), ("queued", "10-03 12:30", ""))
DEPLOYMENTS = [  # newest first, as GitHub lists them
    D(9003, "v1.5.0", "c7", "10-04 10:00", DEPLOYED),
    D(9002, "main", "c5", "10-03 12:30", FAILED),
    D(9001, "v1.4.0", "base", "09-28 10:00"),  # before the range: the listing stops here
]
CODEOWNERS = """\
# Default owners
*       @acme/platform
/src/payments/  @acme/payments @alice   # payment team
*.yaml  ops@acme.example
/docs/
\\#notes.md @erin
bad-line notanowner
"""

PR106 = P(  # open: what the PR bot reads
    106,
    "SHOP-20: Gift cards",
    "Adds gift cards behind a flag.",
    "dave",
    "feature/SHOP-20-gift-cards",
    created="10-06 10:00",
    updated="10-07 08:30",
)
PARTS106 = Parts(
    files=[
        F("src/giftcards/__init__.py", "added", 1, 0, '@@ -0,0 +1 @@\n+"""Gift cards."""'),
        F("src/giftcards/service.py", "added", 120, 0, "@@ -0,0 +1,120 @@\n+class GiftCards:"),
    ],
    reviews=[R(9201, "bob", "COMMENTED", "10-06 15:00"), R(9202, "carol", "PENDING", None)],
    checks=[K(7301, "build", "completed", "success"), K(7302, "security-scan", "queued", None)],
    statuses=[("ci/jenkins", "failure")],
    state="failure",
)


# -- the cassettes -----------------------------------------------------------------------


def deployments(tape: Tape, host: Host) -> None:
    rows = [deployment(host, d) for d in DEPLOYMENTS]
    params = {"environment": "production"}
    paged(
        tape, host, f"/repos/{host.full_name}/deployments", rows, params=params, requested=1, last=4
    )
    for d in DEPLOYMENTS[:2]:
        statuses = [deployment_status(host, d, i) for i in range(len(d.statuses))]
        paged(tape, host, f"/repos/{host.full_name}/deployments/{d.id}/statuses", statuses)


def small_release() -> None:
    """v1.4.0...v1.5.0: 7 commits, 3 PRs merged, 2 deployments in the window."""
    host, tape = Host(), Tape()
    repo = f"/repos/{host.full_name}"
    tape.add("GET", f"{host.api}{repo}", 200, repository(host))
    parents = [sha("base")] + [c.sha for c in HISTORY]
    commits = [commit(host, c, parent) for c, parent in zip(HISTORY, parents, strict=False)]
    span = "v1.4.0...v1.5.0"
    wrap = lambda chunk, page: comparison(host, span, chunk, len(commits), page)  # noqa: E731
    paged(tape, host, f"{repo}/compare/{span}", commits, wrap=wrap)
    listing = [pull_simple(host, p) for p in (PR105, PR104, PR99, PR102, PR101, PR98)]
    params = {"state": "closed", "sort": "updated", "direction": "desc", "base": "main"}
    paged(tape, host, f"{repo}/pulls", listing, params=params, requested=2, last=5)
    for p, parts in ((PR101, PARTS101), (PR102, PARTS102), (PR104, PARTS104)):
        parts_of(tape, host, p, parts)
    absent = error("Not Found", 404, f"{DOCS}/repos/contents#get-repository-content")
    tape.add("GET", f"{host.api}{repo}/contents/.github/CODEOWNERS?ref=v1.5.0", 404, absent)
    owners = content_file(host, "CODEOWNERS", "v1.5.0", CODEOWNERS)
    tape.add("GET", f"{host.api}{repo}/contents/CODEOWNERS?ref=v1.5.0", 200, owners)
    deployments(tape, host)
    tape.write("small_release")


def pull_request() -> None:
    host, tape = Host(), Tape()
    tape.add("GET", f"{host.repo_api}/pulls/106", 200, pull_full(host, PR106, PARTS106.files))
    parts_of(tape, host, PR106, PARTS106)
    tape.write("pull_request")


def bad_credentials() -> None:
    host, tape = Host(), Tape(limit=60, used=3)  # unauthenticated budget
    tape.add("GET", host.repo_api, 401, error("Bad credentials", 401))
    tape.write("bad_credentials")


def unknown_repo() -> None:
    host, tape = Host(), Tape()
    missing = error("Not Found", 404, f"{DOCS}/repos/repos#get-a-repository")
    tape.add("GET", f"{host.api}/repos/acme/nope", 404, missing)
    tape.write("unknown_repo")


def secondary_rate_limit() -> None:
    host, tape = Host(), Tape()
    limited = error(SECONDARY.format("C0DE:5E1F:1A2B3C:4D5E6F:67039A10"), 403, SECONDARY_DOCS)
    uri = f"{host.repo_api}/pulls/106"
    tape.add("GET", uri, 403, limited, extra={"Retry-After": "1"})
    tape.add("GET", uri, 200, pull_full(host, PR106, PARTS106.files))
    parts_of(tape, host, PR106, PARTS106)
    tape.write("secondary_rate_limit")


def partial_failures() -> None:
    """PR #106: reviews forbidden, check runs eaten by a proxy, statuses rate limited."""
    host, tape = Host(), Tape()
    repo, head = host.repo_api, PR106.head_sha
    tape.add("GET", f"{repo}/pulls/106", 200, pull_full(host, PR106, PARTS106.files))
    files = [diff_entry(host, f, head) for f in PARTS106.files]
    paged(tape, host, f"/repos/{host.full_name}/pulls/106/files", files)
    docs = f"{DOCS}/pulls/reviews#list-reviews-for-a-pull-request"
    forbidden = error("Resource not accessible by integration", 403, docs)
    tape.add("GET", f"{repo}/pulls/106/reviews?per_page={PER_PAGE}", 403, forbidden)
    html = "<!DOCTYPE html><html><head><title>Acme SSO - Sign in</title></head></html>"
    tape.add_proxy_page(f"{repo}/commits/{head}/check-runs?per_page={PER_PAGE}", html)
    limited = error(SECONDARY.format("C0DE:5E1F:1A2B3C:4D5E6F:67039A11"), 429, SECONDARY_DOCS)
    for _ in range(2):  # the test's budget allows one 60 s wait, not two
        uri = f"{repo}/commits/{head}/status?per_page={PER_PAGE}"
        tape.add("GET", uri, 429, limited, extra={"Retry-After": "60"})
    tape.write("partial_failures")


def unknown_ref() -> None:
    """v1.4.0...v9.9.9 where v9.9.9 does not exist; the test caps deployments at 2."""
    host, tape = Host(), Tape()
    repo = host.repo_api
    tape.add("GET", repo, 200, repository(host))
    compare_docs = f"{DOCS}/commits/commits#compare-two-commits"
    uri = f"{repo}/compare/v1.4.0...v9.9.9?per_page={PER_PAGE}"
    tape.add("GET", uri, 404, error("Not Found", 404, compare_docs))
    contents_docs = f"{DOCS}/repos/contents#get-repository-content"
    no_ref = error("No commit found for the ref v9.9.9", 404, contents_docs)
    tape.add("GET", f"{repo}/contents/.github/CODEOWNERS?ref=v9.9.9", 404, no_ref)
    deployments(tape, host)
    tape.write("unknown_ref")


def enterprise() -> None:
    """GitHub Enterprise Server: API under /api/v3, web pages on the bare host."""
    ghe = "https://ghe.acme.example"
    host = Host(api=f"{ghe}/api/v3", web=ghe, full_name="platform/billing", repo_id=12)
    tape = Tape(limit=15000)
    title, branch = "BILL-9 Invoice rounding", "fix/BILL-9-rounding"
    pull = P(3, title, "Fixes BILL-9.", "frank", branch, "10-05 09:00", "10-06 09:00")
    parts = Parts(
        files=[
            F("billing/invoice.py", "modified", 8, 2, "@@ -1,4 +1,10 @@\n+ROUND = Decimal('0.01')"),
            F("billing/tax.py", "modified", 3, 3, "@@ -7,3 +7,3 @@\n+    return x.quantize(ROUND)"),
            F("tests/test_invoice.py", "modified", 20, 0, "@@ -30,0 +30,20 @@\n+def test_round():"),
            F("CHANGELOG.md", "modified", 1, 0, "@@ -1 +1,2 @@\n+- Invoice rounding"),
        ],
        reviews=[R(9301, "grace", "APPROVED", "10-06 08:00")],
        checks=[K(7401, "ci", "completed", "success")],
    )
    tape.add("GET", f"{host.repo_api}/pulls/3", 200, pull_full(host, pull, parts.files))
    parts_of(tape, host, pull, parts)
    tape.write("enterprise")


def app_auth() -> None:
    """A GitHub App: one token exchange, then reads with the installation token."""
    host, tape = Host(), Tape()
    grant = example("installation-token")
    del grant["repositories"]
    grant["permissions"] = {"contents": "read", "pull_requests": "read", "checks": "read"}
    grant["token"] = "test-installation-token-not-a-secret"  # noqa: S105 - fixture
    grant["expires_at"] = "2099-01-01T00:00:00Z"  # real grants live 1 h; replay ignores the clock
    token_uri = f"{host.api}/app/installations/4242/access_tokens"
    tape.add("POST", token_uri, 201, grant, sent={"permissions": {}})
    tape.add("GET", f"{host.repo_api}/pulls/106", 200, pull_full(host, PR106, PARTS106.files))
    parts_of(tape, host, PR106, PARTS106)
    tape.write("app_auth")


def read_only() -> None:
    Tape().write("read_only")  # nothing may ever play: writes never leave the process


CASSETTES = (
    small_release,
    pull_request,
    bad_credentials,
    unknown_repo,
    secondary_rate_limit,
    partial_failures,
    unknown_ref,
    enterprise,
    app_auth,
    read_only,
)

if __name__ == "__main__":
    for make in CASSETTES:
        make()
