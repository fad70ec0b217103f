"""Seen webhook deliveries, in the governance database: a replayed delivery is refused.

The table is this module's own (created on first use on the store's engine), so the
governance schema and its version stay untouched. A delivery refused because the queue
was full is marked ``busy`` and may come again: GitHub's "Redeliver" reuses its id.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from governance.db import Store, utc_now

Status = Literal["queued", "ignored", "busy"]
_metadata = MetaData()
webhook_deliveries = Table(
    "webhook_deliveries",
    _metadata,
    Column("delivery_id", String(64), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


class DeliveryLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        _metadata.create_all(store.engine, checkfirst=True)

    def claim(self, delivery_id: str, event: str) -> bool:
        """True the first time a delivery arrives (or again after ``busy``); else False."""
        now = utc_now()
        table = webhook_deliveries
        try:
            with self.store.transaction() as conn:
                status = conn.execute(select(table.c.status).where(
                    table.c.delivery_id == delivery_id)).scalar_one_or_none()
                if status is None:
                    conn.execute(table.insert().values(delivery_id=delivery_id, event=event,
                                                       status="queued", received_at=now,
                                                       updated_at=now))
                    return True
                if status != "busy":
                    return False
                conn.execute(table.update().where(table.c.delivery_id == delivery_id)
                             .values(status="queued", updated_at=now))
                return True
        except IntegrityError:  # the same delivery raced in on another process
            return False

    def mark(self, delivery_id: str, status: Status) -> None:
        table = webhook_deliveries
        with self.store.transaction() as conn:
            conn.execute(table.update().where(table.c.delivery_id == delivery_id)
                         .values(status=status, updated_at=utc_now()))

    def status(self, delivery_id: str) -> str | None:
        table = webhook_deliveries
        with self.store.read() as conn:
            found: str | None = conn.execute(select(table.c.status).where(
                table.c.delivery_id == delivery_id)).scalar_one_or_none()
        return found
