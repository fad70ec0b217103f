"""The planted PR end to end: read (cassettes), review, record, post, re-run, switches."""

from __future__ import annotations

import time
from typing import Any

from agents.security.review_report import SecurityReviewReport
from governance.audit import AuditFilter
from graphs.runner import start_security_review
from graphs.security_review import ReviewContext, SecurityReviewRequest
from publishers.github.config import BotConfig
from render.review.markers import SUMMARY_MARKER, fingerprints_in
from tests.bot.conftest import Wiring
from tests.replay import replayer

AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"
REPO = "https://api.github.com/repos/acme/shop"


def request(post: bool = True) -> SecurityReviewRequest:
    return SecurityReviewRequest(source="github", repo="acme/shop", number=207, post=post)


def review(ctx: ReviewContext, post: bool = True) -> dict[str, Any]:
    return dict(start_security_review(ctx, request(post), "ci-bot"))


def test_planted_pr_is_reviewed_recorded_and_posted(ctx: ReviewContext, wiring: Wiring) -> None:
    started = time.perf_counter()
    with replayer("github_bot").use_cassette("planted_pr.yaml") as cassette:
        state = review(ctx)
        elapsed = time.perf_counter() - started
        played = cassette.play_count
    print(f"\nplanted PR: {elapsed:.2f} s, {played} HTTP requests "
          f"({wiring.github_reads} GitHub reads, {len(wiring.session.sent)} publisher calls)")
    assert state["status"] == "pending_signoff"
    report = SecurityReviewReport.model_validate(state["report"])
    categories = {f.category for f in report.findings}
    assert {"secret", "sast", "vulnerable-dependency", "iac", "ci-supply-chain"} <= categories
    assert any("CWE-89" in f.cwe for f in report.findings)  # the SQL injection
    assert AWS_KEY not in str(state["report"])
    record = ctx.controls.registry.get(state["report_id"])
    assert (record.kind, record.subject, record.subject_authors) == (
        "security-review", "acme/shop#207", ["dave"])
    assert record.status.value == "pending_signoff"
    assert AWS_KEY not in str(ctx.controls.registry.content(record.id))


def _posted(wiring: Wiring) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for method, url, body in wiring.session.writes():
        found.setdefault(f"{method} {url.removeprefix(REPO)}", []).append(body)
    return found


def test_one_comment_review_with_anchored_notes_a_summary_and_a_neutral_check(
        ctx: ReviewContext, wiring: Wiring) -> None:
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        state = review(ctx)
    posted = _posted(wiring)
    [review_body] = posted["POST /pulls/207/reviews"]
    assert review_body["event"] == "COMMENT"
    assert review_body["commit_id"] == state["report"]["head_sha"]
    anchors = {(c["path"], c["line"]) for c in review_body["comments"]}
    assert anchors == {("app/settings.py", 5), ("infra/network.tf", 7),
                       (".github/workflows/preview.yml", 13), ("requirements.txt", 2)}
    assert all(c["side"] == "RIGHT" and fingerprints_in(c["body"]) for c in review_body["comments"])
    [summary] = posted["POST /issues/207/comments"]
    assert summary["body"].startswith(SUMMARY_MARKER) and "Advisory only" in summary["body"]
    assert "aws\\_security\\_group.ssh" in summary["body"]  # outside the diff: moved here
    assert "Not placed inline" in summary["body"] and "pending" in summary["body"]
    [check] = posted["POST /check-runs"]
    assert check["conclusion"] == "neutral" and check["status"] == "completed"
    posting = state["posting"]
    assert posting["inline_posted"] == 4 and posting["summary_action"] == "created"
    # the ssh group (line 24), and the PR's critical paths: two path groups, one root cause
    assert len(posting["moved"]) == 2
    published = list(ctx.controls.audit.entries(AuditFilter(action="report.published")))
    assert len(published) == 1 and published[0].payload["inline"] == 4


def test_a_rerun_updates_the_summary_and_never_duplicates(ctx: ReviewContext,
                                                          wiring: Wiring) -> None:
    with replayer("github_bot").use_cassette("planted_pr.yaml") as cassette:
        first = review(ctx)
        second = review(ctx)
        assert cassette.all_played
    posted = _posted(wiring)
    assert len(posted["POST /pulls/207/reviews"]) == 1  # the re-run adds no review
    assert len(posted["POST /issues/207/comments"]) == 1
    [patched] = posted["PATCH /issues/comments/5001"]
    assert patched["body"].startswith(SUMMARY_MARKER)
    assert second["posting"]["inline_already_there"] == 4
    assert second["posting"]["summary_action"] == "updated"
    old = ctx.controls.registry.get(first["report_id"])
    assert old.status.value == "superseded"  # the newer review replaces the pending one


def test_failure_conclusion_is_an_opt_in(ctx: ReviewContext, wiring: Wiring) -> None:
    wiring.config = BotConfig(conclusion_on_high="failure")
    ctx.services.config = wiring.config
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        review(ctx)
    [check] = _posted(wiring)["POST /check-runs"]
    assert check["conclusion"] == "failure"


def test_the_publishing_switch_blocks_every_write(ctx: ReviewContext, wiring: Wiring) -> None:
    ctx.controls.kill_switch.set("ada", "publishing", True, "incident 42")
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        state = review(ctx)
    assert wiring.session.sent == [] and wiring.publishers == []
    assert state["status"] == "pending_signoff"  # recorded; only posting is stopped
    assert "publishing" in state["posting"]["notice"]
    [skipped] = ctx.controls.audit.entries(AuditFilter(action="publish.skipped"))
    assert "incident 42" in skipped.payload["why"]


def test_a_switch_flipped_during_posting_stops_the_next_write(ctx: ReviewContext,
                                                              wiring: Wiring) -> None:
    original = wiring.session.request

    def flip_after_first_write(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        answer = original(method, url, *args, **kwargs)
        if method == "POST":
            ctx.controls.kill_switch.set("ada", "publishing", True, "stop now")
        return answer

    wiring.session.request = flip_after_first_write  # type: ignore[method-assign]
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        state = review(ctx)
    assert [m for m, _, _ in wiring.session.writes()] == ["POST"]  # the review, then nothing
    assert "stop now" in state["posting"]["notice"]


def test_the_global_switch_halts_before_anything_is_recorded(ctx: ReviewContext,
                                                             wiring: Wiring) -> None:
    ctx.controls.kill_switch.set("ada", "global", True, "freeze")
    state = review(ctx)
    assert state["status"] == "halted" and "freeze" in state["halt_reason"]
    assert ctx.controls.registry.list() == [] and wiring.connectors == []


def test_a_fork_pr_skips_posting_with_a_notice(ctx: ReviewContext, wiring: Wiring) -> None:
    with replayer("github_bot").use_cassette("fork_pr.yaml"):
        state = review(ctx)
    assert state["status"] == "pending_signoff"
    assert "403" in state["posting"]["notice"] and "fork" in state["posting"]["notice"]
    assert not state["posting"]["posted"]
    assert [m for m, _, _ in wiring.session.writes()] == ["POST"]  # refused, nothing after


def test_without_post_nothing_is_written(ctx: ReviewContext, wiring: Wiring) -> None:
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        state = review(ctx, post=False)
    assert wiring.publishers == [] and "posting" not in state


def test_an_unknown_pull_request_fails_the_run_and_records_nothing(ctx: ReviewContext) -> None:
    unknown = SecurityReviewRequest(source="github", repo="acme/shop", number=999)
    with replayer("github_bot").use_cassette("unknown_pr.yaml"):
        state = start_security_review(ctx, unknown, "ci-bot")
    assert state["status"] == "failed" and "not found" in state["halt_reason"]
    assert ctx.controls.registry.list() == []
    assert ctx.controls.runs.get(state["run_id"]).status.value == "failed"
