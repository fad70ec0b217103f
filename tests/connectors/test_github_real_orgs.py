"""What real organisations do to the GitHub connector (#18), each from GitHub's documented
shapes: a renamed repository, PRs merged through another base, files sent without a
patch, a spent GraphQL budget, GraphQL writes. Each ends in correct data or a named gap.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from pydantic import SecretStr

from connectors.errors import ConnectorError, LossyRedirect, ReadOnlyViolation
from connectors.github import GitHubConnector, GitHubSettings
from connectors.github.auth import read_policy
from connectors.github.connector import FILES_CAP
from connectors.github.gaps import GapLog
from connectors.github.wire import PullSummary, changed_file
from connectors.provenance import RequestStats
from connectors.transport import GuardedAdapter, ReadOnlyPolicy, RetryPolicy
from tests.connectors.test_github import (  # noqa: F401 - the fixture applies here too
    one_connection_at_a_time,
    replay,
    retry,
    settings,
)
from tests.replay import replayer

# -- 1. a renamed repository --------------------------------------------------------------


@pytest.fixture(scope="module")
def renamed() -> Any:
    connector = GitHubConnector(settings())
    result, cassette = replay(
        "renamed_repo", connector, lambda c: c.fetch_release("acme/old-shop", "v1.4.0", "v1.5.0")
    )
    return result, cassette


def test_a_renamed_repository_is_read_under_its_canonical_name(renamed: Any) -> None:
    (release, provenance), cassette = renamed
    assert release.repository.full_name == "acme/shop"
    assert provenance.asked == {"repo": "acme/old-shop", "base": "v1.4.0", "head": "v1.5.0",
                                "canonical_repo": "acme/shop"}
    assert [p.number for p in release.pull_requests] == [101]
    paths = [r.path for r in cassette.requests]
    assert paths[:2] == ["/repos/acme/old-shop", "/repositories/700001"]  # the only old name
    assert all("old-shop" not in path for path in paths[2:])


def test_a_redirect_that_would_drop_the_query_is_a_gap_not_data(renamed: Any) -> None:
    """Followed by path alone, ``deployments?environment=production`` would list every
    environment's deployments as production's."""
    (release, provenance), _ = renamed
    assert release.deployments == ()
    [gap] = [g for g in provenance.gaps if g.what == "deployments to production"]
    assert gap.why.startswith("301 moved to https://api.github.com/repositories/700001/"
                              "deployments?environment=production")
    assert gap.why.endswith("not followed, the re-request would drop the query")


def test_the_transport_refuses_lossy_redirects_only_where_asked() -> None:
    adapter = GuardedAdapter(read_policy("https://api.github.com"), RequestStats())
    request = requests.Request("GET", "https://api.github.com/repos/a/b/pulls?state=closed")
    response = requests.Response()
    response.status_code, response.headers["Location"] = 301, "https://api.github.com/x"
    with pytest.raises(LossyRedirect):
        adapter._refuse_lossy_redirect(request.prepare(), response)
    plain = requests.Request("GET", "https://api.github.com/repos/a/b").prepare()
    adapter._refuse_lossy_redirect(plain, response)  # no query to lose: PyGithub follows it
    jira = GuardedAdapter(ReadOnlyPolicy("jira"), RequestStats())
    jira._refuse_lossy_redirect(request.prepare(), response)


# -- 2. pull requests merged through another base ---------------------------------------------


def test_prs_merged_into_another_branch_are_in_the_release() -> None:
    (release, provenance), _ = replay(
        "merged_elsewhere", GitHubConnector(settings()),
        lambda c: c.fetch_release("acme/shop", "v3.0.0", "v3.1.0"),
    )
    assert [(p.number, p.base_ref) for p in release.pull_requests] == [
        (201, "master"),  # merged before the master -> main rename
        (202, "develop"),  # merged into develop, released by #203
        (203, "main"),
    ]
    assert release.commits_without_pull_request == ()
    assert provenance.gaps == []


# -- 3. files without a patch ------------------------------------------------------------------


@pytest.fixture(scope="module")
def withheld() -> Any:
    connector = GitHubConnector(settings(max_recovered_files=5))
    (release, provenance), _ = replay(
        "withheld_patches", connector, lambda c: c.fetch_release("acme/shop", "v4.0.0", "v4.1.0")
    )
    return {f.path: f for f in release.pull_requests[0].files}, provenance


def test_a_text_file_sent_with_no_patch_and_zero_changes_is_rebuilt(withheld: Any) -> None:
    files, _ = withheld
    orgs = files["src/acme/orgs.py"]
    assert (orgs.patch_withheld, orgs.patch_recovered, orgs.patch_truncated) == (
        "unknown", True, False)
    assert orgs.additions == 400 and orgs.deletions == 0  # counted from the rebuilt diff
    assert orgs.patch is not None and orgs.patch.startswith("@@ -0,0 +1,400 @@")


def test_a_diff_over_githubs_limit_is_rebuilt_against_the_merge_base(withheld: Any) -> None:
    files, _ = withheld
    billing = files["src/acme/billing.py"]
    assert (billing.patch_withheld, billing.patch_recovered) == ("too_large", True)
    added = [row for row in (billing.patch or "").splitlines() if row.startswith("+")]
    assert added == ["+RATE_7 = 8", "+API_KEY = 'sk_live_x'"]  # what the scanners need
    assert (billing.additions, billing.deletions) == (900, 400)  # GitHub's own count kept


def test_githubs_binary_marker_settles_a_file_type_we_do_not_know(withheld: Any) -> None:
    files, _ = withheld
    model = files["data/model.tflite"]
    assert (model.patch_withheld, model.patch_truncated, model.patch) == ("binary", False, None)


def test_what_cannot_be_rebuilt_is_a_gap_per_file(withheld: Any) -> None:
    files, provenance = withheld
    gaps = {g.what: g.why for g in provenance.gaps}
    assert gaps == {
        "patch of vendor/bundle.min.js in PR #301": "GitHub sent no patch (GitHub counted no "
        "lines for it); not read: 3100000 bytes, over the limit of 1048576 "
        "(GITHUB_MAX_RECOVERED_BYTES)",
        "patch of docs/notes.txt in PR #301": "GitHub sent no patch (GitHub counted no lines "
        "for it); not read: GitHub cannot tell whether it is text",
        "patch of src/acme/extra.py in PR #301": "GitHub sent no patch (GitHub counted no "
        "lines for it); not read: over the limit of 5 files a fetch rebuilds "
        "(GITHUB_MAX_RECOVERED_FILES)",
    }
    for path in ("vendor/bundle.min.js", "docs/notes.txt", "src/acme/extra.py"):
        assert files[path].patch_truncated and files[path].patch is None  # never "unchanged"
    legacy = files["old/legacy.py"]  # removed: no added lines to scan, so no gap
    assert (legacy.status, legacy.patch_withheld) == ("removed", "unknown")


@pytest.mark.parametrize(
    ("entry", "withheld_as", "truncated"),
    [
        ({"filename": "a.png", "status": "added", "changes": 0}, "binary", False),
        ({"filename": "src/orgs.py", "status": "added", "changes": 0}, "unknown", True),
        ({"filename": "data.json", "status": "modified", "changes": 8000}, "too_large", True),
        ({"filename": "b.py", "status": "renamed", "changes": 0}, None, False),
        ({"filename": "c.py", "status": "modified", "changes": 2, "patch": "@@"}, None, False),
    ],
)
def test_no_patch_is_never_read_as_unchanged(
    entry: dict[str, Any], withheld_as: str | None, truncated: bool
) -> None:
    data = {"additions": 0, "deletions": 0, **entry}
    file = changed_file(data)
    assert (file.patch_withheld, file.patch_truncated) == (withheld_as, truncated)


def _summary(changed_files: int | None) -> PullSummary:
    return PullSummary(
        number=9, title="t", body=None, author="a", labels=(), head_ref="h", head_sha="0" * 40,
        base_ref="main", merged_at=None, merge_commit_sha=None, html_url="u",
        created_at="2024-01-01T00:00:00Z", updated_at="2024-01-01T00:00:00Z",
        changed_files=changed_files)


@pytest.mark.parametrize(("says", "complete"), [(0, False), (3500, False), (None, False),
                                                (FILES_CAP, True)])
def test_a_listing_cut_at_3000_files_is_a_gap_even_when_the_pr_says_zero(
    says: int | None, complete: bool
) -> None:
    log = GapLog()
    assert GitHubConnector._all_files_listed(_summary(says), FILES_CAP, log) is complete
    assert bool(log.gaps()) is not complete
    assert GitHubConnector._all_files_listed(_summary(0), 12, GapLog())  # under the cap


# -- GraphQL: rate limits and the read-only guard ---------------------------------------------


def test_a_spent_graphql_budget_is_waited_out_until_its_reset() -> None:
    sleeps: list[float] = []
    now = 1728291600.0  # the cassette's clock: the reset is 30 s away
    policy = RetryPolicy(sleep=sleeps.append, now=lambda: now)
    (pull, provenance), _ = replay(
        "graphql_rate_limit", GitHubConnector(settings(), retry=policy),
        lambda c: c.fetch_pull("acme/shop", 106),
    )
    assert sleeps == [31.0]
    assert (provenance.retries, provenance.rate_limit_wait_s) == (1, 31.0)
    assert pull.number == 106 and provenance.gaps == []


def test_a_graphql_budget_outlasting_the_retry_budget_is_a_one_line_error() -> None:
    policy = RetryPolicy(sleep=lambda _: None, now=lambda: 1728291600.0, total_wait_budget_s=10)
    connector = GitHubConnector(settings(), retry=policy)
    with replayer("github").use_cassette("graphql_rate_limit.yaml"), connector, \
            pytest.raises(ConnectorError) as raised:
        connector.fetch_pull("acme/shop", 106)
    assert str(raised.value) == (
        "github: cannot read pull request acme/shop#106 (API rate limit exceeded for user ID "
        "583231. (rate limit outlasted the retry budget))"
    )


def _graphql(document: str) -> bytes:
    return json.dumps({"query": document, "variables": {}}).encode()


@pytest.mark.parametrize("base", ["https://api.github.com", "https://ghe.acme.example/api/v3"])
def test_graphql_queries_pass_the_guard_and_mutations_do_not(base: str) -> None:
    policy = read_policy(base)
    endpoint = base.removesuffix("/v3") + "/graphql"
    policy.check("POST", endpoint, _graphql("query { viewer { login } }"))
    policy.check("POST", endpoint, _graphql("{ viewer { login } }"))  # shorthand query
    refused = [
        _graphql('mutation { addComment(input: {subjectId: "x", body: "y"}) { body } }'),
        _graphql("query a { viewer { login } } mutation b { __typename }"),  # smuggled
        _graphql("subscription { __typename }"),
        _graphql("query { viewer { login "),  # unparsable: refused, never guessed at
        b"not json",
        json.dumps({"variables": {}}).encode(),
    ]
    for body in refused:
        with pytest.raises(ReadOnlyViolation):
            policy.check("POST", endpoint, body)
    with pytest.raises(ReadOnlyViolation):  # a query elsewhere is no query
        policy.check("POST", base + "/graphql/extra", _graphql("{ viewer { login } }"))


def test_a_graphql_mutation_through_the_connectors_client_never_leaves_the_process() -> None:
    connector = GitHubConnector(GitHubSettings(token=SecretStr("t")))
    with replayer("github").use_cassette("read_only.yaml") as cassette:
        requester = connector.github.requester
        with pytest.raises(ReadOnlyViolation) as refused:
            requester.graphql_named_mutation(
                "addPullRequestReview", {"pullRequestId": "PR_x", "event": "APPROVE"}, "id"
            )
        assert "GraphQL: mutation operation" in str(refused.value)
        assert connector.stats.requests == 0 and cassette.play_count == 0
    connector.close()


# -- nested pages: a PR with more reviews or check runs than one query returns ---------------


def test_reviews_and_check_runs_past_the_first_page_are_read() -> None:
    (pull, provenance), _ = replay(
        "nested_pages", GitHubConnector(settings()), lambda c: c.fetch_pull("acme/shop", 110)
    )
    assert len(pull.reviews) == 101 and pull.reviews[-1].reviewer == "bob"
    assert pull.reviews[0].reviewer == "ci-helper[bot]"  # REST's spelling of an app
    assert [k.name for k in pull.check_runs][-1] == "test (54)" and len(pull.check_runs) == 55
    assert {k.app for k in pull.check_runs} == {"github-actions"}
    assert pull.missing == () and provenance.gaps == []
    # repository, the PR's query, its files, then one follow-up for reviews and for runs
    assert provenance.requests == 5


def test_a_follow_up_page_that_fails_marks_the_part_missing_with_a_gap() -> None:
    import yaml

    from connectors.github.client import ApiError, GraphQLAnswer
    from connectors.github.pulls import PullReader
    from tests.replay import CASSETTES

    recorded = yaml.safe_load((CASSETTES / "github" / "nested_pages.yaml").read_text())
    first = json.loads(next(i for i in recorded["interactions"] if "pullRequest(number: 110)"
                            in (i["request"]["body"] or ""))["response"]["body"]["string"])

    class Api:
        def graphql(self, query: str, variables: Any = None) -> GraphQLAnswer:
            if "reviews(first: 100, after:" in query:
                raise ApiError(502, "Bad Gateway")
            if "checkRuns(first: 100, after:" in query:
                return GraphQLAnswer({"node": None}, [{"type": "NOT_FOUND", "path": ["node"],
                                                       "message": "Could not resolve node"}])
            return GraphQLAnswer(first["data"])

    log = GapLog()
    [meta] = PullReader(Api(), "acme/shop", log).batch([110]).values()  # type: ignore[arg-type]
    assert meta.missing == {"reviews", "check_runs"}
    assert (len(meta.reviews), len(meta.check_runs)) == (100, 50)  # what was read stays
    assert {(g.what, g.why) for g in log.gaps()} == {
        ("reviews of PR #110", "502 Bad Gateway"),
        ("check runs of PR #110", "Could not resolve node"),
    }


def test_a_merger_github_would_not_name_is_a_gap_not_a_nobody() -> None:
    """``mergedBy`` is null both for a deleted account and beside an error at its path;
    only the error hides a merger, and separation of duties needs to know."""
    import yaml

    from connectors.github.client import GraphQLAnswer
    from connectors.github.pulls import PullReader
    from tests.replay import CASSETTES

    recorded = yaml.safe_load((CASSETTES / "github" / "small_release.yaml").read_text())
    answer = json.loads(next(i for i in recorded["interactions"] if "pullRequest(number: 104)"
                             in (i["request"]["body"] or ""))["response"]["body"]["string"])
    pulls = answer["data"]["repository"]
    pulls["p0"]["mergedBy"] = pulls["p2"]["mergedBy"] = None  # p0: a deleted account
    refused = [{"type": "FORBIDDEN", "path": ["repository", "p2", "mergedBy"],
                "message": "Resource not accessible by integration"}]

    class Api:
        def graphql(self, query: str, variables: Any = None) -> GraphQLAnswer:
            return GraphQLAnswer(answer["data"], refused)

    log = GapLog()
    metas = PullReader(Api(), "acme/shop", log).batch([101, 102, 104])  # type: ignore[arg-type]
    assert {n: (m.summary.merged_by, m.missing) for n, m in metas.items()} == {
        101: (None, set()), 102: ("erin", set()), 104: (None, {"merged_by"})}
    assert [(g.what, g.why) for g in log.gaps()] == [
        ("merger of PR #104", "Resource not accessible by integration")]
