"""A sign-off comment approves only the review it was written for, once (#17).

The break: a signed `issue_comment` body resent under a new delivery id approved the
next review in the name of whoever approved the first. Here that replay, a stale or
edited comment, and a comment naming another review are refused and audited — through
the webhook server as GitHub delivers them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from advisor.context import graph_context, open_controls
from advisor.settings import load_settings
from advisor.webhook import create_app
from advisor.webhook.handlers import BotHandlers
from advisor.webhook.work import QueueRunner
from connectors.github.models import ChangedFile, PullRequest
from governance.audit import AuditFilter
from governance.reports import ReportStatus
from graphs.runner import start_security_review
from graphs.security_review import (
    ReviewContext,
    ReviewServices,
    SecurityReviewRequest,
    review_context,
)
from tests.bot.test_signoff import FakePublisher
from tests.bot.test_webhook import SECRET, URL, Server, comment_payload, headers

SUBJECT = "acme/shop#207"


@pytest.fixture
def ctx(home: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReviewContext]:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", store_url)
    settings = load_settings()
    publisher = FakePublisher({"grace": "maintain"})
    services = ReviewServices(publisher=lambda _r, _g: publisher)  # type: ignore[arg-type,return-value]
    made = review_context(graph_context(settings, open_controls(settings)), services)
    yield made
    made.controls.close()


def review(ctx: ReviewContext, head: str) -> str:
    """A review of the PR at ``head``, paused for sign-off (no GitHub needed)."""
    pull = PullRequest(
        number=207, title="Add checkout", body=None, author="dave", labels=(), head_ref="f",
        head_sha=head, base_ref="main", merged_at=None, merge_commit_sha=None, html_url="",
        created_at=datetime.now(UTC), additions=1, deletions=0, changed_files=1,
        files=(ChangedFile(path="app.py", previous_path=None, status="added", additions=1,
                           deletions=0, patch="@@ -0,0 +1 @@\n+print('hi')",
                           patch_truncated=False),))
    request = SecurityReviewRequest(source="diff", repo="acme/shop", number=207,
                                    subject=SUBJECT, pull=pull.model_dump(mode="json"),
                                    authors=["dave"])
    state = start_security_review(ctx, request, "agent:pr-bot")
    assert state["status"] == "pending_signoff"
    return str(state["report_id"])


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Bot:
    """The webhook server with the real handlers, fed signed deliveries."""

    def __init__(self, ctx: ReviewContext) -> None:
        self.ctx = ctx
        handlers = BotHandlers(ctx, lambda _installation: ctx.services)
        self.server = Server(ctx.controls, handlers.handle)
        self.server.queue = QueueRunner(self.server.deliveries, handlers.handle, 1, poll_s=0.05)
        self.server.app = create_app(self.server.config, self.server.deliveries,
                                     self.server.queue)
        self.publisher: FakePublisher = ctx.services.publisher(None, None)  # type: ignore[arg-type]

    def deliver(self, client: TestClient, payload: dict[str, Any], delivery: str) -> int:
        body = json.dumps(payload).encode()
        answer = client.post(URL, content=body, headers=headers(body, event="issue_comment",
                                                                 delivery=delivery))
        self.server.queue.drain()
        return answer.status_code


def refusals(ctx: ReviewContext) -> list[dict[str, Any]]:
    return [e.payload for e in ctx.controls.audit.entries(AuditFilter(action="signoff.refused"))]


def test_a_replayed_comment_under_a_new_delivery_approves_nothing(ctx: ReviewContext) -> None:
    bot = Bot(ctx)
    first = review(ctx, "a" * 40)
    written = iso(datetime.now(UTC))
    approve = comment_payload("/advisor sign-off approve looks fine", comment_id=501,
                              created_at=written)
    with TestClient(bot.server.app) as client:
        assert bot.deliver(client, approve, "delivery-1") == 202
        assert ctx.controls.registry.get(first).status is ReportStatus.APPROVED
        second = review(ctx, "b" * 40)
        replies_before = len(bot.publisher.replies)
        # The same signed body, resent under a delivery id GitHub never used.
        assert bot.deliver(client, approve, "delivery-2") == 202
    assert ctx.controls.registry.get(second).status is ReportStatus.PENDING
    [refused] = refusals(ctx)
    assert "replayed: comment 501 was already acted on (delivery delivery-1)" in refused["why"]
    assert refused["comment_id"] == 501 and refused["delivery"] == "delivery-2"
    assert len(bot.publisher.replies) == replies_before  # a replay gets no answer
    [approval] = ctx.controls.audit.entries(AuditFilter(action="signoff.approve"))
    assert (approval.subject, approval.payload["head_sha"], approval.payload["comment_id"]) == (
        first, "a" * 40, 501)


def test_a_comment_written_for_an_older_review_is_refused(ctx: ReviewContext) -> None:
    bot = Bot(ctx)
    review(ctx, "a" * 40)
    written = iso(datetime.now(UTC))  # while review 1 was current
    newer = review(ctx, "b" * 40)  # supersedes it before the comment is delivered
    payload = comment_payload("/advisor sign-off approve ok", comment_id=502,
                              created_at=written)
    with TestClient(bot.server.app) as client:
        assert bot.deliver(client, payload, "delivery-3") == 202
    assert ctx.controls.registry.get(newer).status is ReportStatus.PENDING
    [refused] = refusals(ctx)
    assert f"review {newer} (head {'b' * 40}) is pending now" in refused["why"]
    assert "comment again" in bot.publisher.replies[-1]


@pytest.mark.parametrize(("body", "age_s", "edited", "why"), [
    ("/advisor sign-off approve ok", 11 * 60, False, "stale"),
    ("/advisor sign-off approve ok", 0, True, "edited"),
    ("/advisor sign-off approve sec-20200101-deadbeef ok", 0, False, "names review"),
])
def test_stale_edited_or_misdirected_commands_are_refused(
        ctx: ReviewContext, body: str, age_s: int, edited: bool, why: str) -> None:
    bot = Bot(ctx)
    pending = review(ctx, "c" * 40)
    now = datetime.now(UTC)
    written = iso(now - timedelta(seconds=age_s))
    payload = comment_payload(body, comment_id=600, created_at=written,
                              updated_at=iso(now + timedelta(seconds=5)) if edited else None)
    with TestClient(bot.server.app) as client:
        assert bot.deliver(client, payload, "delivery-4") == 202
    assert ctx.controls.registry.get(pending).status is ReportStatus.PENDING
    [refused] = refusals(ctx)
    assert why in refused["why"]


def test_a_fresh_comment_naming_the_current_review_approves_it(ctx: ReviewContext) -> None:
    bot = Bot(ctx)
    pending = review(ctx, "d" * 40)
    payload = comment_payload(f"/advisor sign-off approve {pending} tested on staging",
                              comment_id=700, created_at=iso(datetime.now(UTC)))
    with TestClient(bot.server.app) as client:
        assert bot.deliver(client, payload, "delivery-5") == 202
    record = ctx.controls.registry.get(pending)
    assert (record.status, record.decided_by, record.decision_comment) == (
        ReportStatus.APPROVED, "grace", "tested on staging")
    assert SECRET not in json.dumps([e.payload for e in ctx.controls.audit.entries()])

