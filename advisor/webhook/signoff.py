"""Sign-off from a PR comment: ``/advisor sign-off approve|reject <reason>``.

Two ways to be allowed, both audited with the path that authorised the attempt:

* ``role`` — the commenter holds the sign-off role in ``config/roles.yaml``; the
  governance ``SignOff`` decides exactly as for ``advisor signoff``.
* ``repo-permission`` — GitHub says the commenter has ``maintain`` or ``admin`` on the
  repository (``GET /repos/{o}/{r}/collaborators/{user}/permission``). Then a ``SignOff``
  whose role book grants that one login the role, for this one decision, decides.

Everything else ``SignOff`` checks still applies on both paths (pending status, no bot,
never the PR's author, the kill switch), and only ``security-review`` reports can be
decided here: the governance ``SignOff`` itself is not changed for any kind.

A command is bound to what it approves (``binding_refusal``): it is acted on once per
GitHub comment whatever delivery carries it, only if it was not edited, only while it is
fresh (``signoff_max_age_s`` from the comment's ``created_at`` to our receipt), and only
for the review that was current when it was written, whose id and head SHA go into the
audit entry. A comment may name that review (``/advisor sign-off approve sec-… why``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advisor.webhook.events import SignOffJob
from governance.controls import Controls
from governance.db import reports, signoff_commands, utc_now
from governance.errors import NotAuthorized
from governance.reports import Decision, ReportRecord, ReportStatus, SignOff
from governance.roles import RoleBook
from render.review.comment import md

KIND = "security-review"
MAINTAINER_ROLES = frozenset({"maintain", "admin"})
_COMMAND = re.compile(r"^\s*/advisor\s+sign-?off\s+(\S+)[ \t]*(.*)$", re.IGNORECASE | re.DOTALL)
Permission = Callable[[str], str | None]  # login -> role_name on the repository


_REVIEW_ID = re.compile(r"^sec-[0-9a-z-]{6,40}$")


@dataclass(frozen=True)
class Command:
    decision: Decision | None  # None: neither approve nor reject
    reason: str
    review: str | None = None  # the review id the comment names, if it names one


def parse_command(body: str) -> Command | None:
    match = _COMMAND.match(body)
    if match is None:
        return None
    word, reason = match.group(1).lower(), " ".join(match.group(2).split())[:1000]
    decision = {"approve": Decision.APPROVE, "reject": Decision.REJECT}.get(word)
    first, _, rest = reason.partition(" ")
    if _REVIEW_ID.match(first):
        return Command(decision, rest, review=first)
    return Command(decision, reason)


def pending_report(controls: Controls, subject: str) -> ReportRecord | None:
    """The newest security review of ``subject`` still waiting for a human."""
    query = (select(reports.c.id).where(reports.c.kind == KIND, reports.c.subject == subject,
                                        reports.c.status == ReportStatus.PENDING.value)
             .order_by(reports.c.created_at.desc()).limit(1))
    with controls.store.read() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return controls.registry.get(found) if found else None


def review_current_at(controls: Controls, subject: str, when: str) -> ReportRecord | None:
    """The newest security review of ``subject`` registered at or before ``when``."""
    query = (select(reports.c.id).where(reports.c.kind == KIND, reports.c.subject == subject,
                                        reports.c.created_at <= when)
             .order_by(reports.c.created_at.desc()).limit(1))
    with controls.store.read() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return controls.registry.get(found) if found else None


def head_sha(controls: Controls, record: ReportRecord | None) -> str | None:
    if record is None:
        return None
    found = controls.registry.content(record.id).get("head_sha")
    return found if isinstance(found, str) else None


def first_delivery(controls: Controls, job: SignOffJob) -> str | None:
    """Record the comment's command; None the first time (or when the same delivery is
    retried after a crash), else the delivery that carried it first: a replay."""
    table = signoff_commands
    try:
        with controls.store.transaction(chain_lock=False) as conn:
            before = conn.execute(select(table.c.delivery_id).where(
                table.c.comment_id == job.comment_id)).scalar_one_or_none()
            if before is None:
                conn.execute(table.insert().values(
                    comment_id=job.comment_id, subject=f"{job.repo}#{job.number}",
                    delivery_id=job.delivery, received_at=job.received_at or utc_now(),
                    outcome="received"))
    except IntegrityError:  # the same comment raced in under another delivery
        return "another delivery"
    return None if before in (None, job.delivery) else str(before)


def command_outcome(controls: Controls, job: SignOffJob, outcome: str,
                    report_id: str | None = None) -> None:
    with controls.store.transaction(chain_lock=False) as conn:
        conn.execute(signoff_commands.update()
                     .where(signoff_commands.c.comment_id == job.comment_id,
                            signoff_commands.c.delivery_id == job.delivery)
                     .values(outcome=outcome[:32], report_id=report_id))


def _seconds(later: str, earlier: str) -> float:
    def parsed(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return (parsed(later) - parsed(earlier)).total_seconds()


@dataclass(frozen=True)
class Binding:
    """The review a command is bound to, or why it is refused."""

    report: ReportRecord | None
    refusal: str | None
    reply: bool = True  # a replay gets no answer: it would only feed the replayer

    def audit(self, job: SignOffJob, controls: Controls) -> dict[str, Any]:
        return {"via": "pull request comment", "comment_id": job.comment_id,
                "delivery": job.delivery, "comment_created_at": job.created_at,
                "review": self.report.id if self.report else None,
                "head_sha": head_sha(controls, self.report)}


def bind_command(controls: Controls, job: SignOffJob, command: Command,
                 pending: ReportRecord | None, max_age_s: float) -> Binding:
    """Which review this command may decide: the one current when it was written."""
    replayed = first_delivery(controls, job)
    if replayed:
        return Binding(None, f"replayed: comment {job.comment_id} was already acted on "
                             f"(delivery {replayed})", reply=False)
    age = _seconds(job.received_at or utc_now(), job.created_at)
    if age > max_age_s:
        return Binding(None, f"stale: the comment was written {age / 60:.0f} min before it "
                             f"arrived (at most {max_age_s / 60:g} min); comment again")
    if job.updated_at != job.created_at:
        return Binding(None, "the comment was edited after it was written; write a new one")
    written_for = review_current_at(controls, f"{job.repo}#{job.number}", job.created_at)
    if pending is None:
        return Binding(written_for, None)  # nothing to decide: the caller says so
    if command.review and command.review != pending.id:
        return Binding(written_for, f"the comment names review {command.review}, but review "
                                    f"{pending.id} is the one pending")
    if written_for is None or written_for.id != pending.id:
        was = written_for.id if written_for else "none"
        return Binding(written_for, f"the comment was written for review {was}; review "
                                    f"{pending.id} (head {head_sha(controls, pending)}) is "
                                    "pending now: comment again to decide it")
    return Binding(pending, None)


def granting(roles: RoleBook, role: str, login: str) -> RoleBook:
    """``roles`` plus ``login`` in ``role``: for one decision, never saved anywhere."""
    members = {**roles.roles, role: [*roles.roles.get(role, []), login]}
    return roles.model_copy(update={"roles": members})


class PullRequestSignOff:
    def __init__(self, controls: Controls, permission: Permission, *,
                 maintainers_may_sign_off: bool = True) -> None:
        self.controls = controls
        self.permission = permission
        self.maintainers = maintainers_may_sign_off

    def decide(self, report_id: str, actor: str, decision: Decision, comment: str,
               repo: str, context: dict[str, Any] | None = None) -> ReportRecord:
        """``context`` (the comment, delivery, review and head SHA) joins every entry."""
        context = context or {"via": "pull request comment"}
        record = self.controls.registry.get(report_id)
        if record.kind != KIND:
            raise NotAuthorized(f"a pull-request comment can only sign off a {KIND} report")
        roles = self.controls.roles
        role = roles.role_for_kind(KIND)
        if self._refused_anyway(record, actor):  # SignOff refuses these (and audits them)
            return self.controls.signoff.decide(report_id, actor, decision, comment,
                                                context=context)
        if roles.has_role(actor, role):
            path, signoff, detail = "role", self.controls.signoff, None
        else:
            detail = self.permission(actor)
            if not (self.maintainers and detail in MAINTAINER_ROLES):
                self._refuse(record, actor, decision, role, detail, context)
            path, signoff = "repo-permission", SignOff(
                self.controls.registry, granting(roles, role, actor),
                gate=self.controls.signoff.gate)
        self.controls.audit.append(actor, "signoff.authorisation", report_id, {
            **context, "path": path, "repo": repo, "repo_role": detail, "kind": record.kind})
        return signoff.decide(report_id, actor, decision, comment, context=context)

    def _refused_anyway(self, record: ReportRecord, actor: str) -> bool:
        """Cases ``SignOff`` refuses whatever the role: let it refuse (and audit) them."""
        roles = self.controls.roles
        return (record.status != ReportStatus.PENDING or roles.is_bot(actor)
                or roles.among(actor, record.subject_authors) is not None)

    def _refuse(self, record: ReportRecord, actor: str, decision: Decision, role: str,
                repo_role: str | None, context: dict[str, Any]) -> None:
        why = (f"{actor} holds neither the '{role}' role nor maintain/admin permission on the "
               f"repository (GitHub says: {repo_role or 'no access'})")
        if not self.maintainers:
            why = f"{actor} does not hold the '{role}' role (maintainer sign-off is off)"
        self.controls.audit.append(actor, "signoff.refused", record.id, {
            **context, "kind": record.kind, "requested": decision.value, "why": why})
        raise NotAuthorized(why)


def refusal_reply(actor: str, why: str) -> str:
    return (f"Thanks, {md(actor, 60)}. This sign-off was not recorded: {md(why, 400)}.\n\n"
            "A security review can be signed off by someone who holds the security-reviewer "
            "role or maintain/admin permission on this repository and who did not author the "
            "pull request. Nothing has been approved.")
