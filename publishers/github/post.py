"""Post one review's results on its pull request, idempotently.

Per PR: at most one inline review (event ``COMMENT``) holding only comments not posted
before (hidden fingerprints), one summary comment updated in place, and one check run
per run with conclusion ``neutral`` (``failure`` only when a team opts in).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from agents.models import Finding, Severity
from agents.security.review_report import SecurityReviewReport
from connectors.github.models import ChangedFile
from publishers.base import PublishError
from publishers.github.anchors import Anchored, DiffAnchors, place
from publishers.github.client import GitHubPublisher, PublishRefused
from publishers.github.config import BotConfig
from render.review.comment import (
    check_summary,
    check_title,
    inline_comment,
    review_body,
    summary_comment,
)
from render.review.markers import fingerprints_in, is_summary

FORK_NOTICE = ("Posting skipped: GitHub refused the write ({status}). A pull request from a "
               "fork gets a read-only token; the review is recorded and the SARIF file and "
               "the workflow log carry the results.")


class PostOutcome(BaseModel):
    posted: bool = False
    summary_comment_id: int | None = None
    summary_url: str | None = None
    summary_action: str | None = None  # created, updated or unchanged
    inline_posted: int = 0
    inline_already_there: int = 0
    moved: list[str] = Field(default_factory=list)  # fingerprints shown in the summary only
    check_run_id: int | None = None
    notice: str | None = None


class _Posting:
    def __init__(self, client: GitHubPublisher, report: SecurityReviewReport,
                 config: BotConfig) -> None:
        if not report.repo or not report.number:
            raise ValueError("only a GitHub pull request can be posted to")
        self.client, self.report, self.config = client, report, config
        self.repo, self.number = report.repo, report.number

    def trusted(self, user: dict[str, Any] | None) -> bool:
        """Comments the bot wrote: the PR's author can never forge or suppress them."""
        login = str((user or {}).get("login") or "").casefold()
        if self.config.bot_login:
            return login == self.config.bot_login.casefold()
        author = (self.report.author or "").casefold()
        return (user or {}).get("type") == "Bot" or bool(login and login != author)

    def already_inline(self) -> set[str]:
        return {fp for c in self.client.review_comments(self.repo, self.number)
                if self.trusted(c.get("user")) for fp in fingerprints_in(c.get("body"))}

    def review(self, fresh: Sequence[Anchored]) -> None:
        comments = [{"path": a.path, "line": a.line, "side": "RIGHT",
                     "body": inline_comment(a.finding)} for a in fresh]
        self.client.create_review(self.repo, self.number, commit_id=self.report.head_sha or "",
                                  body=review_body(len(comments)), comments=comments)

    def upsert_summary(self, body: str, outcome: PostOutcome) -> None:
        mine = [c for c in self.client.issue_comments(self.repo, self.number)
                if is_summary(c.get("body")) and self.trusted(c.get("user"))]
        if not mine:
            created = self.client.create_issue_comment(self.repo, self.number, body)
            outcome.summary_action = "created"
        elif mine[0].get("body") == body:
            created, outcome.summary_action = mine[0], "unchanged"
        else:
            created = self.client.update_issue_comment(self.repo, int(mine[0]["id"]), body)
            outcome.summary_action = "updated"
        outcome.summary_comment_id = int(created["id"])
        outcome.summary_url = created.get("html_url")

    def check_run(self) -> int:
        worst = max((f.severity for f in self.report.findings if f.source == "deterministic"),
                    default=None)
        failing = (self.config.conclusion_on_high == "failure" and worst is not None
                   and worst >= Severity.HIGH)
        run = self.client.create_check_run(
            self.repo, head_sha=self.report.head_sha or "", name=self.config.check_name,
            conclusion="failure" if failing else "neutral", title=check_title(self.report),
            summary=check_summary(self.report))
        return int(run["id"])


def _candidates(report: SecurityReviewReport, config: BotConfig) -> list[Finding]:
    return [f for f in report.findings
            if f.severity >= config.inline_min_severity and not f.llm_rejected_reason]


def post_review(client: GitHubPublisher, report: SecurityReviewReport,
                files: Sequence[ChangedFile], config: BotConfig) -> PostOutcome:
    """Inline review (new comments only), summary comment, check run; a refusal skips."""
    posting, outcome = _Posting(client, report, config), PostOutcome()
    placement = place(_candidates(report, config), DiffAnchors(files))
    try:
        seen = posting.already_inline()
        fresh = [a for a in placement.inline if a.finding.fingerprint not in seen]
        outcome.inline_already_there = len(placement.inline) - len(fresh)
        kept, over = fresh[:config.max_inline_comments], fresh[config.max_inline_comments:]
        moved = [*placement.moved, *(a.finding for a in over)]
        if kept:
            try:
                posting.review(kept)
                outcome.inline_posted = len(kept)
            except PublishError:  # GitHub refused an anchor after all: show them here
                moved += [a.finding for a in kept]
        outcome.moved = [f.fingerprint for f in moved]
        posting.upsert_summary(summary_comment(report, moved), outcome)
        outcome.check_run_id = posting.check_run()
    except PublishRefused as refused:
        outcome.notice = FORK_NOTICE.format(status=refused.status)
        return outcome
    outcome.posted = True
    return outcome


def refresh_summary(client: GitHubPublisher, report: SecurityReviewReport,
                    config: BotConfig, moved: Sequence[str] = ()) -> PostOutcome:
    """After a sign-off: the summary comment shows the decision (nothing else changes)."""
    posting, outcome = _Posting(client, report, config), PostOutcome(moved=list(moved))
    shown = [f for f in report.findings if f.fingerprint in set(moved)]
    try:
        posting.upsert_summary(summary_comment(report, shown), outcome)
    except PublishRefused as refused:
        outcome.notice = FORK_NOTICE.format(status=refused.status)
        return outcome
    outcome.posted = True
    return outcome
