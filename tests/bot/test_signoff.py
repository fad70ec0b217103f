"""Sign-off from the PR: who may, who may not, and what each path leaves on record."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from advisor.context import graph_context
from advisor.settings import load_settings
from advisor.webhook.events import SignOffJob
from advisor.webhook.handlers import NOTHING_PENDING, USAGE, BotHandlers
from advisor.webhook.signoff import PullRequestSignOff, parse_command
from governance.audit import AuditFilter
from governance.db import utc_now
from governance.errors import NotAuthorized
from governance.reports import Decision
from graphs.requests import SignOffDecision
from graphs.runner import resume_run, start_security_review, thread_state
from graphs.security_review import KIND, ReviewContext, SecurityReviewRequest
from tests.bot.conftest import Wiring
from tests.replay import replayer

REPO = "https://api.github.com/repos/acme/shop"


_COMMENTS = itertools.count(1)


def job(commenter: str, body: str, kind: str = "User", *, written: str | None = None,
        edited: str | None = None, comment_id: int | None = None,
        delivery: str | None = None) -> SignOffJob:
    """A comment written now (unless ``written`` says when), received now."""
    number = comment_id or next(_COMMENTS)
    now = utc_now()
    return SignOffJob(repo="acme/shop", number=207, commenter=commenter, commenter_type=kind,
                      comment_id=number, body=body, delivery=delivery or f"d-{number}",
                      created_at=written or now, updated_at=edited or written or now,
                      received_at=now)


@pytest.fixture
def reviewed(ctx: ReviewContext) -> dict[str, Any]:
    """The planted PR, reviewed and posted, paused for sign-off."""
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        request = SecurityReviewRequest(source="github", repo="acme/shop", number=207, post=True)
        return dict(start_security_review(ctx, request, "ci-bot"))


@pytest.fixture
def handlers(ctx: ReviewContext, wiring: Wiring) -> BotHandlers:
    return BotHandlers(ctx, lambda _installation: wiring.services())


def _writes_after(wiring: Wiring, start: int) -> list[tuple[str, str, Any]]:
    return [w for w in wiring.session.sent[start:] if w[0] != "GET"]


def test_the_author_and_an_unauthorised_user_get_a_polite_refusal(
        reviewed: dict[str, Any], handlers: BotHandlers, ctx: ReviewContext,
        wiring: Wiring) -> None:
    start = len(wiring.session.sent)
    with replayer("github_bot").use_cassette("signoff_refusals.yaml") as cassette:
        handlers.signoff(job("dave", "/advisor sign-off approve it is my own code"))
        handlers.signoff(job("erin", "/advisor sign-off approve looks fine"))
        assert cassette.all_played
    replies = _writes_after(wiring, start)
    assert [(m, u.removeprefix(REPO)) for m, u, _ in replies] == [
        ("POST", "/issues/207/comments"), ("POST", "/issues/207/comments")]
    assert "separation of duties" in replies[0][2]["body"]
    assert "maintain" in replies[1][2]["body"]
    assert "Nothing has been approved" in replies[1][2]["body"]
    record = ctx.controls.registry.get(reviewed["report_id"])
    assert record.status.value == "pending_signoff"
    refused = list(ctx.controls.audit.entries(AuditFilter(action="signoff.refused")))
    assert [e.actor for e in refused] == ["dave", "erin"]
    assert "write" in refused[1].payload["why"]  # what GitHub said about erin
    _, waiting = thread_state(KIND, ctx, reviewed["run_id"])
    assert waiting == ("signoff",)


def test_a_security_reviewer_signs_off_and_the_summary_shows_it(
        reviewed: dict[str, Any], handlers: BotHandlers, ctx: ReviewContext,
        wiring: Wiring) -> None:
    start = len(wiring.session.sent)
    with replayer("github_bot").use_cassette("signoff_role.yaml") as cassette:
        handlers.signoff(job("security-lead", "/advisor sign-off approve key rotated, SG fixed"))
        assert cassette.all_played
    record = ctx.controls.registry.get(reviewed["report_id"])
    assert (record.status.value, record.decided_by) == ("approved", "security-lead")
    [(method, url, body)] = _writes_after(wiring, start)
    assert (method, url.removeprefix(REPO)) == ("PATCH", "/issues/comments/5001")
    assert "approved by security-lead" in body["body"] and "key rotated" in body["body"]
    values, waiting = thread_state(KIND, ctx, reviewed["run_id"])
    assert waiting == () and values["status"] == "approved"
    [path] = ctx.controls.audit.entries(AuditFilter(action="signoff.authorisation"))
    assert path.payload["path"] == "role" and path.actor == "security-lead"


def test_a_maintainer_signs_off_through_the_repository_permission(
        reviewed: dict[str, Any], handlers: BotHandlers, ctx: ReviewContext,
        wiring: Wiring) -> None:
    with replayer("github_bot").use_cassette("signoff_maintainer.yaml") as cassette:
        handlers.signoff(job("grace", "/advisor sign-off reject the workflow runs fork code"))
        assert cassette.all_played
    record = ctx.controls.registry.get(reviewed["report_id"])
    assert (record.status.value, record.decided_by) == ("rejected", "grace")
    [path] = ctx.controls.audit.entries(AuditFilter(action="signoff.authorisation"))
    assert path.payload["path"] == "repo-permission" and path.payload["repo_role"] == "maintain"
    assert [e.actor for e in ctx.controls.audit.entries(AuditFilter(action="signoff.reject"))
            ] == ["grace"]
    assert not ctx.controls.roles.has_role("grace", "security-reviewer")  # nothing saved
    values, _ = thread_state(KIND, ctx, reviewed["run_id"])
    assert values["status"] == "rejected" and values["report"]["signed_off_by"] == "grace"


# -- without cassettes: a fake publisher -------------------------------------------------------


@dataclass
class FakePublisher:
    roles: dict[str, str] = field(default_factory=dict)
    replies: list[str] = field(default_factory=list)
    name: str = "fake"

    def permission(self, repo: str, user: str) -> str | None:
        return self.roles.get(user)

    def create_issue_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        self.replies.append(body)
        return {"id": 1}


@pytest.fixture
def fake(ctx: ReviewContext) -> tuple[BotHandlers, FakePublisher]:
    publisher = FakePublisher({"grace": "maintain", "erin": "write"})
    services = ctx.services
    services.publisher = lambda _request, _gate: publisher  # type: ignore[assignment,return-value]
    return BotHandlers(ctx, lambda _installation: services), publisher


def test_nothing_pending_and_bad_commands_get_a_reply(ctx: ReviewContext,
                                                      fake: tuple[BotHandlers, Any]) -> None:
    handlers, publisher = fake
    handlers.signoff(job("security-lead", "/advisor sign-off approve fine"))
    handlers.signoff(job("security-lead", "/advisor sign-off approve"))  # no reason
    handlers.signoff(job("security-lead", "/advisor sign-off maybe later"))
    assert publisher.replies == [NOTHING_PENDING, USAGE, USAGE]
    assert len(list(ctx.controls.audit.entries(AuditFilter(action="signoff.refused")))) == 3


def test_bots_are_never_answered(ctx: ReviewContext, fake: tuple[BotHandlers, Any]) -> None:
    handlers, publisher = fake
    handlers.signoff(job("renovate[bot]", "/advisor sign-off approve ok", kind="Bot"))
    assert publisher.replies == []


def _register(ctx: ReviewContext, kind: str = KIND, authors: tuple[str, ...] = ("dave",)) -> str:
    return ctx.controls.registry.register(kind, "acme/shop#207", {"x": 1}, "ci-bot",
                                          subject_authors=list(authors)).id


def test_only_security_reviews_can_be_signed_off_from_a_pr(ctx: ReviewContext) -> None:
    release = _register(ctx, kind="release")
    gate = PullRequestSignOff(ctx.controls, {"grace": "admin"}.get)
    with pytest.raises(NotAuthorized, match="security-review"):
        gate.decide(release, "grace", Decision.APPROVE, "ok", "acme/shop")
    assert ctx.controls.registry.get(release).status.value == "pending_signoff"


def test_maintainer_path_can_be_turned_off(ctx: ReviewContext) -> None:
    report = _register(ctx)
    gate = PullRequestSignOff(ctx.controls, {"grace": "admin"}.get,
                              maintainers_may_sign_off=False)
    with pytest.raises(NotAuthorized, match="maintainer sign-off is off"):
        gate.decide(report, "grace", Decision.APPROVE, "ok", "acme/shop")


def test_a_maintainer_who_authored_the_pr_is_still_refused(ctx: ReviewContext) -> None:
    report = _register(ctx, authors=("grace",))
    looked_up: list[str] = []

    def permission(user: str) -> str:
        looked_up.append(user)
        return "admin"

    with pytest.raises(NotAuthorized, match="separation of duties"):
        PullRequestSignOff(ctx.controls, permission).decide(
            report, "grace", Decision.APPROVE, "ok", "acme/shop")
    assert looked_up == []  # refused before asking GitHub


def test_a_bot_with_admin_permission_is_refused(ctx: ReviewContext) -> None:
    report = _register(ctx)
    with pytest.raises(NotAuthorized, match="bot"):
        PullRequestSignOff(ctx.controls, lambda _u: "admin").decide(
            report, "deploy[bot]", Decision.APPROVE, "ok", "acme/shop")


@pytest.mark.parametrize(("body", "decision", "reason"), [
    ("/advisor sign-off approve rotated the key", Decision.APPROVE, "rotated the key"),
    ("/advisor signoff REJECT  too risky\nsee above", Decision.REJECT, "too risky see above"),
    ("  /Advisor Sign-Off approve", Decision.APPROVE, ""),
])
def test_commands_parse(body: str, decision: Decision, reason: str) -> None:
    command = parse_command(body)
    assert command is not None and (command.decision, command.reason) == (decision, reason)


def test_advisor_signoff_from_the_cli_resumes_without_github(
        reviewed: dict[str, Any], ctx: ReviewContext) -> None:
    """``advisor signoff`` resumes with a plain context: no token here, so the decided
    review cannot reach the PR, and the run says so (``advisor publish`` retries)."""
    ctx.controls.signoff.decide(reviewed["report_id"], "security-lead", Decision.APPROVE, "ok")
    plain = graph_context(load_settings(), ctx.controls)
    answer = SignOffDecision(report_id=reviewed["report_id"], decision="approve",
                             decided_by="security-lead", comment="ok")
    state = resume_run(KIND, plain, reviewed["run_id"], answer)
    assert state["status"] == "publish_failed"
    assert "no GitHub credential" in state["posting"]["notice"]
    assert "no GitHub credential" in state["halt_reason"]
    run = ctx.controls.runs.get(reviewed["run_id"])
    assert run.status.value == "approved" and run.detail.startswith("publish failed (")


def test_advisor_publish_puts_the_decision_on_the_pr_after_a_failed_post(
        reviewed: dict[str, Any], ctx: ReviewContext, wiring: Wiring) -> None:
    """The decision could not reach the PR at sign-off (no token there); publishing again
    with a credential updates the summary comment and clears the run's failure."""
    from graphs.runner import republish

    ctx.controls.signoff.decide(reviewed["report_id"], "security-lead", Decision.APPROVE, "ok")
    plain = graph_context(load_settings(), ctx.controls)
    answer = SignOffDecision(report_id=reviewed["report_id"], decision="approve",
                             decided_by="security-lead", comment="ok")
    assert resume_run(KIND, plain, reviewed["run_id"], answer)["status"] == "publish_failed"
    start = len(wiring.session.sent)
    with replayer("github_bot").use_cassette("signoff_role.yaml"):
        again = republish(KIND, ctx, reviewed["run_id"], "security-lead")
    assert again is not None and again["status"] == "approved"
    [(method, url, body)] = _writes_after(wiring, start)
    assert method == "PATCH" and "/issues/comments/" in url
    assert "approved by security-lead" in body["body"]
    run = ctx.controls.runs.get(reviewed["run_id"])
    assert (run.status.value, run.detail) == ("approved", "")
    published = list(ctx.controls.audit.entries(AuditFilter(action="report.published")))
    assert published[-1].actor == "security-lead"
    values, waiting = thread_state(KIND, ctx, reviewed["run_id"])
    assert values["status"] == "approved" and waiting == ()
