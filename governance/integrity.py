"""The whole record checked at once: the audit chain, then every state row against it.

The chain alone says nothing about ``kill_switch`` or ``reports``: a row edited by hand
leaves the chain intact. So each row is compared with the newest audit entry that set
it (``governance/killswitch.py``, ``governance/reports.py``), and every disagreement is
named: which table, which row, what it says and what the chain says.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from governance.audit import AuditLog, VerifyResult
from governance.db import audit_log, kill_switch, reports
from governance.killswitch import audited_switches, switch_disagreement
from governance.reports import (
    DECISION_ACTIONS,
    AuditedDecision,
    ReportRecord,
    ReportStatus,
    decision_disagreement,
    decision_from_row,
    record_from_row,
)


class StateProblem(BaseModel):
    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.key!r}: {self.problem}"


class IntegrityResult(BaseModel):
    chain: VerifyResult
    state: list[StateProblem]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.state


def verify_store(audit: AuditLog, expect_head: str | None = None) -> IntegrityResult:
    """Walk the chain; when it holds, check the state rows against it."""
    chain = audit.verify(expect_head)
    if not chain.ok:  # a broken chain cannot vouch for anything
        return IntegrityResult(chain=chain, state=[])
    with audit.store.read() as conn:
        problems = [*switch_problems(conn), *report_problems(conn)]
    return IntegrityResult(chain=chain, state=problems)


def switch_problems(conn: Connection) -> list[StateProblem]:
    audited = audited_switches(conn)
    found = []
    for row in conn.execute(select(kill_switch).order_by(kill_switch.c.scope)).mappings():
        problem = switch_disagreement(row, audited.get(row["scope"]))
        if problem:
            found.append(StateProblem(table="kill_switch", key=row["scope"], problem=problem))
    return found


class _Registered(BaseModel):
    seq: int
    content_hash: str | None
    supersedes: list[str]


def _registrations(conn: Connection) -> tuple[dict[str, _Registered], dict[str, str]]:
    """Each report's ``report.registered`` entry, and who superseded whom."""
    registered: dict[str, _Registered] = {}
    superseded_by: dict[str, str] = {}
    rows = conn.execute(select(audit_log.c.seq, audit_log.c.subject, audit_log.c.payload)
                        .where(audit_log.c.action == "report.registered")
                        .order_by(audit_log.c.seq))
    for row in rows:
        payload = _payload(row.payload)
        older = [s for s in payload.get("supersedes") or [] if isinstance(s, str)]
        content_hash = payload.get("content_hash")
        registered[row.subject] = _Registered(
            seq=row.seq, content_hash=content_hash if isinstance(content_hash, str) else None,
            supersedes=older)
        superseded_by.update(dict.fromkeys(older, row.subject))
    return registered, superseded_by


def _decisions(conn: Connection) -> dict[str, AuditedDecision]:
    newest: dict[str, AuditedDecision] = {}
    rows = conn.execute(select(audit_log.c.seq, audit_log.c.subject, audit_log.c.action,
                               audit_log.c.actor, audit_log.c.ts, audit_log.c.payload)
                        .where(audit_log.c.action.in_(DECISION_ACTIONS))
                        .order_by(audit_log.c.seq))
    for row in rows:
        newest[row.subject] = decision_from_row(row)
    return newest


def report_problems(conn: Connection) -> list[StateProblem]:
    registered, superseded_by = _registrations(conn)
    decisions = _decisions(conn)
    found = []
    for row in conn.execute(select(reports).order_by(reports.c.created_at, reports.c.id)
                            ).mappings():
        record = record_from_row(row)
        problem = _report_problem(record, registered.get(record.id), superseded_by,
                                  decisions.get(record.id))
        if problem:
            found.append(StateProblem(table="reports", key=record.id, problem=problem))
    return found


def _report_problem(record: ReportRecord, registration: _Registered | None,
                    superseded_by: dict[str, str], decision: AuditedDecision | None
                    ) -> str | None:
    if registration is None:
        return "no report.registered audit entry records this report"
    if registration.content_hash != record.content_hash:
        return f"its content hash differs from audit entry {registration.seq}"
    newer = superseded_by.get(record.id)
    if record.status is ReportStatus.SUPERSEDED:
        if newer is None or newer != record.superseded_by:
            return "status superseded, but no audit entry records a report superseding it"
        return None
    if newer is not None and decision is None:
        return f"audit says {newer} superseded it, but its status is {record.status.value}"
    return decision_disagreement(record, decision)


def _payload(text: str) -> dict[str, Any]:
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
