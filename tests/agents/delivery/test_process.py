"""merged-without-approval, failing-or-missing-checks, late-merge and large-pr."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.models import Severity
from connectors.github.models import CheckRun, Commit, CommitStatus
from tests.agents.delivery.factories import (
    RELEASE_DATE,
    changed,
    of,
    passing_check,
    pr,
    review,
    run,
    snapshot,
)

REQUIRED = {"process": {"required_checks": ["ci/test"]}}


# -- approval ---------------------------------------------------------------------------


@pytest.mark.parametrize("reviews", [
    [],
    [review("bob", "COMMENTED")],
    [review("alice", "APPROVED")],  # the author
    [review("bob", "APPROVED", 0, 1), review("bob", "DISMISSED", 5, 2)],
    [review("bob", "APPROVED", 0, 1), review("bob", "CHANGES_REQUESTED", 5, 2)],
    [review(None, "APPROVED")],  # deleted account: cannot tell who
], ids=["none", "comment-only", "self", "dismissed", "then-changes", "deleted-account"])
def test_merged_without_independent_approval(reviews: list) -> None:  # type: ignore[type-arg]
    report = run(snapshot(prs=[pr(reviews=reviews)]))
    [finding] = of(report, "merged-without-approval")
    assert finding.severity == Severity.HIGH


@pytest.mark.parametrize("reviews", [
    [review("bob", "APPROVED")],
    [review("bob", "APPROVED", 0, 1), review("bob", "COMMENTED", 5, 2)],
    [review("bob", "CHANGES_REQUESTED", 0, 1), review("bob", "APPROVED", 5, 2)],
    [review("Bob", "APPROVED"), review("alice", "COMMENTED", 1, 2)],
], ids=["approved", "comment-after-approval", "approved-after-changes", "author-comment"])
def test_approved_pr_is_not_flagged(reviews: list) -> None:  # type: ignore[type-arg]
    assert of(run(snapshot(prs=[pr(reviews=reviews)])), "merged-without-approval") == []


def test_unread_reviews_are_a_gap_not_a_claim() -> None:
    report = run(snapshot(prs=[pr(reviews=[], missing=["reviews"])]))
    assert of(report, "merged-without-approval") == []
    assert any(g.what == "approval check of acme/pay#1" for g in report.gaps)
    assert report.status == "partial"


def test_min_approvals_is_configurable() -> None:
    report = run(snapshot(prs=[pr()]), {"process": {"min_approvals": 2}})
    assert len(of(report, "merged-without-approval")) == 1


# -- checks -----------------------------------------------------------------------------


def _run(name: str, conclusion: str | None, status: str = "completed") -> CheckRun:
    return CheckRun(name=name, status=status, conclusion=conclusion, app="github-actions")


@pytest.mark.parametrize("checks", [
    [],
    [_run("lint", "success")],
    [_run("ci/test", "failure")],
    [_run("ci/test", "timed_out")],
    [_run("ci/test", None, status="in_progress")],
], ids=["no-checks", "required-missing", "failure", "timed-out", "unfinished"])
def test_required_check_missing_or_failing(checks: list[CheckRun]) -> None:
    report = run(snapshot(prs=[pr(checks=checks)]), REQUIRED)
    [finding] = of(report, "failing-or-missing-checks")
    assert finding.severity == Severity.HIGH
    assert "ci/test" in finding.explanation


def test_required_check_as_commit_status_passes() -> None:
    status = CommitStatus(context="ci/test", state="success", description=None)
    report = run(snapshot(prs=[pr(checks=[], statuses=[status], combined="success")]), REQUIRED)
    assert of(report, "failing-or-missing-checks") == []


def test_failing_optional_check_and_combined_status() -> None:
    failing = pr(1, checks=[passing_check(), _run("lint", "action_required")])
    combined = pr(2, checks=[passing_check()], combined="failure")
    report = run(snapshot(prs=[failing, combined]), REQUIRED)
    severities = {f.evidence[0].ref: f.severity for f in of(report, "failing-or-missing-checks")}
    assert severities == {"acme/pay#1": Severity.MEDIUM, "acme/pay#2": Severity.HIGH}


def test_no_checks_at_all_without_required_checks() -> None:
    report = run(snapshot(prs=[pr(checks=[])]))
    assert len(of(report, "failing-or-missing-checks")) == 1


def test_passing_required_check_is_not_flagged() -> None:
    assert of(run(snapshot(prs=[pr()]), REQUIRED), "failing-or-missing-checks") == []


def test_unread_checks_claim_no_missing_check_but_a_gap() -> None:
    report = run(snapshot(prs=[pr(checks=[], missing=["check_runs"])]), REQUIRED)
    assert of(report, "failing-or-missing-checks") == []
    assert any(g.what == "CI checks of acme/pay#1" for g in report.gaps)


def test_unread_statuses_still_report_a_seen_failure() -> None:
    report = run(snapshot(prs=[pr(checks=[_run("ci/test", "failure")], missing=["statuses"])]),
                 REQUIRED)
    assert len(of(report, "failing-or-missing-checks")) == 1


# -- late merge -------------------------------------------------------------------------

RELEASE = datetime.combine(RELEASE_DATE, datetime.min.time(), tzinfo=UTC)


def test_merge_just_before_the_release_date_is_late() -> None:
    report = run(snapshot(prs=[pr(merged_at=RELEASE - timedelta(days=1))]))
    [finding] = of(report, "late-merge")
    assert "1.0 days before the release date 2024-06-10" in finding.explanation


def test_merge_after_the_release_date_is_late() -> None:
    report = run(snapshot(prs=[pr(merged_at=RELEASE + timedelta(hours=5))]))
    assert len(of(report, "late-merge")) == 1


def test_early_merge_is_not_late() -> None:
    assert of(run(snapshot(prs=[pr(merged_at=RELEASE - timedelta(days=3))])), "late-merge") == []


def test_without_a_release_date_the_head_commit_date_is_the_reference() -> None:
    head = Commit(sha="f" * 40, message="release", author_login="alice", author_name="Alice",
                  authored_at=None, committed_at=RELEASE, html_url="https://github.com/x")
    body = snapshot(prs=[pr(merged_at=RELEASE - timedelta(hours=2))], release_date=None,
                    commits=[head])
    [finding] = of(run(body), "late-merge")
    assert "head commit ffffffffffff" in finding.explanation


def test_no_reference_date_is_a_gap() -> None:
    report = run(snapshot(release_date=None))
    assert any(g.what == "late-merge check" for g in report.gaps)


# -- size -------------------------------------------------------------------------------


def test_large_pr_by_lines_or_files() -> None:
    many = [changed(f"pay/m{i}.py", 1) for i in range(41)]
    prs = [pr(1, files=[changed("pay/big.py", 801), changed("tests/test_big.py", 1)]),
           pr(2, files=[*many, changed("tests/test_m.py", 1)])]
    report = run(snapshot(prs=prs))
    assert sorted(f.evidence[0].ref for f in of(report, "large-pr")) == ["acme/pay#1",
                                                                         "acme/pay#2"]


def test_small_pr_is_not_large() -> None:
    assert of(run(snapshot(prs=[pr()])), "large-pr") == []


def test_large_pr_counts_come_from_github_when_the_file_list_is_capped() -> None:
    capped = pr(files=[changed("pay/a.py", 5)], additions=5000, deletions=10,
                changed_files=3001, missing=["files"])
    [finding] = of(run(snapshot(prs=[capped])), "large-pr")
    assert "5010 lines" in finding.title


# -- commits no pull request brought in -----------------------------------------------------


def test_a_commit_pushed_without_a_pull_request_was_merged_without_review() -> None:
    direct = Commit(sha="d" * 40, message="Hotfix the rate limiter\n\nno time for a PR",
                    author_login="bob", author_name="Bob", authored_at=None, committed_at=None,
                    html_url=f"https://github.com/acme/pay/commit/{'d' * 40}")
    reviewed = pr(reviews=[review("bob", "APPROVED")], checks=[passing_check()])
    body = snapshot(prs=[reviewed], commits=[direct])
    assert body.github is not None
    github = body.github.model_copy(update={"commits_without_pull_request": (direct.sha,)})
    report = run(body.model_copy(update={"github": github}))
    [finding] = of(report, "merged-without-approval")
    assert finding.title == ("acme/pay@dddddddddddd reached the release without a pull request: "
                             "Hotfix the rate limiter")
    assert (finding.severity, finding.evidence[0].kind, finding.evidence[0].url) == (
        Severity.HIGH, "commit", direct.html_url)
    assert of(run(body), "merged-without-approval") == []  # listed by the connector only
