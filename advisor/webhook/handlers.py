"""What a worker does with a queued delivery: run a review, or act on a sign-off command.

A sign-off command is first bound to the review it was written for
(``advisor/webhook/signoff.py``): a replayed, stale, edited or out-of-date command is
refused, audited (``signoff.refused``) and, unless it is a replay, answered on the PR.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from advisor.webhook.events import ReviewJob, SignOffJob, job_of
from advisor.webhook.queue import Claim
from advisor.webhook.signoff import (
    Binding,
    PullRequestSignOff,
    bind_command,
    command_outcome,
    parse_command,
    pending_report,
    refusal_reply,
)
from governance.errors import AlreadyDecided, KillSwitchEngaged, NotAuthorized
from governance.reports import ReportRecord, ReportStatus
from graphs.context import GraphContext
from graphs.requests import SignOffDecision
from graphs.runner import resume_run, start_security_review
from graphs.security_review import (
    KIND,
    ReviewServices,
    SecurityReviewRequest,
    bot_config,
    review_context,
)
from publishers.base import PublishError
from publishers.github.auth import PublishAuthError
from publishers.github.client import GitHubPublisher, PublishRefused

log = logging.getLogger("advisor.webhook.handlers")
ACTOR = "agent:pr-bot"  # a bot identity: whatever it starts, it can never sign off
USAGE = ("Usage: `/advisor sign-off approve <reason>` or `/advisor sign-off reject <reason>` "
         "(a reason is required). Nothing was recorded.")
NOTHING_PENDING = "No security review of this pull request is waiting for sign-off."


@dataclass
class BotHandlers:
    base: GraphContext
    services: Callable[[int | None], ReviewServices] = lambda _installation: ReviewServices()
    config_file: str | None = None
    signoff_max_age_s: float = 600.0
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def one_at_a_time(self, repo: str, number: int) -> Iterator[None]:
        """Work on one PR never overlaps: two racing runs could both create a summary."""
        with self._guard:
            lock = self._locks.setdefault(f"{repo}#{number}", threading.Lock())
        with lock:
            yield

    def request(self, repo: str, number: int, installation_id: int | None,
                delivery: str) -> SecurityReviewRequest:
        return SecurityReviewRequest(source="github", repo=repo, number=number, post=True,
                                     installation_id=installation_id, delivery=delivery,
                                     config_file=self.config_file)

    def handle(self, claim: Claim) -> None:
        """A claimed delivery: the job it was stored with."""
        job = job_of(claim.event, claim.job)
        if isinstance(job, ReviewJob):
            self.review(job)
        else:
            self.signoff(job)

    def review(self, job: ReviewJob) -> None:
        ctx = review_context(self.base, self.services(job.installation_id))
        request = self.request(job.repo, job.number, job.installation_id, job.delivery)
        with self.one_at_a_time(job.repo, job.number):
            state = start_security_review(ctx, request, ACTOR)
        log.info("review finished", extra={"delivery": job.delivery, "repo": job.repo,
                                           "number": job.number, "status": state.get("status"),
                                           "report_id": state.get("report_id")})

    def signoff(self, job: SignOffJob) -> None:
        if job.commenter_type == "Bot" or job.commenter.endswith("[bot]"):
            return  # never answer a bot: no comment loops, and a bot never signs off
        with self.one_at_a_time(job.repo, job.number):
            self._signoff(job)

    def _signoff(self, job: SignOffJob) -> None:
        ctx = review_context(self.base, self.services(job.installation_id))
        request = self.request(job.repo, job.number, job.installation_id, job.delivery)
        config = bot_config(request, ctx)
        controls = ctx.controls
        try:
            publisher = ctx.services.publisher(request, lambda: controls.kill_switch
                                               .ensure_allowed(agent="security",
                                                               action="publish"))
        except PublishAuthError as exc:  # no way to check permissions or to answer
            log.warning("sign-off not handled", extra={"delivery": job.delivery,
                                                       "reason": str(exc)})
            return
        record = self._authorised(ctx, job, publisher, config.maintainers_may_sign_off)
        if record is None:
            return
        decision = "approve" if record.status is ReportStatus.APPROVED else "reject"
        answer = SignOffDecision(report_id=record.id, decision=decision,
                                 decided_by=job.commenter, comment=record.decision_comment or "")
        try:
            state = resume_run(KIND, ctx, record.thread_id or "", answer)
        except KillSwitchEngaged as exc:  # switched on since: recorded, resumed later
            log.warning("sign-off recorded, resumption refused", extra={
                "delivery": job.delivery, "report_id": record.id, "reason": str(exc)})
            return
        log.info("sign-off recorded", extra={"delivery": job.delivery, "repo": job.repo,
                                             "number": job.number, "actor": job.commenter,
                                             "status": state.get("status"),
                                             "report_id": record.id})

    def _authorised(self, ctx: GraphContext, job: SignOffJob, publisher: GitHubPublisher,
                    maintainers: bool) -> ReportRecord | None:
        """The decided record, or None after a polite (audited) refusal."""
        controls = ctx.controls
        subject = f"{job.repo}#{job.number}"
        command = parse_command(job.body)
        pending = pending_report(controls, subject)
        if command is None or command.decision is None or not command.reason:
            self._refused(ctx, publisher, job, Binding(None, USAGE), USAGE)
            return None
        binding = bind_command(controls, job, command, pending, self.signoff_max_age_s)
        if binding.refusal:
            self._refused(ctx, publisher, job, binding,
                          refusal_reply(job.commenter, binding.refusal))
            return None
        if pending is None:
            self._refused(ctx, publisher, job, Binding(None, NOTHING_PENDING), NOTHING_PENDING)
            return None

        def permission(login: str) -> str | None:
            try:
                return publisher.permission(job.repo, login)
            except PublishError:
                return None  # unknown means no: fail closed

        gate = PullRequestSignOff(controls, permission, maintainers_may_sign_off=maintainers)
        try:
            record = gate.decide(pending.id, job.commenter, command.decision, command.reason,
                                 job.repo, context=binding.audit(job, controls))
        except (NotAuthorized, AlreadyDecided, KillSwitchEngaged) as exc:
            command_outcome(controls, job, "refused", pending.id)
            self._reply(ctx, publisher, job, refusal_reply(job.commenter, str(exc)))
            return None
        command_outcome(controls, job, record.status.value, record.id)
        return record

    def _refused(self, ctx: GraphContext, publisher: GitHubPublisher, job: SignOffJob,
                 binding: Binding, reply: str) -> None:
        """Refuse before any decision: on the record, and answered unless a replay."""
        ctx.controls.audit.append(job.commenter, "signoff.refused", f"{job.repo}#{job.number}",
                                  {**binding.audit(job, ctx.controls), "why": binding.refusal})
        if binding.reply:
            command_outcome(ctx.controls, job, "refused")
            self._reply(ctx, publisher, job, reply)

    @staticmethod
    def _reply(ctx: GraphContext, publisher: GitHubPublisher, job: SignOffJob,
               text: str) -> None:
        try:
            publisher.create_issue_comment(job.repo, job.number, text)
        except (PublishRefused, PublishError, KillSwitchEngaged) as exc:
            ctx.controls.audit.append(ACTOR, "publish.skipped", f"{job.repo}#{job.number}",
                                      {"why": f"reply not posted: {exc}"})
