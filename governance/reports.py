"""Report registry and human sign-off.

A report waits in ``pending_signoff`` until a human holding the role its kind
requires approves or rejects it. A newer report on the same subject supersedes a
pending one. A decided report never changes (enforced here and by a database trigger).
Nothing is decided while the global kill switch is on (refused, and audited).

A status is only as good as the audit entry behind it: ``decision_on_record`` is true
only when a ``signoff.approve``/``signoff.reject`` entry by the same person, about the
same content, says so; a status set by hand (``UPDATE reports SET status='approved'``)
is not treated as a decision (graphs, publishing, ``advisor reports``), and ``advisor
audit verify`` names the row.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from governance.audit import AuditEntry, AuditEvent, AuditFilter, AuditLog
from governance.canonical import canonical_json, sha256_hex
from governance.db import Store, audit_log, reports, utc_now
from governance.errors import (
    AlreadyDecided,
    GovernanceError,
    KillSwitchEngaged,
    NotAuthorized,
    UnknownReport,
)
from governance.roles import REPORT_KINDS, RoleBook


class ReportStatus(StrEnum):
    PENDING = "pending_signoff"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


DECISION_ACTIONS = {"signoff.approve": ReportStatus.APPROVED,
                    "signoff.reject": ReportStatus.REJECTED}
Gate = Callable[[], None]  # raises KillSwitchEngaged while decisions are stopped


class ReportRecord(BaseModel):
    id: str
    kind: str
    subject: str
    subject_authors: list[str]
    created_by: str
    created_at: str
    content_hash: str
    status: ReportStatus
    decided_by: str | None = None
    decided_at: str | None = None
    decision_comment: str | None = None
    superseded_by: str | None = None
    thread_id: str | None = None


def new_report_id(kind: str) -> str:
    prefix = {"release": "rel", "security-review": "sec", "portfolio": "pf"}[kind]
    return f"{prefix}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


class ReportRegistry:
    def __init__(self, store: Store, audit: AuditLog) -> None:
        self.store = store
        self.audit = audit

    def register(
        self,
        kind: str,
        subject: str,
        content: dict[str, Any],
        created_by: str,
        *,
        subject_authors: list[str] | None = None,
        thread_id: str | None = None,
        report_id: str | None = None,
        extra_events: Sequence[AuditEvent] = (),
        extra_payload: dict[str, Any] | None = None,
    ) -> ReportRecord:
        """Store a report (redacted) pending sign-off; supersede older pending ones.

        ``extra_events`` (say, one per recommendation) are audited in the same
        transaction, so a report is never on record without them.
        """
        if kind not in REPORT_KINDS:
            raise GovernanceError(f"unknown report kind {kind!r}")
        redacted, _ = self.audit.redact(content)
        subject, _ = self.audit.redact(subject)
        text = canonical_json(redacted)
        record = ReportRecord(
            id=report_id or new_report_id(kind),
            kind=kind,
            subject=subject,
            subject_authors=sorted(set(subject_authors or [])),
            created_by=created_by,
            created_at=utc_now(),
            content_hash=sha256_hex(text),
            status=ReportStatus.PENDING,
            thread_id=thread_id,
        )
        with self.store.transaction() as conn:
            superseded = self._supersede_pending(conn, kind, subject, record.id)
            conn.execute(
                reports.insert().values(
                    **record.model_dump(exclude={"subject_authors"}),
                    subject_authors=json.dumps(record.subject_authors),
                    content=text,
                )
            )
            registered = AuditEvent(
                actor=created_by,
                action="report.registered",
                subject=record.id,
                payload={
                    "kind": kind,
                    "subject": subject,
                    "content_hash": record.content_hash,
                    "supersedes": superseded,
                    **(extra_payload or {}),
                },
            )
            self.audit.append_many([*extra_events, registered], conn=conn)
        return record

    def _supersede_pending(
        self, conn: Connection, kind: str, subject: str, new_id: str
    ) -> list[str]:
        pending = (
            conn.execute(
                select(reports.c.id).where(
                    reports.c.kind == kind,
                    reports.c.subject == subject,
                    reports.c.status == ReportStatus.PENDING.value,
                )
            )
            .scalars()
            .all()
        )
        if pending:
            conn.execute(
                reports.update()
                .where(reports.c.id.in_(pending))
                .values(status=ReportStatus.SUPERSEDED.value, superseded_by=new_id)
            )
        return list(pending)

    def get(self, report_id: str) -> ReportRecord:
        with self.store.read() as conn:
            row = conn.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
        if row is None:
            raise UnknownReport(f"unknown report id {report_id!r}")
        return record_from_row(row)

    def newest_in_line(self, record: ReportRecord) -> ReportRecord:
        """The report that replaced ``record``, following replacements to the newest."""
        seen = {record.id}
        while record.superseded_by and record.superseded_by not in seen:
            try:
                record = self.get(record.superseded_by)
            except UnknownReport:
                break
            seen.add(record.id)
        return record

    def content(self, report_id: str) -> dict[str, Any]:
        with self.store.read() as conn:
            text = conn.execute(
                select(reports.c.content).where(reports.c.id == report_id)
            ).scalar_one_or_none()
        if text is None:
            raise UnknownReport(f"unknown report id {report_id!r}")
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    def decision_entry(self, report_id: str) -> AuditEntry | None:
        """The audit entry that recorded the report's decision (None while pending)."""
        record = self.get(report_id)
        if record.status not in (ReportStatus.APPROVED, ReportStatus.REJECTED):
            return None
        action = "signoff.approve" if record.status is ReportStatus.APPROVED else "signoff.reject"
        found = [e for e in self.audit.entries(AuditFilter(action=action, actor=record.decided_by))
                 if e.subject == report_id]
        return found[-1] if found else None

    def list(
        self, kind: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[ReportRecord]:
        query = select(reports).order_by(reports.c.created_at.desc()).limit(limit)
        if kind:
            query = query.where(reports.c.kind == kind)
        if status:
            query = query.where(reports.c.status == status)
        with self.store.read() as conn:
            return [record_from_row(row) for row in conn.execute(query).mappings()]

    def decision_on_record(self, record: ReportRecord) -> bool:
        """True when a decided status is backed by its audit entry (see the module doc)."""
        if record.status not in (ReportStatus.APPROVED, ReportStatus.REJECTED):
            return False
        with self.store.read() as conn:
            entry = audited_decision(conn, record.id)
        return entry is not None and decision_disagreement(record, entry) is None


class AuditedDecision(BaseModel):
    seq: int
    status: ReportStatus
    actor: str
    ts: str
    content_hash: str | None


def audited_decision(conn: Connection, report_id: str) -> AuditedDecision | None:
    """The newest ``signoff.approve``/``signoff.reject`` entry about a report."""
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.action, audit_log.c.actor, audit_log.c.ts,
               audit_log.c.payload)
        .where(audit_log.c.subject == report_id, audit_log.c.action.in_(DECISION_ACTIONS))
        .order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return None if row is None else decision_from_row(row)


def decision_from_row(row: Any) -> AuditedDecision:
    try:
        found = json.loads(row.payload).get("content_hash")
    except (ValueError, AttributeError):
        found = None
    return AuditedDecision(seq=row.seq, status=DECISION_ACTIONS[row.action], actor=row.actor,
                           ts=row.ts, content_hash=found if isinstance(found, str) else None)


def decision_disagreement(record: ReportRecord, entry: AuditedDecision | None) -> str | None:
    """Why a report's status does not match its audited decision, or None."""
    decided = record.status in (ReportStatus.APPROVED, ReportStatus.REJECTED)
    if entry is None:
        return f"status {record.status.value} has no audited decision" if decided else None
    if not decided:
        return (f"audit entry {entry.seq} records it {entry.status.value}, but its status "
                f"is {record.status.value}")
    if (record.status, record.decided_by, record.content_hash) != (
            entry.status, entry.actor, entry.content_hash):
        return (f"status {record.status.value} by {record.decided_by} does not match audit "
                f"entry {entry.seq} ({entry.status.value} by {entry.actor})")
    return None


class SignOff:
    """Applies a human decision after checking the kill switch, role and separation of
    duties."""

    def __init__(self, registry: ReportRegistry, roles: RoleBook, gate: Gate | None = None
                 ) -> None:
        self.registry = registry
        self.roles = roles
        self.gate = gate

    def decide(self, report_id: str, actor: str, decision: Decision, comment: str,
               *, context: dict[str, Any] | None = None) -> ReportRecord:
        """Record the decision; ``context`` (how the command arrived) joins its audit entry."""
        record = self.registry.get(report_id)
        self._stop_if_switched_off(record, actor, decision, context)
        refusal = self._refusal(record, actor)
        if refusal:
            self._audit_refusal(record, actor, decision, refusal, context)
            raise (AlreadyDecided if record.status != ReportStatus.PENDING else NotAuthorized)(
                refusal
            )
        status = ReportStatus.APPROVED if decision is Decision.APPROVE else ReportStatus.REJECTED
        with self.registry.store.transaction() as conn:
            # The entry first: the row then carries its time and its redacted comment.
            entry = self.registry.audit.append(
                actor,
                f"signoff.{decision.value}",
                report_id,
                {
                    **(context or {}),
                    "kind": record.kind,
                    "subject": record.subject,
                    "content_hash": record.content_hash,
                    "comment": comment,
                },
                conn=conn,
            )
            updated = conn.execute(
                reports.update()
                .where(
                    reports.c.id == report_id,
                    reports.c.status == ReportStatus.PENDING.value,
                )
                .values(status=status.value, decided_by=actor, decided_at=entry.ts,
                        decision_comment=str(entry.payload["comment"]))
            )
            if updated.rowcount != 1:  # decided or superseded by another process meanwhile
                raise AlreadyDecided(f"report {report_id} is no longer pending sign-off")
        return self.registry.get(report_id)

    def _stop_if_switched_off(self, record: ReportRecord, actor: str, decision: Decision,
                              context: dict[str, Any] | None) -> None:
        if self.gate is None:
            return
        try:
            self.gate()
        except KillSwitchEngaged as exc:
            self._audit_refusal(record, actor, decision, str(exc), context)
            raise

    def _refusal(self, record: ReportRecord, actor: str) -> str | None:
        if record.status == ReportStatus.SUPERSEDED:
            newest = self.registry.newest_in_line(record)
            if newest.id == record.id:
                return f"report {record.id} was superseded; a superseded report is never decided"
            then = (f"decide {newest.id} instead" if newest.status == ReportStatus.PENDING
                    else f"{newest.id} is {newest.status.value}")
            return (f"report {record.id} was superseded by {newest.id}, a newer report on "
                    f"{record.subject}; {then}")
        if record.status != ReportStatus.PENDING:
            return f"report {record.id} is {record.status.value}; a decided report never changes"
        if self.roles.is_bot(actor):
            return f"{actor} is a bot identity; only a human may sign off"
        if self.roles.separates(record.kind) and (
                found := self.roles.among(actor, record.subject_authors)) is not None:
            who = actor if found.casefold() == actor.casefold() else (
                f"{actor} (GitHub login {found})")
            what = ("authored or merged a pull request, or authored a commit, in"
                    if record.kind == "release" else "authored")
            return f"{who} {what} {record.subject}; separation of duties forbids signing it off"
        role = self.roles.role_for_kind(record.kind)
        if not self.roles.has_role(actor, role):
            return (
                f"{actor} does not hold the '{role}' role needed to sign off a {record.kind} report"
            )
        return None

    def _audit_refusal(
        self, record: ReportRecord, actor: str, decision: Decision, why: str,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.registry.audit.append(
            actor,
            "signoff.refused",
            record.id,
            {**(context or {}), "kind": record.kind, "requested": decision.value, "why": why},
        )


def record_from_row(row: Any) -> ReportRecord:
    data = dict(row)
    data.pop("content", None)
    data["subject_authors"] = json.loads(data["subject_authors"])
    return ReportRecord.model_validate(data)
