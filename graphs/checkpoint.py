"""Checkpointers: SQLite beside the governance store by default, PostgreSQL when shared.

Whatever a checkpoint keeps is redacted first (``RedactingSerializer``): a thread's state
lives on in a shared database long after the run, so secrets and personal data in it
(a sign-off comment, a PR title, an error message) are masked like everything else the
advisor stores. Raw inputs (diffs, file texts, snapshots) are not in the state at all:
nodes keep them in content-addressed files and the state names them by hash.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.types import Interrupt
from sqlalchemy.engine import make_url

from governance.errors import StoreUnavailable

Redact = Callable[[Any], tuple[Any, dict[str, int]]]


class RedactingSerializer(JsonPlusSerializer):
    """LangGraph's serializer, with every string in a checkpoint's values redacted.

    A checkpoint (SQLite stores it whole) is redacted in its channel values only, never
    in its ids, timestamps or versions; a channel value or a pending write (PostgreSQL
    stores those one by one) is redacted whole. Interrupt payloads are redacted too.
    """

    def __init__(self, redact: Redact) -> None:
        super().__init__()
        self._redact = redact

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        return super().dumps_typed(self._masked(obj))

    def _masked(self, obj: Any) -> Any:
        if isinstance(obj, dict) and "channel_values" in obj and "channel_versions" in obj:
            return {**obj, "channel_values": self._value(obj["channel_values"])}
        return self._value(obj)

    def _value(self, value: Any) -> Any:
        if isinstance(value, Interrupt):
            return dataclasses.replace(value, value=self._redact(value.value)[0])
        if isinstance(value, list | tuple) and any(isinstance(v, Interrupt) for v in value):
            return type(value)(self._value(v) for v in value)
        return self._redact(value)[0]


@contextmanager
def open_checkpointer(database_url: str, home: Path, redact: Redact | None = None
                      ) -> Iterator[BaseCheckpointSaver[str]]:
    """The checkpointer for this store; ``redact`` masks what it keeps (see above)."""
    serde = RedactingSerializer(redact) if redact is not None else None
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        with _postgres(url.set(drivername="postgresql").render_as_string(False), serde) as saver:
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / "checkpoints.db", check_same_thread=False, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn, serde=serde)
        saver.setup()
        yield saver
    finally:
        conn.close()


@contextmanager
def _postgres(conninfo: str, serde: RedactingSerializer | None
              ) -> Iterator[BaseCheckpointSaver[str]]:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    try:
        with PostgresSaver.from_conn_string(conninfo) as saver:
            if serde is not None:
                saver.serde = serde
            _setup_once(conninfo, saver)
            yield saver
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreachable"
        raise StoreUnavailable(f"checkpoint database unavailable: {first}") from None


_SETUP_WAIT_S = 120.0
_SETUP_LOCK = 0x61647669736F72  # "advisor": one key for checkpoint migrations


def _setup_once(conninfo: str, saver: BaseCheckpointSaver[str]) -> None:
    """Workers starting together must not run the checkpoint migrations concurrently.

    The wait polls ``pg_try_advisory_lock`` instead of blocking in ``pg_advisory_lock``:
    a blocked statement keeps a transaction open, and the migrations' ``CREATE INDEX
    CONCURRENTLY`` waits for every open transaction, a deadlock PostgreSQL cannot see.
    """
    import psycopg

    deadline = time.monotonic() + _SETUP_WAIT_S
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if _migrated(conn, saver):  # the runtime role may not run DDL (docs/security.md)
            return
        while not _try_lock(conn):
            if time.monotonic() > deadline:
                raise StoreUnavailable("timed out waiting for another worker's checkpoint setup")
            time.sleep(0.2)
        try:
            saver.setup()  # type: ignore[attr-defined]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


def _migrated(conn: Any, saver: BaseCheckpointSaver[str]) -> bool:
    """True when every checkpoint migration has run (``advisor db init`` ran them)."""
    wanted = len(getattr(saver, "MIGRATIONS", ())) - 1
    row = conn.execute("SELECT to_regclass('checkpoint_migrations') IS NOT NULL").fetchone()
    if not (row and row[0]):
        return False
    done = conn.execute("SELECT max(v) FROM checkpoint_migrations").fetchone()
    return bool(done and done[0] is not None and done[0] >= wanted)


def _try_lock(conn: Any) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_SETUP_LOCK,)).fetchone()
    return bool(row and row[0])
