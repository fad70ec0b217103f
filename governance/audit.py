"""Append-only, hash-chained audit log.

Each entry's ``entry_hash`` is SHA-256 over the canonical JSON text of
``{seq, ts, actor, action, subject, payload, prev_hash}``; that exact text is stored
beside it, so verification hashes what was written, never a re-serialised form.
Removing the newest entries leaves a valid shorter chain: only a head copied outside
the database (``head`` / ``verify --expect-head``) reveals it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Select, func, select

from governance.canonical import canonical_json, sha256_hex
from governance.db import Store, audit_log, utc_now
from governance.errors import AuditEntryNotFound, GovernanceError

GENESIS_HASH = "0" * 64
MAX_SEQ = 2**63 - 1  # BigInteger
_HEAD = re.compile(r"(?:(?P<seq>\d{1,19}):)?(?P<hash>[0-9a-f]{64})")
Redact = Callable[[Any], tuple[Any, dict[str, int]]]


class AuditEvent(BaseModel):
    """What a caller asks to record."""

    actor: str
    action: str
    subject: str
    payload: dict[str, Any] = Field(default_factory=dict)


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    ts: str
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    entry_hash: str

    def to_export(self) -> dict[str, Any]:
        return self.model_dump()


class AuditHead(BaseModel):
    seq: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.entry_hash}"


class VerifyResult(BaseModel):
    ok: bool
    entries: int
    head: AuditHead | None
    first_broken_seq: int | None = None
    problem: str | None = None


class AuditFilter(BaseModel):
    since: str | None = None
    until: str | None = None
    action: str | None = None
    actor: str | None = None


def _default_redact(value: Any) -> tuple[Any, dict[str, int]]:
    from governance.redact import redact_data

    return redact_data(value)


class AuditLog:
    def __init__(self, store: Store, redact: Redact = _default_redact) -> None:
        self.store = store
        self._redact = redact

    def redact(self, value: Any) -> tuple[Any, dict[str, int]]:
        """The redaction every audit payload passes through, for callers storing beside it."""
        return self._redact(value)

    # -- writing -----------------------------------------------------------------

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        payload: dict[str, Any] | None = None,
        *,
        conn: Connection | None = None,
    ) -> AuditEntry:
        """Append one entry; joins ``conn`` when the caller already holds the write lock."""
        return self.append_many(
            [AuditEvent(actor=actor, action=action, subject=subject, payload=payload or {})],
            conn=conn,
        )[0]

    def append_many(
        self, events: Sequence[AuditEvent], *, conn: Connection | None = None
    ) -> list[AuditEntry]:
        """Append several entries atomically, in order, under one lock acquisition."""
        if conn is not None:
            return self._append_locked(conn, events)
        with self.store.transaction() as own:
            return self._append_locked(own, events)

    def _append_locked(self, conn: Connection, events: Sequence[AuditEvent]) -> list[AuditEntry]:
        head = _head(conn)
        seq, prev_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
        written: list[AuditEntry] = []
        rows: list[dict[str, Any]] = []
        for event in events:
            seq += 1
            entry, text = self._seal(seq, prev_hash, event)
            rows.append({**entry.model_dump(exclude={"payload"}),
                         "payload": canonical_json(entry.payload), "entry_text": text})
            written.append(entry)
            prev_hash = entry.entry_hash
        if rows:  # one statement for the batch (executemany): a report records thousands
            conn.execute(audit_log.insert(), rows)
        return written

    def _seal(self, seq: int, prev_hash: str, event: AuditEvent) -> tuple[AuditEntry, str]:
        payload, counts = self._redact(event.payload)
        subject, subject_counts = self._redact(event.subject)
        redacted = {
            k: counts.get(k, 0) + subject_counts.get(k, 0) for k in {*counts, *subject_counts}
        }
        if redacted:
            payload = {**payload, "_redacted": dict(sorted(redacted.items()))}
        body = {
            "seq": seq,
            "ts": utc_now(),
            "actor": event.actor,
            "action": event.action,
            "subject": subject,
            "payload": payload,
            "prev_hash": prev_hash,
        }
        text = canonical_json(body)
        return AuditEntry(**body, entry_hash=sha256_hex(text)), text

    # -- reading -----------------------------------------------------------------

    def head(self) -> AuditHead | None:
        with self.store.read() as conn:
            return _head(conn)

    def get(self, seq: int) -> AuditEntry:
        if not 1 <= seq <= MAX_SEQ:  # beyond the column's range: no such entry, no overflow
            raise AuditEntryNotFound(f"no audit entry with seq {seq}")
        with self.store.read() as conn:
            row = conn.execute(select(audit_log).where(audit_log.c.seq == seq)).first()
        if row is None:
            raise AuditEntryNotFound(f"no audit entry with seq {seq}")
        return _entry(row._mapping)

    def entries(
        self,
        filters: AuditFilter | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> Iterator[AuditEntry]:
        """Stream entries in seq order (bounded memory), optionally filtered."""
        query = _filtered(select(audit_log), filters or AuditFilter())
        query = query.order_by(audit_log.c.seq.desc() if newest_first else audit_log.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.store.read() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield _entry(row._mapping)

    def count(self) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    # -- verification ------------------------------------------------------------

    def verify(self, expect_head: str | None = None) -> VerifyResult:
        """Walk the whole chain; name the first broken seq."""
        if expect_head:
            parse_head(expect_head)  # a malformed head is an error, not "tampered"
        walker = _ChainWalker()
        with self.store.read() as conn:
            rows = conn.execution_options(yield_per=2000).execute(
                select(audit_log).order_by(audit_log.c.seq)
            )
            for row in rows:
                if not walker.step(row._mapping):
                    break
        result = walker.result()
        if result.ok and expect_head:
            return _check_expected_head(result, walker.hashes, expect_head)
        return result


class _ChainWalker:
    """Checks one row at a time: numbering, stored text, hash and link."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.hashes: dict[str, int] = {}
        self.problem: tuple[int, str] | None = None

    def step(self, row: Any) -> bool:
        problem = self._check(row)
        if problem:
            self.problem = problem
            return False
        self.hashes[row["entry_hash"]] = row["seq"]
        self.prev_hash = row["entry_hash"]
        self.expected_seq += 1
        return True

    def _check(self, row: Any) -> tuple[int, str] | None:
        seq = row["seq"]
        if seq != self.expected_seq:
            what = "missing" if seq > self.expected_seq else "out of order"
            return self.expected_seq, f"entry {self.expected_seq} is {what} (found seq {seq})"
        text = row["entry_text"]
        if sha256_hex(text) != row["entry_hash"]:
            return seq, f"entry {seq}: stored text does not match its hash"
        try:
            body = json.loads(text)
        except ValueError:
            return seq, f"entry {seq}: stored text is not JSON"
        if canonical_json(body) != text:
            return seq, f"entry {seq}: stored text is not canonical"
        if not _columns_match(row, body):
            return seq, f"entry {seq}: columns differ from the hashed text"
        if body["prev_hash"] != self.prev_hash:
            return seq, f"entry {seq}: does not link to entry {seq - 1} (chain broken)"
        return None

    def result(self) -> VerifyResult:
        count = self.expected_seq - 1
        head = AuditHead(seq=count, entry_hash=self.prev_hash) if count else None
        if self.problem:
            seq, what = self.problem
            return VerifyResult(
                ok=False, entries=count, head=head, first_broken_seq=seq, problem=what
            )
        return VerifyResult(ok=True, entries=count, head=head)


def _columns_match(row: Any, body: dict[str, Any]) -> bool:
    try:
        payload = json.loads(row["payload"])
    except ValueError:
        return False
    return bool(
        body.get("seq") == row["seq"]
        and body.get("ts") == row["ts"]
        and body.get("actor") == row["actor"]
        and body.get("action") == row["action"]
        and body.get("subject") == row["subject"]
        and body.get("payload") == payload
        and body.get("prev_hash") == row["prev_hash"]
    )


def parse_head(text: str) -> tuple[int | None, str]:
    """``HASH`` or ``SEQ:HASH`` (as ``AuditHead`` prints it) → (seq or None, hash)."""
    match = _HEAD.fullmatch(text.strip().lower())
    if match is None:
        raise GovernanceError(
            f"not an audit head: {text!r} (expected SEQ:HASH or HASH, 64 hex digits)"
        )
    seq = match.group("seq")
    return (int(seq) if seq is not None else None), match.group("hash")


def _check_expected_head(
    result: VerifyResult, hashes: dict[str, int], expected: str
) -> VerifyResult:
    seq, wanted = parse_head(expected)
    if wanted == GENESIS_HASH and seq in (None, 0):
        return result  # recorded on an empty log: every chain extends it
    at = hashes.get(wanted)
    if at is not None and seq in (None, at):
        return result
    return result.model_copy(
        update={
            "ok": False,
            "first_broken_seq": seq or (result.entries + 1),
            "problem": f"expected head {expected} is not in the chain: entries were removed or "
            "rewritten after it was recorded",
        }
    )


def _head(conn: Connection) -> AuditHead | None:
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return AuditHead(seq=row.seq, entry_hash=row.entry_hash) if row else None


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row["seq"],
        ts=row["ts"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        payload=json.loads(row["payload"]),
        prev_hash=row["prev_hash"],
        entry_hash=row["entry_hash"],
    )


def _filtered(query: Select[Any], filters: AuditFilter) -> Select[Any]:
    if filters.since:
        query = query.where(audit_log.c.ts >= filters.since)
    if filters.until:
        query = query.where(audit_log.c.ts < filters.until)
    if filters.action:
        query = query.where(audit_log.c.action == filters.action)
    if filters.actor:
        query = query.where(audit_log.c.actor == filters.actor)
    return query
