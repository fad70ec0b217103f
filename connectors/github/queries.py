"""The GraphQL documents the GitHub connector sends, and nothing else.

Every document is a ``query`` (the transport refuses anything else) built from the
fragments below; each is validated against GitHub's public schema in the contract tests.
Numbers, object ids and cursors are written inline only after validation (digits, hex
object ids, cursors as JSON strings); the owner and name travel as variables.

Node budget of a full ``pulls`` query (GitHub allows 500,000; connections at most 100):
100 PRs x (100 labels + 100 reviews + 100 files + 1 commit x 20 suites x (1 + 50 runs))
= 132,100.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

MAX_ALIASES = 100  # PRs, commits or blobs per query
LABELS = 100
REVIEWS = 100
SUITES = 20
RUNS = 50
FILES = 100  # a PR's changed paths, to plan shared compares (merge_runs.py); no follow-up
ASSOCIATED = 10  # merged PRs per commit before a follow-up page is needed

_OID = re.compile(r"^[0-9a-f]{40}$")
_PAGE = "totalCount pageInfo { hasNextPage endCursor }"

AUTHOR = "author { __typename login }"
MERGED_BY = "mergedBy { __typename login }"  # REST's merged_by; the listing has none
REVIEW = f"fullDatabaseId state submittedAt {AUTHOR} commit {{ oid }}"
RUN = "name status conclusion"
RUN_FILTER = "filterBy: {checkType: LATEST}"  # REST's check-runs default: the latest per name
SUITE = (
    f"id app {{ slug name }} checkRuns(first: {RUNS}, {RUN_FILTER}) "
    f"{{ {_PAGE} nodes {{ {RUN} }} }}"
)
HEAD_CHECKS = (
    f"oid checkSuites(first: {SUITES}) {{ {_PAGE} nodes {{ {SUITE} }} }} "
    "status { state contexts { context state description } }"
)
PULL = (
    "number title body url createdAt updatedAt mergedAt additions deletions changedFiles "
    f"baseRefName baseRefOid headRefName headRefOid reviewDecision {AUTHOR} "
    f"mergeCommit {{ oid }} {MERGED_BY} "
    f"labels(first: {LABELS}) {{ {_PAGE} nodes {{ name }} }} "
    f"reviews(first: {REVIEWS}) {{ {_PAGE} nodes {{ {REVIEW} }} }} "
    f"files(first: {FILES}) {{ totalCount nodes {{ path additions deletions changeType }} }} "
    f"commits(last: 1) {{ nodes {{ commit {{ {HEAD_CHECKS} }} }} }}"
)
ASSOCIATED_PULL = "number mergedAt repository { nameWithOwner }"
ASSOCIATION = (
    f"oid associatedPullRequests(first: {ASSOCIATED}) "
    f"{{ {_PAGE} nodes {{ {ASSOCIATED_PULL} }} }}"
)
BLOB_META = "oid byteSize isBinary isTruncated"
BLOB_TEXT = "oid byteSize isBinary isTruncated text"


def _oid(value: str) -> str:
    if not _OID.match(value):
        raise ValueError(f"not a git object id: {value!r}")
    return value


def _repository(body: str) -> str:
    return (
        "query($owner: String!, $name: String!) "
        f"{{ repository(owner: $owner, name: $name) {{ {body} }} }}"
    )


def alias(prefix: str, index: int) -> str:
    return f"{prefix}{index}"


def pulls(numbers: Sequence[int]) -> str:
    """Up to 100 pull requests by number, each with who wrote and merged it, its reviews,
    labels and head checks."""
    _bounded(numbers)
    parts = (f"{alias('p', i)}: pullRequest(number: {int(n)}) {{ {PULL} }}"
             for i, n in enumerate(numbers))
    return _repository(" ".join(parts))


def associations(shas: Sequence[str]) -> str:
    """The merged pull requests that brought each commit in (``associatedPullRequests``)."""
    _bounded(shas)
    parts = (f"{alias('c', i)}: object(oid: \"{_oid(sha)}\") "
             f"{{ ... on Commit {{ {ASSOCIATION} }} }}" for i, sha in enumerate(shas))
    return _repository(" ".join(parts))


def blobs(oids: Sequence[str], *, text: bool) -> str:
    """Blobs by object id: size and GitHub's binary marker, and their text when asked."""
    _bounded(oids)
    fields = BLOB_TEXT if text else BLOB_META
    parts = (f"{alias('b', i)}: object(oid: \"{_oid(oid)}\") {{ ... on Blob {{ {fields} }} }}"
             for i, oid in enumerate(oids))
    return _repository(" ".join(parts))


def file_at(expression_by_alias: dict[str, str]) -> str:
    """Blobs by ``rev:path`` expression (an older version of a file), with their text."""
    _bounded(list(expression_by_alias))
    parts = (f"{name}: object(expression: {json.dumps(expr)}) {{ ... on Blob {{ {BLOB_TEXT} }} }}"
             for name, expr in expression_by_alias.items())
    return _repository(" ".join(parts))


# -- follow-up pages of nested connections ------------------------------------------------


def _page_after(field: str, first: int, cursor: str, nodes: str, extra: str = "") -> str:
    return (f"{field}(first: {first}, after: {json.dumps(cursor)}{extra}) "
            f"{{ {_PAGE} nodes {{ {nodes} }} }}")


def _of_pull(number: int, connection: str) -> str:
    return _repository(f"pullRequest(number: {int(number)}) {{ {connection} }}")


def _of_commit(sha: str, connection: str) -> str:
    return _repository(f'object(oid: "{_oid(sha)}") {{ ... on Commit {{ {connection} }} }}')


def more_reviews(number: int, cursor: str) -> str:
    return _of_pull(number, _page_after("reviews", REVIEWS, cursor, REVIEW))


def more_labels(number: int, cursor: str) -> str:
    return _of_pull(number, _page_after("labels", LABELS, cursor, "name"))


def more_suites(sha: str, cursor: str) -> str:
    return _of_commit(sha, _page_after("checkSuites", SUITES, cursor, SUITE))


def more_runs(suite_id: str, cursor: str) -> str:
    """Check runs past the first page of one suite (found by its node id)."""
    runs = _page_after("checkRuns", 100, cursor, RUN, f", {RUN_FILTER}")
    return f"query {{ node(id: {json.dumps(suite_id)}) {{ ... on CheckSuite {{ {runs} }} }} }}"


def more_associations(sha: str, cursor: str) -> str:
    return _of_commit(sha, "oid " + _page_after("associatedPullRequests", 100, cursor,
                                                ASSOCIATED_PULL))


def _bounded(items: Sequence[object]) -> None:
    if not 0 < len(items) <= MAX_ALIASES:
        raise ValueError(f"a query carries 1 to {MAX_ALIASES} items, not {len(items)}")
