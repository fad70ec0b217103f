"""The GitHub connector against recorded GitHub responses (``cassettes/github``)."""

from __future__ import annotations

import logging
import socket
import threading
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr, ValidationError
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from connectors.errors import ConnectorError, ReadOnlyViolation
from connectors.github import (
    ChangedFile,
    CodeOwnerRule,
    GitHubConnector,
    GitHubRelease,
    GitHubSettings,
    Repository,
)
from connectors.github.issue_keys import jira_keys
from connectors.provenance import Gap, SourceProvenance
from connectors.transport import GuardedAdapter, RetryPolicy
from tests.replay import CASSETTES, FILTERED_HEADERS, replayer

TOKEN = "ghp_test_token_never_logged"


@pytest.fixture(autouse=True, scope="module")
def one_connection_at_a_time() -> Iterator[None]:
    """Make replay safe for the connector's worker threads.

    vcrpy builds each replayed connection inside ``force_reset()``, which un-patches
    urllib3 for every thread meanwhile; a worker opening a connection in that window
    gets a real one and reaches for the network. Building connections one at a time
    closes the window, and refusing sockets makes any slip fail loudly instead.
    """
    lock = threading.RLock()

    def serialized(original: Any) -> Any:
        def new_conn(self: Any) -> Any:
            with lock:
                return original(self)

        return new_conn

    def refuse(self: socket.socket, address: Any) -> None:
        raise OSError(f"tests never touch the network (tried {address})")

    with pytest.MonkeyPatch.context() as patch:
        for pool in (HTTPConnectionPool, HTTPSConnectionPool):
            patch.setattr(pool, "_new_conn", serialized(pool._new_conn))
        patch.setattr(socket.socket, "connect", refuse)
        yield


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2024-{text}:00+00:00")


def settings(**overrides: Any) -> GitHubSettings:
    values: dict[str, Any] = {"token": SecretStr(TOKEN), "per_page": 3, **overrides}
    return GitHubSettings(**values)


def retry(sleeps: list[float], **overrides: Any) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps.append, **overrides)


def replay(name: str, connector: GitHubConnector, read: Any) -> tuple[Any, Any]:
    """Run ``read(connector)`` against one cassette; every recorded answer must be used."""
    with replayer("github").use_cassette(f"{name}.yaml") as cassette, connector:
        result = read(connector)
    unplayed = [i for i in range(len(cassette)) if not cassette.play_counts[i]]
    assert not unplayed, f"{name}.yaml: interactions {unplayed} were never requested"
    return result, cassette


# -- the small release ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_release() -> tuple[GitHubRelease, SourceProvenance, GitHubConnector]:
    connector = GitHubConnector(settings())
    (release, provenance), _ = replay(
        "small_release", connector, lambda c: c.fetch_release("acme/shop", "v1.4.0", "v1.5.0")
    )
    return release, provenance, connector


def test_repository_and_commits(small_release: Any) -> None:
    release, _, _ = small_release
    assert release.schema_version == 3
    assert (release.base, release.head) == ("v1.4.0", "v1.5.0")
    assert release.repository == Repository(
        full_name="acme/shop",
        default_branch="main",
        html_url="https://github.com/acme/shop",
        visibility="private",
    )
    assert len(release.commits) == 7  # three compare pages of 3, 3 and 1
    first, robot = release.commits[0], release.commits[1]
    assert first.message == "PAY-101 Add retry to payment client (#101)"
    assert (first.author_login, first.author_name) == ("alice", "Alice Adams")
    assert (first.authored_at, first.committed_at) == (at("10-01T08:40"), at("10-01T09:00"))
    assert first.html_url == f"https://github.com/acme/shop/commit/{first.sha}"
    assert len(first.sha) == 40
    assert (robot.author_login, robot.author_name) == (None, "Build Robot")
    assert release.commits[-1].message == "Release 1.5.0"


def test_the_releases_pull_requests_come_from_its_commits(small_release: Any) -> None:
    release, _, _ = small_release
    # c5 is also in open PR #107 and in a fork's PR #3: neither brought it in.
    assert [p.number for p in release.pull_requests] == [101, 102, 104]
    shas = {c.sha for c in release.commits}
    assert all(p.merge_commit_sha in shas for p in release.pull_requests)


def test_the_keys_the_code_names_are_published_once_exactly_as_the_release_shows() -> None:
    """Jira reads remote links only for issues these keys leave open (code_keys.py)."""
    published: list[frozenset[str]] = []
    (release, _), _ = replay("small_release", GitHubConnector(settings()), lambda c: (
        c.fetch_release("acme/shop", "v1.4.0", "v1.5.0",
                        publish_keys=lambda keys: published.append(frozenset(keys)))))
    named = {k for p in release.pull_requests if p.merged_at for k in p.jira_keys}
    named |= {k for c in release.commits for k in jira_keys(c.message)}
    assert named  # the cassette's PRs and commits do name issues
    assert published == [frozenset(named)]


def test_commits_no_pull_request_brought_in_are_listed(small_release: Any) -> None:
    release, _, _ = small_release
    by_sha = {c.sha: c.message for c in release.commits}
    assert [by_sha[sha] for sha in release.commits_without_pull_request] == [
        "Bump version to 1.5.0-dev",
        "Revert flaky checkout test",
        "Release 1.5.0",
    ]


def test_pull_request_fields(small_release: Any) -> None:
    pull = small_release[0].pull_requests[0]
    assert pull.number == 101
    assert pull.title == "PAY-101 Add retry to payment client"
    assert pull.body is not None and pull.body.startswith("Retries idempotent calls.")
    assert pull.author == "alice"
    assert pull.labels == ("payments", "backend")
    assert (pull.head_ref, pull.base_ref) == ("feature/PAY-101-retry", "main")
    assert len(pull.head_sha) == 40
    assert pull.merged_at == at("10-01T09:00")
    assert pull.created_at == at("09-29T10:00")
    assert pull.html_url == "https://github.com/acme/shop/pull/101"
    assert (pull.additions, pull.deletions, pull.changed_files) == (180, 5, 4)
    assert pull.jira_keys == ("PAY-101", "PAY-102")  # not UTF-8, not CVE-2024
    assert pull.review_decision == "APPROVED"
    assert pull.missing == ()


def test_who_merged_each_pull_request(small_release: Any) -> None:
    """GraphQL's ``mergedBy``: the author, a reviewer, or someone who wrote nothing."""
    merged = [(p.number, p.author, p.merged_by) for p in small_release[0].pull_requests]
    assert merged == [(101, "alice", "bob"), (102, "erin", "erin"), (104, "alice", "grace")]


def test_files_across_two_pages_and_missing_patches(small_release: Any) -> None:
    first, images = small_release[0].pull_requests[:2]
    assert [f.path for f in first.files] == [
        "src/payments/client.py",
        "src/payments/retry.py",
        "tests/test_retry.py",
        "src/payments/old_client.py",  # the only file on page 2
    ]
    assert first.files[0].patch is not None and first.files[0].patch.startswith("@@")
    assert first.files[3] == ChangedFile(
        path="src/payments/old_client.py",
        previous_path="src/payments/legacy_client.py",
        status="renamed",
        additions=0,
        deletions=0,
        patch=None,
        patch_truncated=False,  # a pure rename has no diff to withhold
    )
    binary, huge, code = images.files
    assert (binary.patch, binary.patch_truncated, binary.patch_withheld) == (None, False, "binary")
    assert (huge.patch, huge.patch_truncated, huge.patch_withheld) == (None, True, "too_large")
    assert (huge.additions, huge.deletions) == (4800, 3200)
    assert code.patch is not None and not code.patch_truncated and code.patch_withheld is None


def test_reviews_checks_and_statuses(small_release: Any) -> None:
    first, images, hotfix = small_release[0].pull_requests
    assert [(r.reviewer, r.state) for r in first.reviews] == [
        ("bob", "CHANGES_REQUESTED"),
        ("carol", "DISMISSED"),
        ("bob", "APPROVED"),
    ]
    assert first.reviews[2].submitted_at == at("10-01T08:50")
    assert first.reviews[2].commit_id == first.head_sha
    assert [(k.name, k.status, k.conclusion, k.app) for k in first.check_runs] == [
        ("test", "completed", "success", "github-actions"),
        ("lint", "completed", "success", "github-actions"),
    ]
    assert [(s.context, s.state) for s in first.statuses] == [("ci/jenkins", "success")]
    assert first.combined_status == "success"
    # Merged without review, checks or statuses: empty is the data, not a gap.
    assert (images.reviews, images.check_runs, images.statuses) == ((), (), ())
    assert images.combined_status == "pending"
    assert images.body is None and images.missing == ()
    assert [k.conclusion for k in hotfix.check_runs] == ["success", "skipped"]
    assert hotfix.labels == ("hotfix",)


def test_jira_keys_from_title_body_and_branch(small_release: Any) -> None:
    keys = [p.jira_keys for p in small_release[0].pull_requests]
    assert keys == [("PAY-101", "PAY-102"), ("SHOP-7",), ("SHOP-12", "OPS-3")]


def test_deployments_in_the_range_window(small_release: Any) -> None:
    deployments = small_release[0].deployments
    assert [(d.id, d.ref, d.environment) for d in deployments] == [
        (9003, "v1.5.0", "production"),
        (9002, "main", "production"),
    ]  # 9001 predates the range; its page-mates stop the listing
    latest, failed = deployments
    assert latest.sha == small_release[0].commits[-1].sha
    assert latest.creator == "deploy-bot"
    assert latest.created_at == at("10-04T10:00")
    assert [(s.state, s.created_at) for s in latest.statuses] == [
        ("success", at("10-04T10:05")),
        ("in_progress", at("10-04T10:01")),
    ]
    assert failed.statuses[0].state == "failure"
    assert failed.statuses[0].description == "Health check failed"


def test_codeowners_from_the_first_location_that_exists(small_release: Any) -> None:
    release = small_release[0]
    assert release.codeowners_path == "CODEOWNERS"  # .github/CODEOWNERS answered 404
    assert release.codeowners == (
        CodeOwnerRule(pattern="*", owners=("@acme/platform",), line=2),
        CodeOwnerRule(pattern="/src/payments/", owners=("@acme/payments", "@alice"), line=3),
        CodeOwnerRule(pattern="*.yaml", owners=("ops@acme.example",), line=4),
        CodeOwnerRule(pattern="/docs/", owners=(), line=5),
        CodeOwnerRule(pattern="#notes.md", owners=("@erin",), line=6),
    )  # "bad-line notanowner" is ignored, as GitHub ignores it


# Pages a complete read needs: nothing can be skipped, nothing is read twice.
MINIMUM_PAGES = {
    "repository": 1,
    "compare: 7 commits / 3": 3,
    "GraphQL: the merged PRs of 7 commits (100 a query)": 1,
    "GraphQL: metadata of 3 PRs (100 a query)": 1,
    # #102 and #104 merged back to back: one compare holds both, but #102's oversized
    # file has no patch there, so #102 reads its own listing (#101 has no neighbour).
    "files: #101 (4 files / 3), #102 (3 / 3), the compare of #102 and #104": 2 + 1 + 1,
    "GraphQL: size and binary marker of the one file sent without patch": 1,
    "CODEOWNERS: .github/CODEOWNERS (absent), then CODEOWNERS": 2,
    "deployments: first page reaches past the window": 1,
    "deployment statuses: 2 deployments": 2,
}


def test_request_count_is_the_minimum_number_of_pages(small_release: Any) -> None:
    _, provenance, connector = small_release
    assert provenance.requests == sum(MINIMUM_PAGES.values()) == 16
    assert connector.stats.requests == 16
    assert (provenance.retries, provenance.rate_limit_wait_s) == (0, 0.0)


def test_provenance_of_a_read_with_one_withheld_file(small_release: Any) -> None:
    _, provenance, _ = small_release
    assert provenance.source == "github"
    assert provenance.asked == {"repo": "acme/shop", "base": "v1.4.0", "head": "v1.5.0"}
    assert provenance.gaps == [
        Gap(
            source="github",
            what="patch of src/catalogue/generated_fixtures.json in PR #102",
            why="GitHub sent no patch (its diff is over GitHub's size limit); not read: "
            "2400000 bytes, over the limit of 1048576 (GITHUB_MAX_RECOVERED_BYTES)",
        )
    ]


def test_rate_limit_state_is_in_the_provenance(small_release: Any) -> None:
    _, provenance, _ = small_release
    budgets = {state.resource: state for state in provenance.rate_limits}
    assert set(budgets) == {"core", "graphql"}
    assert (budgets["core"].limit, budgets["graphql"].limit) == (5000, 5000)
    assert budgets["core"].remaining == 5000 - budgets["core"].used  # the tightest answer seen
    assert budgets["graphql"].reset_at == datetime.fromisoformat("2024-10-07T10:00:00+00:00")


def test_concurrency_does_not_change_the_result(small_release: Any) -> None:
    serial = GitHubConnector(settings(max_workers=1))
    (release, provenance), _ = replay(
        "small_release", serial, lambda c: c.fetch_release("acme/shop", "v1.4.0", "v1.5.0")
    )
    assert release == small_release[0]
    assert provenance.requests == 16


def test_patches_of_back_to_back_merges_come_from_one_compare() -> None:
    connector = GitHubConnector(settings())
    (release, provenance), cassette = replay(
        "shared_compare", connector, lambda c: c.fetch_release("acme/shop", "v5.0.0", "v5.1.0"))
    paths = [str(r.path) for r in cassette.requests]
    assert not any(path.endswith("/files") for path in paths)
    # repository, CODEOWNERS x2, the release's compare, 2 GraphQL, the merges' compare,
    # deployments: where three file listings would have taken three requests.
    assert (provenance.requests, provenance.gaps) == (8, [])
    export, load, rename = release.pull_requests
    assert [(f.path, f.status, f.additions, f.deletions) for f in export.files] == [
        ("src/ledger/export.py", "added", 25, 0), ("tests/test_export.py", "added", 12, 0)]
    assert export.files[0].patch == "@@ -0,0 +1,25 @@\n+import csv"
    assert [(f.path, f.status, f.patch) for f in load.files] == [
        ("src/ledger/import_.py", "added", "@@ -0,0 +1,30 @@\n+import io"),
        ("src/ledger/legacy.py", "removed", "@@ -1,40 +0,0 @@\n-OLD = 1")]
    assert [(f.path, f.previous_path) for f in rename.files] == [
        ("src/ledger/config.py", "src/ledger/settings.py")]
    assert all(p.missing == () and p.changed_files == len(p.files)
               for p in release.pull_requests)


def test_a_compare_github_cannot_generate_falls_back_to_each_prs_files() -> None:
    sleeps: list[float] = []
    connector = GitHubConnector(settings(), retry=retry(sleeps, max_attempts=2))
    (release, provenance), _ = replay(
        "shared_compare_fails", connector,
        lambda c: c.fetch_release("acme/shop", "v5.0.0", "v5.1.0"))
    (shared, _), _ = replay("shared_compare", GitHubConnector(settings()),
                            lambda c: c.fetch_release("acme/shop", "v5.0.0", "v5.1.0"))
    assert provenance.gaps == []  # the same data, read the long way
    assert [p.files for p in release.pull_requests] == [p.files for p in shared.pull_requests]
    assert (provenance.requests, provenance.retries) == (8 + 1 + 3, 1)


def test_release_round_trips_as_plain_json(small_release: Any) -> None:
    release = small_release[0]
    assert GitHubRelease.model_validate_json(release.model_dump_json()) == release
    with pytest.raises(ValidationError):
        release.pull_requests[0].title = "edited"  # type: ignore[misc]


# -- one pull request --------------------------------------------------------------------


def test_fetch_pull_for_the_pr_bot() -> None:
    (pull, provenance), _ = replay(
        "pull_request", GitHubConnector(settings()), lambda c: c.fetch_pull("acme/shop", 106)
    )
    assert pull.number == 106
    assert pull.merged_at is None and pull.merge_commit_sha is None  # GraphQL: not merged yet
    assert pull.merged_by is None
    assert (pull.additions, pull.deletions, pull.changed_files) == (121, 0, 2)
    assert [f.path for f in pull.files] == ["src/giftcards/__init__.py", "src/giftcards/service.py"]
    pending = pull.reviews[1]
    assert (pending.reviewer, pending.state, pending.submitted_at) == ("carol", "PENDING", None)
    assert [(k.name, k.status, k.conclusion) for k in pull.check_runs] == [
        ("build", "completed", "success"),
        ("security-scan", "queued", None),
    ]
    assert pull.combined_status == "failure"
    assert pull.jira_keys == ("SHOP-20",)
    assert provenance.asked == {"repo": "acme/shop", "pull": 106}
    assert (provenance.requests, provenance.gaps) == (3, [])  # repository, GraphQL, files


# -- failures ------------------------------------------------------------------------------


def test_bad_credentials_is_fatal_with_a_one_line_message() -> None:
    with pytest.raises(ConnectorError) as raised:
        replay(
            "bad_credentials",
            GitHubConnector(settings()),
            lambda c: c.fetch_release("acme/shop", "v1.4.0", "v1.5.0"),
        )
    message = str(raised.value)
    assert message == (
        "github: bad credentials (401 Bad credentials); the token is invalid, expired or revoked"
    )
    assert TOKEN not in message


def test_unknown_repository_is_fatal() -> None:
    with pytest.raises(ConnectorError) as raised:
        replay(
            "unknown_repo",
            GitHubConnector(settings()),
            lambda c: c.fetch_release("acme/nope", "v1", "v2"),
        )
    message = str(raised.value)
    assert (
        message
        == "github: repository acme/nope not found, or not visible to these credentials (404)"
    )


def test_secondary_rate_limit_is_retried_after_retry_after() -> None:
    sleeps: list[float] = []
    connector = GitHubConnector(settings(), retry=retry(sleeps))
    (pull, provenance), _ = replay(
        "secondary_rate_limit", connector, lambda c: c.fetch_pull("acme/shop", 106)
    )
    assert sleeps == [1.0]  # the Retry-After header, not a guess
    assert (provenance.requests, provenance.retries) == (4, 1)
    assert provenance.rate_limit_wait_s == 1.0
    assert provenance.gaps == [] and pull.missing == ()


def test_partial_failures_become_gaps() -> None:
    """An App without ``checks: read``: GraphQL answers the rest and names the field it
    refused; a proxy's sign-in page where the file list should be."""
    (pull, provenance), _ = replay(
        "partial_failures", GitHubConnector(settings()), lambda c: c.fetch_pull("acme/shop", 106)
    )
    assert pull.missing == ("files", "check_runs")
    assert (pull.files, pull.check_runs) == ((), ())
    assert [(s.context, s.state) for s in pull.statuses] == [("ci/jenkins", "failure")]
    assert [r.reviewer for r in pull.reviews] == ["bob", "carol"]
    assert (pull.additions, pull.changed_files) == (121, 2)  # from the PR itself
    gaps = {gap.what: gap.why for gap in provenance.gaps}
    assert gaps == {
        "check runs of PR #106": "Resource not accessible by integration",
        "files of PR #106": "malformed response: not JSON: <!DOCTYPE html><html><head><title>"
        "Acme SSO - Sign in</title…",
    }
    assert all(gap.source == "github" and "\n" not in gap.why for gap in provenance.gaps)
    assert provenance.requests == 3


def test_unknown_ref_is_a_gap_not_a_crash() -> None:
    connector = GitHubConnector(settings(max_deployments=2))
    (release, provenance), _ = replay(
        "unknown_ref", connector, lambda c: c.fetch_release("acme/shop", "v1.4.0", "v9.9.9")
    )
    assert (release.commits, release.pull_requests, release.codeowners) == ((), (), ())
    assert [d.id for d in release.deployments] == [9003, 9002]  # capped, no window to go by
    assert provenance.gaps == [
        Gap(
            source="github",
            what="CODEOWNERS at v9.9.9",
            why="404 No commit found for the ref v9.9.9",
        ),
        Gap(source="github", what="commits v1.4.0...v9.9.9", why="404 Not Found"),
        Gap(
            source="github",
            what="deployments to production",
            why="read the newest 2 (max_deployments); more exist",
        ),
        Gap(
            source="github",
            what="pull requests of v1.4.0...v9.9.9",
            why="the commit range could not be read",
        ),
    ]
    assert provenance.requests == 6


# -- where and as whom ---------------------------------------------------------------------


def test_github_enterprise_base_url() -> None:
    ghe = settings(base_url="https://ghe.acme.example/api/v3/")
    assert ghe.base_url == "https://ghe.acme.example/api/v3"
    (pull, provenance), _ = replay(
        "enterprise", GitHubConnector(ghe), lambda c: c.fetch_pull("platform/billing", 3)
    )
    assert pull.html_url == "https://ghe.acme.example/platform/billing/pull/3"
    assert len(pull.files) == 4  # page 2 followed through the /api/v3 Link
    assert pull.jira_keys == ("BILL-9",)
    assert [r.reviewer for r in pull.reviews] == ["grace"]  # from /api/graphql
    assert (provenance.requests, provenance.gaps) == (4, [])


def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_github_app_installation_token(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, str]] = []
    original = GuardedAdapter.send

    def spy(self: GuardedAdapter, request: Any, **kwargs: Any) -> Any:
        sent.append((request.method, request.headers.get("Authorization", "")))
        return original(self, request, **kwargs)

    monkeypatch.setattr(GuardedAdapter, "send", spy)
    app = GitHubSettings(
        app_id=1234, private_key=SecretStr(rsa_pem()), installation_id=4242, per_page=3
    )
    (pull, provenance), _ = replay(
        "app_auth", GitHubConnector(app), lambda c: c.fetch_pull("acme/shop", 106)
    )
    assert pull.number == 106 and provenance.requests == 4
    assert sent[0][0] == "POST" and sent[0][1].startswith("Bearer ")  # the App's JWT
    reads = sent[1:]
    assert [method for method, _ in reads] == ["GET", "POST", "GET"]  # POST: a GraphQL query
    assert {auth for _, auth in reads} == {"token test-installation-token-not-a-secret"}


# -- read-only, by construction ------------------------------------------------------------


def test_writes_through_the_underlying_client_never_leave_the_process() -> None:
    connector = GitHubConnector(settings())
    with replayer("github").use_cassette("read_only.yaml") as cassette:
        github = connector.github
        repo = github.withLazy(True).get_repo("acme/shop")  # a derived client, no GET
        with warnings.catch_warnings():  # per-call lazy= is deprecated, and still works
            warnings.simplefilter("ignore", DeprecationWarning)
            also = github.get_repo("acme/shop", lazy=True)  # a copy of the requester
        pull = repo.get_pull(7)
        attempts = {
            "create an issue (per-call lazy copy)": lambda: also.create_issue(title="hello"),
            "create an issue": lambda: repo.create_issue(title="hello"),
            "create a review": lambda: pull.create_review(body="LGTM", event="APPROVE"),
            "merge a PR": lambda: pull.merge(),
            "edit a file": lambda: repo.update_file("README.md", "edit", "text", sha="0" * 40),
            "delete the repo": lambda: github.requester.requestJsonAndCheck(
                "DELETE", "/repos/acme/shop"
            ),
            "upload a release asset (other host)": lambda: github.requester.requestJsonAndCheck(
                "POST", "https://uploads.github.com/repos/acme/shop/releases/1/assets?name=x"
            ),
        }
        for what, attempt in attempts.items():
            with pytest.raises(ReadOnlyViolation):
                attempt()
            assert connector.stats.requests == 0, what
        assert cassette.play_count == 0
    connector.close()


def test_the_app_token_client_may_post_only_its_token_exchange() -> None:
    from connectors.github.auth import read_policy, token_exchange_policy

    policy = token_exchange_policy("https://api.github.com", 4242)
    policy.check("POST", "https://api.github.com/app/installations/4242/access_tokens")
    refused = [
        "https://api.github.com/app/installations/4243/access_tokens",
        "https://api.github.com/app/installations/4242/access_tokens/extra",
        "https://api.github.com/repos/acme/shop/issues",
    ]
    for url in refused:
        with pytest.raises(ReadOnlyViolation):
            policy.check("POST", url)
    with pytest.raises(ReadOnlyViolation):
        policy.check("DELETE", "https://api.github.com/app/installations/4242/access_tokens")
    with pytest.raises(ReadOnlyViolation):
        read_policy("https://api.github.com").check(
            "POST", "https://api.github.com/app/installations/4242/access_tokens")
    ghe = token_exchange_policy("https://ghe.acme.example/api/v3", 7)
    ghe.check("POST", "https://ghe.acme.example/api/v3/app/installations/7/access_tokens")
    with pytest.raises(ReadOnlyViolation):
        ghe.check("POST", "https://ghe.acme.example/app/installations/7/access_tokens")


# -- secrets -------------------------------------------------------------------------------


def test_the_token_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    connector = GitHubConnector(settings())
    replay("pull_request", connector, lambda c: c.fetch_pull("acme/shop", 106))
    assert caplog.records  # PyGithub does log each request at DEBUG
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(connector.settings)
    assert TOKEN not in connector.settings.model_dump_json()


def test_no_credentials_in_cassettes() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for file in (CASSETTES / "github").glob("*.yaml"):
        for item in yaml.load(file.read_text(), Loader=loader)["interactions"]:  # noqa: S506
            names = {name.lower() for name in item["request"]["headers"]}
            assert not names & set(FILTERED_HEADERS), file.name
            assert "ghp_" not in str(item) and "Bearer" not in str(item), file.name
