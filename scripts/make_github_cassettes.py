"""Write ``cassettes/github/*.yaml`` from compact fixtures, on GitHub's own response shapes.

Every REST body starts from the official example of its schema in GitHub's OpenAPI
description, retargeted to a fixture repository and overridden field by field. The
examples used are carried in ``scripts/github_openapi_examples.json`` (MIT, from the
``@octokit/openapi`` description in ``../shared/api-specs/github``; ``--refresh-examples``
copies them again), so the builders, and the benchmark's replay server that uses them,
need nothing beside the repository. GraphQL answers are built for exactly the documents
``connectors/github/queries.py`` sends. Headers are the ones api.github.com sends:
rate-limit headers, a request id, and ``Link`` URLs in GitHub's ``/repositories/{id}/...``
form. ``tests/contract/`` validates the REST bodies against the OpenAPI description and
the GraphQL documents and answers against GitHub's GraphQL schema.

    .venv/bin/python scripts/make_github_cassettes.py [--refresh-examples]
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ADVISOR_SHARED_DIR") or ROOT.parent / "shared")
SPEC = SHARED / "api-specs" / "github" / "api.github.com.json"
VENDORED = ROOT / "scripts" / "github_openapi_examples.json"
OUT = ROOT / "cassettes" / "github"
USER_AGENT = "release-risk-advisor (read-only)"
NOW = datetime(2024, 10, 7, 9, 0, tzinfo=UTC)  # when the fixtures were "recorded"
PER_PAGE = 3  # the tests use small pages, so pagination shows in a few rows
EXAMPLE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"  # the examples' favourite commit

# The examples of GitHub's OpenAPI description the builders start from (these and the
# PR bot's, scripts/make_github_bot_cassettes.py).
EXAMPLE_NAMES = (
    "check-run", "check-run-paginated", "combined-commit-status", "commit-comparison",
    "content-file-response-if-content-is-a-file", "deployment-items", "deployment-status-items",
    "diff-entry-items", "full-repository-default-response", "installation-token",
    "issue-comment", "pull-request", "pull-request-review", "pull-request-review-comment-items",
    "pull-request-review-items", "pull-request-simple-items",
    "repository-collaborator-permission-response-if-user-has-admin-permissions",
)  # fmt: skip
SOURCE_NOTE = "Examples from GitHub's REST API OpenAPI description, @octokit/openapi 23.0.2."


def spec_examples() -> dict[str, Any]:
    """The examples in the OpenAPI description itself (needs ``../shared``)."""
    examples: dict[str, Any] = json.loads(SPEC.read_text())["components"]["examples"]
    return {name: examples[name] for name in EXAMPLE_NAMES}


def refresh_examples() -> None:
    licence = (SPEC.parent / "LICENSE").read_text()  # MIT: the notice travels with the copy
    document = {"source": SOURCE_NOTE, "license": licence, "examples": spec_examples()}
    VENDORED.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{VENDORED.relative_to(ROOT)}: {len(EXAMPLE_NAMES)} examples")


EXAMPLES: dict[str, Any] = json.loads(VENDORED.read_text())["examples"]
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

    @property
    def graphql(self) -> str:
        """``/graphql`` on github.com; Enterprise Server serves it beside ``/api/v3``."""
        return self.api.removesuffix("/v3") + "/graphql"

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
    changes: int | None = None  # GitHub's count; 0 for text files past its size threshold

    @property
    def blob(self) -> str:
        return sha(f"blob:{self.path}")


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
    base_ref: str = "main"
    merged_by: str | None = None  # default: the author merged it

    @property
    def head_sha(self) -> str:
        return sha(f"head:{self.number}")

    @property
    def merge_sha(self) -> str | None:
        return sha(self.merge_key) if self.merge_key else None

    @property
    def merger(self) -> str | None:
        """Who merged it, as GitHub names them; nobody while it is open."""
        return (self.merged_by or self.author) if self.merged else None


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


def range_comparison(host: Host, start: Any, end_sha: str, first: Any, total: int,
                     files: list[Any]) -> Any:
    """Page 1 of ``GET /compare/{start}...{end}?per_page=1``: one commit, every file (a
    linear range: the merge base is ``start``)."""
    span = f"{start['sha']}...{end_sha}"
    body = comparison(host, span, [first], total, 1)
    body.update(base_commit=start, merge_base_commit=start, files=files,
                permalink_url=f"{host.repo_web}/compare/{host.full_name.split('/')[0]}:"
                              f"{start['sha'][:7]}...{host.full_name.split('/')[0]}:"
                              f"{end_sha[:7]}")
    return body


CHANGE_TYPES = {"added": "ADDED", "removed": "DELETED", "modified": "MODIFIED",
                "renamed": "RENAMED", "copied": "COPIED", "changed": "CHANGED"}


def files_node(files: list[F]) -> Any:
    """A PR's ``files(first: 100)``: its paths and line counts as GraphQL lists them."""
    nodes = [{"path": f.path, "additions": f.additions, "deletions": f.deletions,
              "changeType": CHANGE_TYPES[f.status]} for f in files[:100]]
    return {"totalCount": len(files), "nodes": nodes}


def diff_entry(host: Host, f: F, head_sha: str) -> Any:
    body = host.retarget(example("diff-entry-items")[0])
    body = replace(body, (EXAMPLE_SHA, head_sha), ("file1.txt", f.path))
    body.update(
        sha=f.blob,
        filename=f.path,
        status=f.status,
        additions=f.additions,
        deletions=f.deletions,
        changes=f.additions + f.deletions if f.changes is None else f.changes,
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
    body["base"].update(label=f"{owner}:{p.base_ref}", ref=p.base_ref,
                        sha=sha(f"base:{p.base_ref}"))
    for side in ("head", "base"):
        body[side]["user"] = host.org()
        body[side]["repo"].update(id=host.repo_id, private=True, default_branch="main")
        body[side]["repo"]["owner"] = host.org()
    return body


def pull_simple(host: Host, p: P) -> Any:
    return _pull(host, example("pull-request-simple-items")[0], p)


def _kind(login: str | None) -> str:
    return "Bot" if login and login.endswith("[bot]") else "User"


def pull_full(host: Host, p: P, files: list[F]) -> Any:
    body = _pull(host, example("pull-request"), p)
    body.update(
        merged=p.merged is not None,
        mergeable=None if p.merged else True,
        rebaseable=None if p.merged else True,
        mergeable_state="unknown" if p.merged else "clean",
        merged_by=host.user(p.merger, 3500 + p.number, _kind(p.merger)),
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


# -- GraphQL answers, in the shape of connectors/github/queries.py's documents ---------------

GRAPHQL_DOCS = "https://docs.github.com/graphql"


def _connector_queries() -> Any:
    """The connector's own documents: a cassette replays exactly what it sends."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from connectors.github import queries

    return queries


def _merge_runs() -> Any:
    """The connector's plan of shared compares: a cassette holds exactly what it asks."""
    _connector_queries()
    from connectors.github import merge_runs, wire

    return merge_runs, wire


def actor(login: str | None) -> Any:
    """An ``Actor`` as GraphQL names it: apps without REST's ``[bot]`` suffix."""
    if login is None:
        return None
    if login.endswith("[bot]"):
        return {"__typename": "Bot", "login": login.removesuffix("[bot]")}
    return {"__typename": "User", "login": login}


def page_info(count: int, cursor: str | None = None) -> Any:
    return {"totalCount": count,
            "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}}


def _cursor(label: str) -> str:
    return base64.b64encode(f"cursor:v2:{label}".encode()).decode()


def review_decision(reviews: list[R]) -> str | None:
    latest: dict[str, str] = {}
    for r in reviews:
        if r.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[r.login] = r.state
    if "CHANGES_REQUESTED" in latest.values():
        return "CHANGES_REQUESTED"
    return "APPROVED" if "APPROVED" in latest.values() else "REVIEW_REQUIRED"


def review_node(p: P, r: R) -> Any:
    return {"fullDatabaseId": str(r.id), "state": r.state,
            "submittedAt": iso(r.submitted) if r.submitted else None,
            "author": actor(r.login), "commit": {"oid": p.head_sha}}


def suite_node(head_sha: str, checks: list[K]) -> Any:
    """One check suite (GitHub Actions) holding ``checks`` (GraphQL's upper-case enums)."""
    sid = base64.b64encode(f"09:CheckSuite{head_sha[:10]}".encode()).decode()
    runs = [{"name": k.name, "status": k.status.upper(),
             "conclusion": k.conclusion.upper() if k.conclusion else None} for k in checks]
    return {"id": sid, "app": {"slug": "github-actions", "name": "GitHub Actions"},
            "checkRuns": {**page_info(len(runs)), "nodes": runs}}


def status_node(parts: Parts) -> Any:
    if not parts.statuses:
        return None  # GitHub's status of a commit nobody reported on
    contexts = [{"context": context, "state": state.upper(), "description": f"{context}: {state}"}
                for context, state in parts.statuses]
    return {"state": parts.state.upper(), "contexts": contexts}


def pull_node(host: Host, p: P, parts: Parts) -> Any:
    """A ``pullRequest`` answer to ``queries.PULL``, field for field."""
    head = {"oid": p.head_sha,
            "checkSuites": {**page_info(1 if parts.checks else 0),
                            "nodes": [suite_node(p.head_sha, parts.checks)] if parts.checks
                            else []},
            "status": status_node(parts)}
    return {
        "number": p.number, "title": p.title, "body": p.body or "",
        "url": f"{host.repo_web}/pull/{p.number}", "createdAt": iso(p.created),
        "updatedAt": iso(p.updated), "mergedAt": iso(p.merged) if p.merged else None,
        "additions": sum(f.additions for f in parts.files),
        "deletions": sum(f.deletions for f in parts.files),
        "changedFiles": len(parts.files), "baseRefName": p.base_ref,
        "baseRefOid": sha(f"base:{p.base_ref}"), "headRefName": p.head_ref,
        "headRefOid": p.head_sha,
        "reviewDecision": review_decision(parts.reviews) if p.merged or parts.reviews else None,
        "author": actor(p.author),
        "mergeCommit": {"oid": p.merge_sha} if p.merged and p.merge_sha else None,
        "mergedBy": actor(p.merger),
        "labels": {**page_info(len(p.labels)), "nodes": [{"name": n} for n in p.labels]},
        "reviews": {**page_info(len(parts.reviews)),
                    "nodes": [review_node(p, r) for r in parts.reviews]},
        "files": files_node(parts.files),
        "commits": {"nodes": [{"commit": head}]},
    }


def association_node(host: Host, commit_sha: str, pulls: list[tuple[int, str | None]],
                     repo: str | None = None) -> Any:
    """A commit's ``associatedPullRequests``: (number, mergedAt) pairs."""
    nodes = [{"number": n, "mergedAt": iso(at) if at else None,
              "repository": {"nameWithOwner": repo or host.full_name}} for n, at in pulls]
    return {"oid": commit_sha, "associatedPullRequests": {**page_info(len(nodes)),
                                                          "nodes": nodes}}


def blob_node(oid: str, size: int, binary: bool | None, text: str | None = None,
              *, with_text: bool = False) -> Any:
    node: dict[str, Any] = {"oid": oid, "byteSize": size, "isBinary": binary,
                            "isTruncated": False}
    if with_text:
        node["text"] = None if binary else text
    return node


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

REASONS = {200: "OK", 201: "Created", 301: "Moved Permanently", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found"}
REASONS[429] = "Too Many Requests"
REASONS[500] = "Internal Server Error"
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
        self.graphql_used = 40  # GraphQL has its own budget (points, 5,000 an hour)

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

    def graphql(self, host: Host, document: str, data: Any, *, errors: Any = None,
                status: int = 200, extra: dict[str, str] | None = None,
                answer: Any = None) -> None:
        """A POST of ``document`` (the connector's own) and GitHub's GraphQL answer."""
        owner, name = host.full_name.split("/", 1)
        sent = {"query": document, "variables": {"owner": owner, "name": name}}
        if "$owner" not in document:
            sent["variables"] = {}
        body = answer if answer is not None else {"data": data}
        if errors is not None and answer is None:
            body["errors"] = errors
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        self.graphql_used += 14 if status == 200 else 0
        headers = self._headers(text, status, None, {
            "X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(5000 - self.graphql_used),
            "X-RateLimit-Used": str(self.graphql_used), "X-RateLimit-Resource": "graphql",
            "X-GitHub-Media-Type": "github.v4; format=json", **(extra or {})})
        headers.pop("ETag", None)
        headers.pop("x-github-api-version-selected", None)
        headers["Cache-Control"] = ["no-cache"]
        self.used -= 1  # a GraphQL request spends GraphQL points, not core requests
        self._record("POST", host.graphql, status, text, headers, sent)

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


def metadata(tape: Tape, host: Host, pulls: list[tuple[P, Parts]]) -> None:
    """The connector's GraphQL query for these PRs (100 a query) and GitHub's answer."""
    queries = _connector_queries()
    for start in range(0, len(pulls), queries.MAX_ALIASES):
        chunk = pulls[start : start + queries.MAX_ALIASES]
        nodes = {queries.alias("p", i): pull_node(host, p, parts)
                 for i, (p, parts) in enumerate(chunk)}
        tape.graphql(host, queries.pulls([p.number for p, _ in chunk]), {"repository": nodes})


def files_of(tape: Tape, host: Host, p: P, parts: Parts) -> None:
    """``GET /pulls/{n}/files``: the patches GraphQL does not have."""
    paged(tape, host, f"/repos/{host.full_name}/pulls/{p.number}/files",
          [diff_entry(host, f, p.head_sha) for f in parts.files])


def release_files(tape: Tape, host: Host, history: list[C],
                  associated: dict[str, list[tuple[int, str | None]]],
                  pulls: list[tuple[P, Parts]], base: str = "base") -> None:
    """The patches of a fixture release (``history`` linear, oldest first; ``associated``:
    commit key -> its PRs, as in :func:`associations`); see :func:`merged_files`."""
    chain = [sha(base)] + [c.sha for c in history]
    bodies = [commit(host, c, parent) for c, parent in zip(history, chain, strict=False)]
    start = commit(host, C(base, "Release", "bob", "09-27 16:00"), sha("older"))
    merged_of = {sha(key): tuple(sorted(n for n, at in prs if at))
                 for key, prs in associated.items()}
    merged_files(tape, host, start, bodies, merged_of, pulls)


def merged_files(tape: Tape, host: Host, base: Any, line: list[Any],
                 merged_of: dict[str, tuple[int, ...]], pulls: list[tuple[Any, Parts]]) -> None:
    """The release's patches as the connector reads them: one compare per run of
    back-to-back merges it plans (``merge_runs.py``), GitHub's answer holding each PR's
    files; ``/pulls/{n}/files`` for every other PR and each PR the answer does not match.

    ``line``: the commit bodies of a linear history, oldest first, after ``base``.
    """
    by_sha = {body["sha"]: body for body in [base, *line]}
    shas = [body["sha"] for body in line]
    parents = {body["sha"]: tuple(p["sha"] for p in body["parents"]) for body in line}
    owned = {p.number: (p, parts) for p, parts in pulls}
    planned, vouched = planned_runs(parents, merged_of,
                                    {p.number: parts.files for p, parts in pulls})
    for run in planned:
        inside = shas[shas.index(run.start) + 1 if run.start in shas else 0:
                      shas.index(run.end) + 1]
        files = [diff_entry(host, f, run.end) for n in run.numbers for f in owned[n][1].files]
        link = links(partial(merges_page, host, run.start, run.end), 1, len(inside))
        tape.add("GET", f"{host.repo_api}/compare/{run.start}...{run.end}?per_page=1", 200,
                 range_comparison(host, by_sha[run.start], run.end, by_sha[inside[0]],
                                  len(inside), files), link=link)
    for number in sorted(set(owned) - vouched):
        files_of(tape, host, *owned[number])


def merges_page(host: Host, start: str, end: str, page: int) -> str:
    tail = f"/repositories/{host.repo_id}/compare/{start}...{end}"
    return f"{host.api}{tail}?{urlencode({'page': page, 'per_page': 1})}"


def planned_runs(parents: dict[str, tuple[str, ...]], merged_of: dict[str, tuple[int, ...]],
                 files: dict[int, list[F]]) -> tuple[list[Any], set[int]]:
    """The compares the connector plans for a history (``merge_runs.plan``) and the PRs
    GitHub's answers vouch for (``merge_runs.verified``); the others list their files."""
    runs, wire = _merge_runs()
    listings = {n: tuple(runs.ListedFile(f.path, f.status, f.additions, f.deletions)
                         for f in fs) if len(fs) <= 100 else None for n, fs in files.items()}
    planned = runs.plan(runs.first_parent_line(parents) or [], parents, merged_of, listings)
    vouched: set[int] = set()
    for run in planned:
        entries = [wire.file_entry(entry_fields(f)) for n in run.numbers for f in files[n]]
        vouched.update(runs.verified(run, entries, listings))
    return planned, vouched


def entry_fields(f: F) -> dict[str, Any]:
    """What the connector reads of a diff-entry (``diff_entry`` builds the whole body)."""
    data: dict[str, Any] = {"filename": f.path, "status": f.status, "sha": f.blob,
                            "additions": f.additions, "deletions": f.deletions,
                            "changes": f.additions + f.deletions if f.changes is None
                            else f.changes}
    if f.patch is not None:
        data["patch"] = f.patch
    if f.previous is not None:
        data["previous_filename"] = f.previous
    return data


def parts_of(tape: Tape, host: Host, p: P, parts: Parts) -> None:
    """What the connector reads of one PR: its metadata (GraphQL), then its files."""
    metadata(tape, host, [(p, parts)])
    files_of(tape, host, p, parts)


def associations(tape: Tape, host: Host, links: list[tuple[str, list[tuple[int, str | None]]]],
                 *, others: dict[str, list[tuple[int, str | None, str]]] | None = None) -> None:
    """``associatedPullRequests`` of each commit SHA, 100 commits a query.

    ``others``: PRs of other repositories (forks) that also hold a commit.
    """
    queries = _connector_queries()
    for start in range(0, len(links), queries.MAX_ALIASES):
        chunk = links[start : start + queries.MAX_ALIASES]
        nodes = {}
        for i, (commit_sha, pulls) in enumerate(chunk):
            node = association_node(host, commit_sha, pulls)
            for number, at, repo in (others or {}).get(commit_sha, []):
                extra = association_node(host, commit_sha, [(number, at)], repo)
                node["associatedPullRequests"]["nodes"] += extra["associatedPullRequests"]["nodes"]
                node["associatedPullRequests"]["totalCount"] += 1
            nodes[queries.alias("c", i)] = node
        tape.graphql(host, queries.associations([c for c, _ in chunk]), {"repository": nodes})


def compare(tape: Tape, host: Host, span: str, history: list[C], base: str = "base") -> None:
    parents = [sha(base)] + [c.sha for c in history]
    commits = [commit(host, c, parent) for c, parent in zip(history, parents, strict=False)]
    wrap = lambda chunk, page: comparison(host, span, chunk, len(commits), page)  # noqa: E731
    paged(tape, host, f"/repos/{host.full_name}/compare/{span}", commits, wrap=wrap)


def codeowners(tape: Tape, host: Host, ref: str, *, at_root: bool = True) -> None:
    repo = host.repo_api
    if at_root:  # .github/CODEOWNERS is absent, CODEOWNERS is not
        absent = error("Not Found", 404, f"{DOCS}/repos/contents#get-repository-content")
        tape.add("GET", f"{repo}/contents/.github/CODEOWNERS?ref={ref}", 404, absent)
    path = "CODEOWNERS" if at_root else ".github/CODEOWNERS"
    tape.add("GET", f"{repo}/contents/{path}?ref={ref}", 200,
             content_file(host, path, ref, CODEOWNERS))


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
    merged_by="bob",  # its reviewer
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
    merged_by="grace",  # a maintainer who wrote nothing in the release
)
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


# -- the cassettes ------------------------------------------------------------------------


def deployments(tape: Tape, host: Host) -> None:
    rows = [deployment(host, d) for d in DEPLOYMENTS]
    params = {"environment": "production"}
    paged(
        tape, host, f"/repos/{host.full_name}/deployments", rows, params=params, requested=1, last=4
    )
    for d in DEPLOYMENTS[:2]:
        statuses = [deployment_status(host, d, i) for i in range(len(d.statuses))]
        paged(tape, host, f"/repos/{host.full_name}/deployments/{d.id}/statuses", statuses)


def no_deployments(tape: Tape, host: Host) -> None:
    paged(tape, host, f"/repos/{host.full_name}/deployments", [],
          params={"environment": "production"})


# Which merged PRs brought each commit of v1.4.0...v1.5.0 in. c2, c6 and c7 were pushed
# to main directly; c5 is also in an open PR and in a fork's PR, which do not count.
ASSOCIATED: dict[str, list[tuple[int, str | None]]] = {
    "c1": [(101, "10-01 09:00")],
    "c2": [],
    "c3": [(102, "10-02 10:00")],
    "c4": [(102, "10-02 10:00")],
    "c5": [(104, "10-03 11:00"), (107, None)],
    "c6": [],
    "c7": [],
}
FORK_PRS = {"c5": [(3, "10-03 12:00", "dave/shop")]}
RELEASE = [(PR101, PARTS101), (PR102, PARTS102), (PR104, PARTS104)]


def withheld_meta(tape: Tape, host: Host, blobs: list[tuple[str, int, bool | None]]) -> None:
    """GraphQL's size and binary marker for blobs GitHub sent no patch for."""
    queries = _connector_queries()
    nodes = {queries.alias("b", i): blob_node(oid, size, binary)
             for i, (oid, size, binary) in enumerate(blobs)}
    tape.graphql(host, queries.blobs([oid for oid, _, _ in blobs], text=False),
                 {"repository": nodes})


def small_release() -> None:
    """v1.4.0...v1.5.0: 7 commits, 3 PRs merged (3 commits pushed directly), 2 deployments in
    the window; one file over GitHub's diff limit and over the size the connector reads."""
    host, tape = Host(), Tape()
    tape.add("GET", host.repo_api, 200, repository(host))
    codeowners(tape, host, "v1.5.0")
    compare(tape, host, "v1.4.0...v1.5.0", HISTORY)
    associations(tape, host, [(sha(key), prs) for key, prs in ASSOCIATED.items()],
                 others={sha(k): v for k, v in FORK_PRS.items()})
    metadata(tape, host, RELEASE)
    release_files(tape, host, HISTORY, ASSOCIATED, RELEASE)  # #102 and #104 share one
    huge = PARTS102.files[1]
    withheld_meta(tape, host, [(huge.blob, 2_400_000, False)])
    deployments(tape, host)
    tape.write("small_release")


def pull_request() -> None:
    host, tape = Host(), Tape()
    tape.add("GET", host.repo_api, 200, repository(host))
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
    """GraphQL answers a burst with 403 and Retry-After, as REST does."""
    host, tape = Host(), Tape()
    tape.add("GET", host.repo_api, 200, repository(host))
    queries = _connector_queries()
    limited = error(SECONDARY.format("C0DE:5E1F:1A2B3C:4D5E6F:67039A10"), 403, SECONDARY_DOCS)
    tape.graphql(host, queries.pulls([106]), None, status=403, answer=limited,
                 extra={"Retry-After": "1"})
    parts_of(tape, host, PR106, PARTS106)
    tape.write("secondary_rate_limit")


RATE_LIMITED = {
    "data": None,
    "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 583231."}],
}


def graphql_rate_limit() -> None:
    """A spent GraphQL budget: HTTP 200, a RATE_LIMITED error, the reset 30 s away."""
    host, tape = Host(), Tape()
    tape.add("GET", host.repo_api, 200, repository(host))
    queries = _connector_queries()
    reset = str(int(NOW.timestamp()) + 30)
    tape.graphql(host, queries.pulls([106]), None, answer=RATE_LIMITED,
                 extra={"X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
                        "X-RateLimit-Reset": reset})
    parts_of(tape, host, PR106, PARTS106)
    tape.write("graphql_rate_limit")


def partial_failures() -> None:
    """PR #106 read by an App without ``checks: read``: GraphQL answers the rest and names
    the forbidden field; the file listing is eaten by a proxy."""
    host, tape = Host(), Tape()
    tape.add("GET", host.repo_api, 200, repository(host))
    queries = _connector_queries()
    node = pull_node(host, PR106, PARTS106)
    node["commits"]["nodes"][0]["commit"]["checkSuites"] = None
    forbidden = [{"type": "FORBIDDEN", "path": ["repository", "p0", "commits", "nodes", 0,
                                                 "commit", "checkSuites"],
                  "extensions": {"saml_failure": False},
                  "locations": [{"line": 1, "column": 1012}],
                  "message": "Resource not accessible by integration"}]
    tape.graphql(host, queries.pulls([106]), {"repository": {"p0": node}}, errors=forbidden)
    html = "<!DOCTYPE html><html><head><title>Acme SSO - Sign in</title></head></html>"
    tape.add_proxy_page(f"{host.repo_api}/pulls/106/files?per_page={PER_PAGE}", html)
    tape.write("partial_failures")


def unknown_ref() -> None:
    """v1.4.0...v9.9.9 where v9.9.9 does not exist; the test caps deployments at 2."""
    host, tape = Host(), Tape()
    repo = host.repo_api
    tape.add("GET", repo, 200, repository(host))
    contents_docs = f"{DOCS}/repos/contents#get-repository-content"
    no_ref = error("No commit found for the ref v9.9.9", 404, contents_docs)
    tape.add("GET", f"{repo}/contents/.github/CODEOWNERS?ref=v9.9.9", 404, no_ref)
    compare_docs = f"{DOCS}/commits/commits#compare-two-commits"
    uri = f"{repo}/compare/v1.4.0...v9.9.9?per_page={PER_PAGE}"
    tape.add("GET", uri, 404, error("Not Found", 404, compare_docs))
    deployments(tape, host)
    tape.write("unknown_ref")


def enterprise() -> None:
    """GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql."""
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
    tape.add("GET", host.repo_api, 200, repository(host))
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
    tape.add("GET", host.repo_api, 200, repository(host))
    parts_of(tape, host, PR106, PARTS106)
    tape.write("app_auth")


def read_only() -> None:
    Tape().write("read_only")  # nothing may ever play: writes never leave the process


# -- the failures real organisations showed (#18) --------------------------------------------

MOVED_DOCS = "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api"


def moved(tape: Tape, uri: str, location: str) -> None:
    """GitHub's answer for a renamed or transferred repository: 301 to its id."""
    body = {"message": "Moved Permanently", "url": location,
            "documentation_url": f"{MOVED_DOCS}#follow-redirects"}
    tape.add("GET", uri, 301, body, extra={"Location": location})


def renamed_repo() -> None:
    """acme/old-shop is now acme/shop (id 700001): asked by its old name, read by its new
    one. While the release is read it moves again: its deployments answer 301."""
    host, tape = Host(), Tape()
    by_id = f"{host.api}/repositories/{host.repo_id}"
    moved(tape, f"{host.api}/repos/acme/old-shop", by_id)
    tape.add("GET", by_id, 200, repository(host))
    codeowners(tape, host, "v1.5.0")
    compare(tape, host, "v1.4.0...v1.5.0", HISTORY[:1])
    associations(tape, host, [(sha("c1"), ASSOCIATED["c1"])])
    metadata(tape, host, [(PR101, PARTS101)])
    files_of(tape, host, PR101, PARTS101)
    query = urlencode({"environment": "production", "per_page": PER_PAGE})
    moved(tape, f"{host.repo_api}/deployments?{query}", f"{by_id}/deployments?{query}")
    tape.write("renamed_repo")


def merged_elsewhere() -> None:
    """v3.0.0...v3.1.0 on main: #201 merged into ``master`` before the rename to main,
    #202 into ``develop``, then released by #203 (develop -> main)."""
    host, tape = Host(), Tape()
    history = [
        C("e1", "Fix rounding (#201)", "carol", "09-20 10:00"),
        C("e2", "Add CSV export (#202)", "dave", "09-25 15:00"),
        C("e3", "Merge pull request #203 from acme/develop", "bob", "10-01 09:00"),
    ]
    export = F("src/export.py", "added", 40, 0, "@@ -0,0 +1,40 @@\n+import csv")
    pulls = [
        (P(201, "Fix rounding", "Rounds half up.", "carol", "fix/rounding", "09-19 09:00",
           "09-20 10:01", "09-20 10:00", "e1", base_ref="master"),
         Parts(files=[F("src/money.py", "modified", 3, 1, "@@ -5,2 +5,4 @@\n+    ROUND_HALF_UP")],
               reviews=[R(9501, "bob", "APPROVED", "09-20 09:30")])),
        (P(202, "Add CSV export", "PAY-140", "dave", "feature/csv", "09-24 09:00",
           "09-25 15:01", "09-25 15:00", "e2", base_ref="develop"),
         Parts(files=[export], reviews=[R(9502, "carol", "APPROVED", "09-25 14:00")])),
        (P(203, "Release 3.1.0", "develop into main", "bob", "develop", "09-30 09:00",
           "10-01 09:01", "10-01 09:00", "e3"),
         Parts(files=[export], reviews=[R(9503, "alice", "APPROVED", "10-01 08:30")])),
    ]
    tape.add("GET", host.repo_api, 200, repository(host))
    codeowners(tape, host, "v3.1.0")
    compare(tape, host, "v3.0.0...v3.1.0", history)
    associations(tape, host, [
        (sha("e1"), [(201, "09-20 10:00")]),
        (sha("e2"), [(202, "09-25 15:00"), (203, "10-01 09:00")]),
        (sha("e3"), [(203, "10-01 09:00")]),
    ])
    metadata(tape, host, pulls)
    release_files(tape, host, history, {"e1": [(201, "09-20 10:00")],
                                        "e2": [(202, "09-25 15:00"), (203, "10-01 09:00")],
                                        "e3": [(203, "10-01 09:00")]}, pulls)
    no_deployments(tape, host)
    tape.write("merged_elsewhere")


ORGS_PY = "".join(f"def org_{i}(db):\n    return db.get({i})\n" for i in range(200))
BILLING_OLD = "".join(f"RATE_{i} = {i}\n" for i in range(3000))
BILLING_NEW = BILLING_OLD.replace("RATE_7 = 7\n", "RATE_7 = 8\nAPI_KEY = 'sk_live_x'\n")
WITHHELD = [  # what GitHub sent: (file, blob size, GitHub's binary marker)
    (F("src/acme/orgs.py", "added", 0, 0, changes=0), len(ORGS_PY), False),
    (F("src/acme/billing.py", "modified", 900, 400), len(BILLING_NEW), False),
    (F("data/model.tflite", "modified", 0, 0, changes=0), 4_200_000, True),
    (F("vendor/bundle.min.js", "added", 0, 0, changes=0), 3_100_000, False),
    (F("docs/notes.txt", "added", 0, 0, changes=0), 12_000, None),
    (F("src/acme/extra.py", "added", 0, 0, changes=0), 2_000, False),
    (F("old/legacy.py", "removed", 0, 0, changes=0), 0, False),
]


def withheld_patches() -> None:
    """PR #301 as large real PRs look: text files without patch and with 0 changes, one
    over the diff limit, a binary GitHub marks, one too big to read, one GitHub cannot
    classify; the test lets the connector rebuild 5 files at most."""
    host, tape = Host(), Tape()
    pull = P(301, "Organisations and billing", "", "alice", "feature/orgs", "10-01 09:00",
             "10-02 09:01", "10-02 09:00", "w1")
    parts = Parts(files=[f for f, _, _ in WITHHELD],
                  reviews=[R(9601, "bob", "APPROVED", "10-02 08:00")])
    tape.add("GET", host.repo_api, 200, repository(host))
    codeowners(tape, host, "v4.1.0", at_root=False)
    compare(tape, host, "v4.0.0...v4.1.0",
            [C("w1", "Organisations and billing (#301)", "alice", "10-02 09:00")])
    associations(tape, host, [(sha("w1"), [(301, "10-02 09:00")])])
    metadata(tape, host, [(pull, parts)])
    files_of(tape, host, pull, parts)
    queries = _connector_queries()
    withheld_meta(tape, host, [(f.blob, size, binary) for f, size, binary in WITHHELD[:5]])
    texts = {WITHHELD[0][0].blob: ORGS_PY, WITHHELD[1][0].blob: BILLING_NEW}
    nodes = {queries.alias("b", i): blob_node(oid, len(text), False, text, with_text=True)
             for i, (oid, text) in enumerate(texts.items())}
    tape.graphql(host, queries.blobs(list(texts), text=True), {"repository": nodes})
    base_oid = sha("base:main")
    body = comparison(host, f"{base_oid}...{pull.head_sha}", [], 1, 2)
    merge_base = commit(host, C("mb", "Release 4.0.0", "bob", "09-30 09:00"), sha("older"))
    body.update(merge_base_commit=merge_base, status="diverged", ahead_by=1, behind_by=3)
    tape.add("GET", f"{host.repo_api}/compare/{base_oid}...{pull.head_sha}?per_page=1", 200, body)
    old = {queries.alias("o", 0): blob_node(sha("blob:old-billing"), len(BILLING_OLD), False,
                                            BILLING_OLD, with_text=True)}
    expression = f"{merge_base['sha']}:src/acme/billing.py"
    tape.graphql(host, queries.file_at({queries.alias("o", 0): expression}),
                 {"repository": old})
    no_deployments(tape, host)
    tape.write("withheld_patches")


def nested_pages() -> None:
    """PR #110: 101 reviews (a bot comments on every push) and 55 check runs in one suite,
    each past the first page GitHub answers; follow-up queries read the rest."""
    host, tape = Host(), Tape()
    pull = P(110, "Matrix build for every Python", "", "grace", "ci/matrix", "10-05 09:00",
             "10-06 09:00")
    reviews = [R(9800 + i, "ci-helper[bot]", "COMMENTED", "10-05 10:00") for i in range(100)]
    reviews.append(R(9900, "bob", "APPROVED", "10-06 08:00"))
    checks = [K(7800 + i, f"test ({i})", "completed", "success") for i in range(55)]
    parts = Parts(files=[F(".github/workflows/ci.yml", "modified", 3, 1,
                           "@@ -4 +4,3 @@\n+    strategy:")], reviews=reviews, checks=checks)
    queries = _connector_queries()
    node = pull_node(host, pull, parts)
    more_reviews, more_runs = _cursor("reviews:100"), _cursor("runs:50")
    node["reviews"] = {"totalCount": 101, "pageInfo": {"hasNextPage": True,
                                                       "endCursor": more_reviews},
                       "nodes": node["reviews"]["nodes"][:100]}
    suite = node["commits"]["nodes"][0]["commit"]["checkSuites"]["nodes"][0]
    runs = suite["checkRuns"]["nodes"]
    suite["checkRuns"] = {"totalCount": 55, "pageInfo": {"hasNextPage": True,
                                                         "endCursor": more_runs},
                          "nodes": runs[:50]}
    tape.add("GET", host.repo_api, 200, repository(host))
    tape.graphql(host, queries.pulls([110]), {"repository": {"p0": node}})
    files_of(tape, host, pull, parts)
    rest = {"totalCount": 101, "pageInfo": {"hasNextPage": False, "endCursor": _cursor("r:101")},
            "nodes": [review_node(pull, reviews[100])]}
    tape.graphql(host, queries.more_reviews(110, more_reviews),
                 {"repository": {"pullRequest": {"reviews": rest}}})
    tail = {"totalCount": 55, "pageInfo": {"hasNextPage": False, "endCursor": _cursor("k:55")},
            "nodes": runs[50:]}
    tape.graphql(host, queries.more_runs(suite["id"], more_runs), {"node": {"checkRuns": tail}})
    tape.write("nested_pages")


SHARED = [  # v5.0.0...v5.1.0: three squash merges in a row, no file touched twice
    (C("s1", "PAY-301 Ledger export (#301)", "alice", "10-08 10:00"),
     P(301, "PAY-301 Ledger export", "", "alice", "feature/PAY-301", "10-07 09:00",
       "10-08 10:01", "10-08 10:00", "s1"),
     Parts(files=[F("src/ledger/export.py", "added", 25, 0, "@@ -0,0 +1,25 @@\n+import csv"),
                  F("tests/test_export.py", "added", 12, 0, "@@ -0,0 +1,12 @@\n+def test():")],
           reviews=[R(9701, "bob", "APPROVED", "10-08 09:00")])),
    (C("s2", "PAY-302 Ledger import (#302)", "bob", "10-08 14:00"),
     P(302, "PAY-302 Ledger import", "", "bob", "feature/PAY-302", "10-07 11:00",
       "10-08 14:01", "10-08 14:00", "s2"),
     Parts(files=[F("src/ledger/import_.py", "added", 30, 0, "@@ -0,0 +1,30 @@\n+import io"),
                  F("src/ledger/legacy.py", "removed", 0, 40, "@@ -1,40 +0,0 @@\n-OLD = 1")],
           reviews=[R(9702, "alice", "APPROVED", "10-08 13:00")])),
    (C("s3", "Rename the settings module (#303)", "carol", "10-09 09:00"),
     P(303, "Rename the settings module", "", "carol", "chore/settings", "10-08 16:00",
       "10-09 09:01", "10-09 09:00", "s3"),
     Parts(files=[F("src/ledger/config.py", "renamed", 1, 1, "@@ -3 +3 @@\n-A = 1\n+A = 2",
                    previous="src/ledger/settings.py")],
           reviews=[R(9703, "bob", "APPROVED", "10-09 08:00")])),
]


def _shared_release(name: str, *, compare_fails: bool = False) -> None:
    host, tape = Host(), Tape()
    history = [c for c, _, _ in SHARED]
    pulls = [(p, parts) for _, p, parts in SHARED]
    associated = {c.key: [(p.number, p.merged)] for c, p, _ in SHARED}
    tape.add("GET", host.repo_api, 200, repository(host))
    codeowners(tape, host, "v5.1.0")
    compare(tape, host, "v5.0.0...v5.1.0", history)
    associations(tape, host, [(c.sha, prs) for c in history for prs in [associated[c.key]]])
    metadata(tape, host, pulls)
    if compare_fails:  # GitHub gives up on the diff: each PR reads its own files
        uri = f"{host.repo_api}/compare/{sha('base')}...{history[-1].sha}?per_page=1"
        slow = error("Server Error: Sorry, this diff is taking too long to generate.", 500)
        for _ in range(2):  # the test allows two attempts
            tape.add("GET", uri, 500, slow)
        for pull, parts in pulls:
            files_of(tape, host, pull, parts)
    else:
        release_files(tape, host, history, associated, pulls)
    no_deployments(tape, host)
    tape.write(name)


def shared_compare() -> None:
    """#301, #302 and #303 merged one after another, touching different files: one compare
    of the three merges holds every patch, and each PR's own listing vouches for it."""
    _shared_release("shared_compare")


def shared_compare_fails() -> None:
    """The same release, but GitHub cannot generate the three merges' diff."""
    _shared_release("shared_compare_fails", compare_fails=True)


CASSETTES = (
    small_release,
    pull_request,
    bad_credentials,
    unknown_repo,
    secondary_rate_limit,
    graphql_rate_limit,
    partial_failures,
    unknown_ref,
    enterprise,
    app_auth,
    read_only,
    renamed_repo,
    merged_elsewhere,
    withheld_patches,
    nested_pages,
    shared_compare,
    shared_compare_fails,
)


if __name__ == "__main__":
    if "--refresh-examples" in sys.argv[1:]:
        refresh_examples()
    for make in CASSETTES:
        make()
