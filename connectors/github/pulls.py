"""Pull request metadata from GraphQL: up to 100 PRs a query, nested pages followed.

One ``pulls`` query carries each PR's fields (its author and merger among them), labels,
reviews, and its head commit's check suites (with their runs) and commit statuses: what
REST needs four requests per PR for. A nested list longer than its first page (a PR with
150 reviews, a suite with 80 runs) is read to its end with follow-up queries; a follow-up
that fails marks that part of the PR ``missing`` with a gap. GraphQL spells some values
differently from REST; they are normalised to REST's spelling here (lower-case states,
``login[bot]`` for apps, a missing body as None, no statuses as the combined state
``pending``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from connectors.github import queries, wire
from connectors.github.client import ApiError, GitHubApi, GraphQLAnswer
from connectors.github.gaps import GapLog
from connectors.github.merge_runs import STATUS, ListedFile
from connectors.github.models import CheckRun, CommitStatus, Review

Node = dict[str, Any]
T = TypeVar("T")


@dataclass
class PullMeta:
    """What GraphQL says about one PR; ``missing`` names the parts not read in full."""

    summary: wire.PullSummary
    reviews: list[Review] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    statuses: list[CommitStatus] = field(default_factory=list)
    combined_status: str | None = None
    review_decision: str | None = None
    base_oid: str | None = None
    # Its own listing of changed paths and line counts; None when not complete (over
    # 100 files, or not returned). It plans shared compares; patches still come from REST.
    files: tuple[ListedFile, ...] | None = None
    missing: set[str] = field(default_factory=set)


def login(actor: Any) -> str | None:
    """REST's login: GraphQL names an app ``dependabot`` where REST says ``dependabot[bot]``."""
    if not actor:
        return None
    name = str(actor["login"])
    return f"{name}[bot]" if actor.get("__typename") == "Bot" else name


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _review(node: Node) -> Review:
    full_id = node.get("fullDatabaseId")
    return Review(
        id=int(full_id) if full_id is not None else 0,
        state=node["state"],
        reviewer=login(node.get("author")),
        submitted_at=node.get("submittedAt"),
        commit_id=(node.get("commit") or {}).get("oid"),
    )


def _run(node: Node, app: str | None) -> CheckRun:
    return CheckRun(
        name=node["name"],
        status=str(node["status"]).lower(),
        conclusion=_lower(node.get("conclusion")),
        app=app,
    )


def _suite_app(suite: Node) -> str | None:
    app = suite.get("app") or {}
    return app.get("slug") or app.get("name")


def _suite_runs(suite: Node) -> list[CheckRun]:
    """The runs on a suite's first page, named by the suite's app."""
    app = _suite_app(suite)
    return [_run(r, app) for r in (suite.get("checkRuns") or {}).get("nodes") or []]


def _label(node: Node) -> str:
    return str(node["name"])


def _suite(node: Node) -> Node:
    return node


def _statuses(status: Node | None) -> tuple[list[CommitStatus], str]:
    if not status:
        return [], "pending"  # REST's combined state of a commit without statuses
    contexts = [
        CommitStatus(context=c["context"], state=str(c["state"]).lower(),
                     description=c.get("description"))
        for c in status["contexts"]
    ]
    return contexts, str(status["state"]).lower()


def summary(node: Node) -> wire.PullSummary:
    return wire.PullSummary(
        number=node["number"],
        title=node["title"],
        body=node["body"] or None,  # GraphQL says "" where REST says null
        author=login(node.get("author")),
        labels=tuple(label["name"] for label in (node.get("labels") or {}).get("nodes") or ()),
        head_ref=node["headRefName"],
        head_sha=node["headRefOid"],
        base_ref=node["baseRefName"],
        merged_at=node.get("mergedAt"),
        merge_commit_sha=(node.get("mergeCommit") or {}).get("oid"),
        html_url=node["url"],
        created_at=node["createdAt"],
        updated_at=node["updatedAt"],
        additions=node["additions"],
        deletions=node["deletions"],
        changed_files=node["changedFiles"],
        merged_by=login(node.get("mergedBy")),
    )


def _listed_files(connection: Node | None, changed: int) -> tuple[ListedFile, ...] | None:
    """The PR's files as GraphQL lists them, when that is all of them."""
    if not connection or connection.get("totalCount") != changed:
        return None
    nodes = connection.get("nodes") or []
    if len(nodes) != changed or any(n["changeType"] not in STATUS for n in nodes):
        return None  # a change type this code does not know cannot be matched
    return tuple(ListedFile(path=n["path"], status=STATUS[n["changeType"]],
                            additions=n["additions"], deletions=n["deletions"]) for n in nodes)


def _head(node: Node) -> Node | None:
    commits = node["commits"]["nodes"]
    return commits[-1]["commit"] if commits else None


def _more(connection: Node) -> str | None:
    info = connection.get("pageInfo") or {}
    return str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None


class PullReader:
    """Reads PR metadata for one repository; failures become gaps in ``log``."""

    def __init__(self, api: GitHubApi, repo: str, log: GapLog) -> None:
        self._api = api
        owner, name = repo.split("/", 1)
        self._variables = {"owner": owner, "name": name}
        self._log = log

    def batch(self, numbers: list[int]) -> dict[int, PullMeta]:
        """One query for up to 100 PRs; a PR GitHub does not return gets a gap."""
        what = f"metadata of PRs #{numbers[0]}..#{numbers[-1]}" if len(numbers) > 1 else (
            f"metadata of PR #{numbers[0]}")
        answer = self._log.attempt(what, partial(self._query, queries.pulls(numbers)))
        if answer is None:
            return {}
        repository = answer.data.get("repository") or {}
        found: dict[int, PullMeta] = {}
        for index, number in enumerate(numbers):
            key = queries.alias("p", index)
            node = repository.get(key)
            if node is None:
                why = answer.error_at(key) or "not returned by GitHub"
                self._log.add(f"pull request #{number}", why)
                continue
            errors = _Errors(answer, key)
            meta = self._log.attempt(f"pull request #{number}",
                                     partial(self._meta, node, errors))
            if meta is not None:
                found[number] = meta
        return found

    def _query(self, query: str) -> Any:
        return self._api.graphql(query, self._variables)

    def _meta(self, node: Node, errors: _Errors) -> PullMeta:
        meta = wire.parse(partial(self._parse, node, errors))
        self._follow(meta, node)
        return meta

    def _parse(self, node: Node, errors: _Errors) -> PullMeta:
        meta = PullMeta(summary=summary(node), review_decision=node.get("reviewDecision"),
                        base_oid=node.get("baseRefOid"),
                        files=_listed_files(node.get("files"), node["changedFiles"]))
        number = meta.summary.number
        if node.get("labels") is None:
            self._unread(meta, "labels", f"labels of PR #{number}", errors.at("labels"))
        # null is also a merger whose account was deleted: only an error hides one
        why = errors.at("mergedBy")
        if meta.summary.merged_by is None and why is not None:
            self._unread(meta, "merged_by", f"merger of PR #{number}", why)
        if node.get("reviews") is None:
            self._unread(meta, "reviews", f"reviews of PR #{number}", errors.at("reviews"))
        else:
            meta.reviews = [_review(r) for r in node["reviews"]["nodes"]]
        head = _head(node)
        if head is None:
            meta.combined_status = "pending"
            return meta
        suites = head.get("checkSuites")
        if suites is None:
            self._unread(meta, "check_runs", f"check runs of PR #{number}",
                         errors.at("checkSuites"))
        else:
            meta.check_runs = [run for suite in suites.get("nodes") or []
                               for run in _suite_runs(suite)]
        why = errors.at("status")
        if head.get("status") is None and why is not None:  # null is also "no statuses"
            self._unread(meta, "statuses", f"statuses of PR #{number}", why)
        else:
            meta.statuses, meta.combined_status = _statuses(head.get("status"))
        return meta

    def _unread(self, meta: PullMeta, part: str, what: str, why: str | None) -> None:
        meta.missing.add(part)
        self._log.add(what, why or "not returned by GitHub")

    # -- nested pages -------------------------------------------------------------------

    def _follow(self, meta: PullMeta, node: Node) -> None:
        number = meta.summary.number
        if cursor := _more(node.get("labels") or {}):
            labels = self._rest_of(meta, "labels", partial(queries.more_labels, number),
                                   ("pullRequest", "labels"), cursor, _label)
            update = {"labels": (*meta.summary.labels, *labels)}
            meta.summary = meta.summary.model_copy(update=update)
        if cursor := _more(node.get("reviews") or {}):
            meta.reviews += self._rest_of(meta, "reviews", partial(queries.more_reviews, number),
                                          ("pullRequest", "reviews"), cursor, _review)
        head = _head(node)
        if head is not None:
            self._follow_checks(meta, head)

    def _follow_checks(self, meta: PullMeta, head: Node) -> None:
        """Suites past the first page, then runs past each suite's first page."""
        suites = head.get("checkSuites") or {}
        listed = list(suites.get("nodes") or [])
        if cursor := _more(suites):
            more = self._rest_of(meta, "check_runs", partial(queries.more_suites, head["oid"]),
                                 ("object", "checkSuites"), cursor, _suite)
            meta.check_runs += [run for suite in more for run in _suite_runs(suite)]
            listed += more
        for suite in listed:
            if cursor := _more(suite.get("checkRuns") or {}):
                meta.check_runs += self._rest_of(
                    meta, "check_runs", partial(queries.more_runs, suite["id"]),
                    ("node", "checkRuns"), cursor, partial(_suite_run, _suite_app(suite)),
                    in_repository=False)

    def _rest_of(
        self,
        meta: PullMeta,
        part: str,
        build: Callable[[str], str],
        path: tuple[str, str],
        cursor: str,
        parse: Callable[[Node], T],
        *,
        in_repository: bool = True,
    ) -> list[T]:
        """The rest of one nested list; what cannot be read marks ``part`` missing."""
        what = f"{part.replace('_', ' ')} of PR #{meta.summary.number}"
        got = self._remaining(what, build, path, cursor, parse, in_repository=in_repository)
        if got is None:
            meta.missing.add(part)
            return []
        return got

    def _remaining(
        self,
        what: str,
        build: Callable[[str], str],
        path: tuple[str, str],
        cursor: str,
        parse: Callable[[Node], T],
        *,
        in_repository: bool = True,
    ) -> list[T] | None:
        """Every node after ``cursor`` of one nested connection; None after a gap."""
        got: list[T] = []

        def read() -> bool:
            for connection in self._pages(build, path, cursor, in_repository):
                got.extend(wire.parse(partial(_nodes, connection, parse)))
            return True

        return got if self._log.attempt(what, read) is not None else None

    def _pages(
        self, build: Callable[[str], str], path: tuple[str, str], cursor: str,
        in_repository: bool,
    ) -> Iterator[Node]:
        after: str | None = cursor
        while after is not None:
            answer = (self._query(build(after)) if in_repository
                      else self._api.graphql(build(after)))
            holder = answer.data.get("repository") if in_repository else answer.data
            connection = ((holder or {}).get(path[0]) or {}).get(path[1])
            if connection is None:
                raise ApiError(None, answer.error_at(path[0]) or "no longer returned by GitHub")
            yield connection
            after = _more(connection)


class _Errors:
    """The errors of one aliased PR in a GraphQL answer, looked up by field name."""

    def __init__(self, answer: GraphQLAnswer, key: str) -> None:
        self._errors = [e for e in answer.errors
                        if isinstance(e.get("path"), list) and e["path"][1:2] == [key]]

    def at(self, name: str) -> str | None:
        for error in self._errors:
            if name in error["path"]:
                return " ".join(str(error.get("message") or error.get("type") or "error").split())
        return None


def _suite_run(app: str | None, node: Node) -> CheckRun:
    return _run(node, app)


def _nodes(connection: Node, parse: Callable[[Node], T]) -> list[T]:
    return [parse(n) for n in connection["nodes"]]
