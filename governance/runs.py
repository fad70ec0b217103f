"""Runs: one row per graph thread, so ``advisor runs list`` answers without a scan.

The checkpointer holds each thread's full state; this table holds what a person asks
first: what ran, on what, by whom, and where it stands now. Subjects and details (halt
reasons, error messages) are stored redacted.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select

from governance.db import Store, runs, utc_now
from governance.errors import GovernanceError


class RunStatus(StrEnum):
    RUNNING = "running"
    PENDING_SIGNOFF = "pending_signoff"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    HALTED = "halted"
    FAILED = "failed"


class RunRecord(BaseModel):
    run_id: str
    kind: str
    subject: str
    actor: str
    status: RunStatus
    report_id: str | None = None
    detail: str = ""
    created_at: str
    updated_at: str


class RunRegistry:
    def __init__(self, store: Store, redact: Callable[[str], str] | None = None) -> None:
        self.store = store
        self._redact = redact or _default_redact

    def start(self, run_id: str, kind: str, subject: str, actor: str) -> RunRecord:
        now = utc_now()
        record = RunRecord(run_id=run_id, kind=kind, subject=self._redact(subject), actor=actor,
                           status=RunStatus.RUNNING, created_at=now, updated_at=now)
        with self.store.transaction() as conn:
            exists = conn.execute(select(runs.c.run_id).where(runs.c.run_id == run_id)).first()
            if exists is None:
                conn.execute(runs.insert().values(**record.model_dump()))
        return record

    def update(self, run_id: str, status: RunStatus, *, subject: str | None = None,
               report_id: str | None = None, detail: str | None = None) -> None:
        values: dict[str, str] = {"status": status.value, "updated_at": utc_now()}
        if subject is not None:
            values["subject"] = self._redact(subject)
        if report_id is not None:
            values["report_id"] = report_id
        if detail is not None:
            values["detail"] = self._redact(detail)
        with self.store.transaction() as conn:
            conn.execute(runs.update().where(runs.c.run_id == run_id).values(**values))

    def get(self, run_id: str) -> RunRecord:
        with self.store.read() as conn:
            row = conn.execute(select(runs).where(runs.c.run_id == run_id)).mappings().first()
        if row is None:
            raise GovernanceError(f"unknown run id {run_id!r}")
        return RunRecord.model_validate(dict(row))

    def list(self, kind: str | None = None, status: str | None = None,
             limit: int = 50) -> list[RunRecord]:
        query = select(runs).order_by(runs.c.created_at.desc()).limit(limit)
        if kind:
            query = query.where(runs.c.kind == kind)
        if status:
            query = query.where(runs.c.status == status)
        with self.store.read() as conn:
            return [RunRecord.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def _default_redact(text: str) -> str:
    from governance.redact import redact

    return redact(text).text
