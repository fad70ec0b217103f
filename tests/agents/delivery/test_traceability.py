"""done-without-code and pr-without-issue: Jira and GitHub side by side."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.models import Confidence
from connectors.github.models import Commit
from connectors.jira.models import RemoteLink
from connectors.provenance import Gap
from tests.agents.delivery.factories import changed, issue, of, pr, run, snapshot


def _commit(message: str) -> Commit:
    return Commit(sha="c" * 40, message=message, author_login="alice", author_name="Alice",
                  authored_at=datetime(2024, 5, 1, tzinfo=UTC), committed_at=None,
                  html_url="https://github.com/acme/pay/commit/" + "c" * 40)


def test_done_story_without_code_is_flagged() -> None:
    report = run(snapshot(prs=[pr(keys=["PAY-1"])], issues=[issue(), issue("PAY-2")]))
    [finding] = of(report, "done-without-code")
    assert finding.evidence[0].ref == "PAY-2"
    assert finding.confidence == Confidence.MEDIUM


def test_done_story_with_a_pr_commit_or_remote_link_has_code() -> None:
    link = RemoteLink(url="https://github.com/acme/pay/pull/77", title="PR")
    issues = [issue("PAY-1"), issue("PAY-2"), issue("PAY-3", remote_links=[link])]
    body = snapshot(prs=[pr(keys=["PAY-1"])], issues=issues,
                    commits=[_commit("PAY-2: hotfix straight to main")])
    assert of(run(body), "done-without-code") == []


def test_resolutions_and_types_that_need_no_code_are_not_flagged() -> None:
    issues = [issue("PAY-2", resolution="Won't Do"), issue("PAY-3", issue_type="Task")]
    assert of(run(snapshot(issues=[issue(), *issues])), "done-without-code") == []


def test_unread_remote_links_lower_confidence() -> None:
    gap = Gap(source="jira", what="remote links of PAY-2", why="HTTP 500")
    report = run(snapshot(issues=[issue(), issue("PAY-2")], jira_gaps=[gap]))
    [finding] = of(report, "done-without-code")
    assert finding.confidence == Confidence.LOW


def test_an_issue_whose_remote_links_were_not_read_is_flagged_with_low_confidence() -> None:
    # None: not read. The link that would show its code may exist, so no certainty.
    report = run(snapshot(issues=[issue(), issue("PAY-2", remote_links=None)]))
    [finding] = of(report, "done-without-code")
    assert finding.confidence == Confidence.LOW
    assert "could not all be read" in finding.explanation


def test_without_github_done_without_code_is_a_gap() -> None:
    report = run(snapshot(github=False, issues=[issue("PAY-2")]))
    assert of(report, "done-without-code") == []
    assert any(g.what == "done-without-code check" for g in report.gaps)


def test_merged_pr_without_key_is_flagged() -> None:
    report = run(snapshot(prs=[pr(title="Tweak rounding", keys=[])]))
    [finding] = of(report, "pr-without-issue")
    assert finding.evidence[0].url == "https://github.com/acme/pay/pull/1"


def test_allow_listed_labels_authors_and_paths_are_not_flagged() -> None:
    prs = [pr(1, keys=[], labels=["dependencies"]),
           pr(2, keys=[], author="dependabot[bot]"),
           pr(3, keys=[], files=[changed("docs/guide.md"), changed("README.md")])]
    assert of(run(snapshot(prs=prs)), "pr-without-issue") == []


def test_pr_with_key_is_not_flagged() -> None:
    assert of(run(snapshot(prs=[pr(keys=["PAY-1"])])), "pr-without-issue") == []
