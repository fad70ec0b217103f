"""The PR bot's durable queue: ``webhook_deliveries`` in the governance store.

A delivery is a row before GitHub gets its 202, so accepted work survives a restart, a
crash or a SIGTERM. Workers claim rows in a transaction (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so replicas never take the same row; SQLite serialises writers anyway) and
hold a lease they renew while working; a row whose lease ran out (its worker died) is
claimed again, up to ``max_attempts`` times.

Statuses: ``queued`` → ``running`` → ``done`` or ``failed``; ``ignored`` for deliveries
that needed no work. A delivery id seen before is a replay (409) unless it never
completed: ``failed`` is queued again, ``queued``/``running`` is already in hand (202).
Stored jobs are redacted: a sign-off comment is free text.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from governance.db import Store, utc_now, webhook_deliveries

Redact = Callable[[Any], tuple[Any, dict[str, int]]]
_T = webhook_deliveries


class Offer(StrEnum):
    QUEUED = "queued"  # new work, persisted
    REQUEUED = "requeued"  # a redelivery of work that failed: queued again
    IN_HAND = "in hand"  # a redelivery of work still queued or running: nothing to add
    IGNORED = "ignored"  # recorded, no work
    DUPLICATE = "duplicate"  # seen and completed (or ignored): a replay
    FULL = "full"  # the backlog is at capacity: not recorded, GitHub may redeliver


class Claim(BaseModel):
    delivery_id: str
    event: str
    job: dict[str, Any]
    attempts: int
    worker: str


def _later(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def worker_name(index: int) -> str:
    """``host:pid:index``: who holds a claim, and whether that process still lives."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{index}"


class DeliveryQueue:
    def __init__(self, store: Store, *, capacity: int = 100, lease_s: float = 120.0,
                 max_attempts: int = 5, redact: Redact | None = None) -> None:
        if capacity < 1 or lease_s <= 0 or max_attempts < 1:
            raise ValueError("the queue needs room for one delivery, a lease and an attempt")
        self.store = store
        self.capacity = capacity
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self._redact = redact

    # -- accepting ------------------------------------------------------------------------

    def offer(self, delivery_id: str, event: str, job: dict[str, Any] | None,
              detail: str = "") -> Offer:
        """Persist a delivery (``job`` None: nothing to do) and say what became of it."""
        stored = json.dumps(self._redacted(job)) if job is not None else None
        now = utc_now()
        try:
            with self.store.transaction(chain_lock=False) as conn:
                found = conn.execute(select(_T.c.status).where(_T.c.delivery_id == delivery_id)
                                     .with_for_update()).scalar_one_or_none()
                if found is None:
                    return self._insert(conn, delivery_id, event, stored, detail, now)
                if found == "failed" and stored is not None:
                    conn.execute(_T.update().where(_T.c.delivery_id == delivery_id).values(
                        status="queued", job=stored, attempts=0, claimed_by=None,
                        lease_until=None, detail="redelivered", updated_at=now))
                    return Offer.REQUEUED
                return Offer.IN_HAND if found in ("queued", "running") else Offer.DUPLICATE
        except IntegrityError:  # the same delivery raced in on another replica
            return Offer.IN_HAND

    def _insert(self, conn: Connection, delivery_id: str, event: str, stored: str | None,
                detail: str, now: str) -> Offer:
        if stored is not None and _backlog(conn) >= self.capacity:
            return Offer.FULL
        conn.execute(_T.insert().values(
            delivery_id=delivery_id, event=event, status="queued" if stored else "ignored",
            job=stored, received_at=now, updated_at=now, attempts=0,
            detail=self._text(detail)))
        return Offer.QUEUED if stored else Offer.IGNORED

    # -- working --------------------------------------------------------------------------

    def claim(self, worker: str) -> Claim | None:
        """The oldest queued delivery (or one whose worker's lease ran out), now ours."""
        while True:
            now = utc_now()
            with self.store.transaction(chain_lock=False) as conn:
                query = (select(_T.c.delivery_id, _T.c.event, _T.c.job, _T.c.attempts)
                         .where(or_(_T.c.status == "queued",
                                    and_(_T.c.status == "running", _T.c.lease_until < now)))
                         .order_by(_T.c.received_at).limit(1))
                if not self.store.is_sqlite:  # replicas skip each other's rows
                    query = query.with_for_update(skip_locked=True)
                row = conn.execute(query).first()
                if row is None:
                    return None
                if row.attempts >= self.max_attempts:  # it keeps killing its worker
                    conn.execute(_T.update().where(_T.c.delivery_id == row.delivery_id).values(
                        status="failed", claimed_by=None, lease_until=None, updated_at=now,
                        detail=f"gave up after {row.attempts} attempts"))
                    continue
                conn.execute(_T.update().where(_T.c.delivery_id == row.delivery_id).values(
                    status="running", claimed_by=worker, lease_until=_later(self.lease_s),
                    attempts=row.attempts + 1, updated_at=now))
                return Claim(delivery_id=row.delivery_id, event=row.event,
                             job=json.loads(row.job or "{}"), attempts=row.attempts + 1,
                             worker=worker)

    def finish(self, claim: Claim, status: str, detail: str = "") -> bool:
        """``done`` or ``failed``; False when the claim was lost (released, re-claimed)."""
        with self.store.transaction(chain_lock=False) as conn:
            updated = conn.execute(_T.update().where(*self._held(claim)).values(
                status=status, claimed_by=None, lease_until=None, updated_at=utc_now(),
                detail=self._text(detail)))
        return bool(updated.rowcount)

    def release(self, claim: Claim, why: str) -> None:
        """Give a claim back unfinished (shutdown): queued again, the attempt not counted."""
        with self.store.transaction(chain_lock=False) as conn:
            conn.execute(_T.update().where(*self._held(claim)).values(
                status="queued", claimed_by=None, lease_until=None, updated_at=utc_now(),
                attempts=_T.c.attempts - 1, detail=self._text(why)))

    def extend(self, claims: Iterable[Claim]) -> None:
        """Renew the leases of claims still being worked on."""
        held = list(claims)
        if not held:
            return
        with self.store.transaction(chain_lock=False) as conn:
            for claim in held:
                conn.execute(_T.update().where(*self._held(claim))
                             .values(lease_until=_later(self.lease_s)))

    def recover(self, alive: Callable[[str], bool]) -> int:
        """Queue again the running rows of workers that are gone (``alive`` says); a
        restart after a crash need not wait for their leases to run out."""
        with self.store.transaction(chain_lock=False) as conn:
            rows = conn.execute(select(_T.c.delivery_id, _T.c.claimed_by)
                                .where(_T.c.status == "running")).all()
            dead = [r.delivery_id for r in rows if r.claimed_by and not alive(r.claimed_by)]
            if dead:
                conn.execute(_T.update().where(_T.c.delivery_id.in_(dead)).values(
                    status="queued", claimed_by=None, lease_until=None, updated_at=utc_now(),
                    detail="its worker was gone"))
        return len(dead)

    # -- looking ----------------------------------------------------------------------------

    def status(self, delivery_id: str) -> str | None:
        with self.store.read() as conn:
            found: str | None = conn.execute(select(_T.c.status).where(
                _T.c.delivery_id == delivery_id)).scalar_one_or_none()
        return found

    def counts(self) -> dict[str, int]:
        with self.store.read() as conn:
            rows = conn.execute(select(_T.c.status, func.count()).group_by(_T.c.status)).all()
        return {status: int(count) for status, count in rows}

    def depth(self) -> int:
        with self.store.read() as conn:
            return _backlog(conn)

    @staticmethod
    def _held(claim: Claim) -> tuple[Any, ...]:
        return (_T.c.delivery_id == claim.delivery_id, _T.c.status == "running",
                _T.c.claimed_by == claim.worker)

    def _redacted(self, job: dict[str, Any] | None) -> Any:
        return self._redact(job)[0] if self._redact and job is not None else job

    def _text(self, text: str) -> str:
        return str(self._redact(text)[0]) if self._redact and text else text


def _backlog(conn: Connection) -> int:
    found = conn.execute(select(func.count()).select_from(_T)
                         .where(_T.c.status.in_(("queued", "running")))).scalar_one()
    return int(found)


def local_worker_alive(worker: str) -> bool:
    """False only for a worker of this host whose process is gone; others are assumed
    alive (their leases decide)."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return True  # this process: its claims are released on stop, not recovered
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
