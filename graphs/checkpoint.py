"""Checkpointers: SQLite beside the governance store by default, PostgreSQL when shared."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import make_url

from governance.errors import StoreUnavailable


@contextmanager
def open_checkpointer(database_url: str, home: Path) -> Iterator[BaseCheckpointSaver[str]]:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        with _postgres(url.set(drivername="postgresql").render_as_string(False)) as saver:
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / "checkpoints.db", check_same_thread=False, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


@contextmanager
def _postgres(conninfo: str) -> Iterator[BaseCheckpointSaver[str]]:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    try:
        with PostgresSaver.from_conn_string(conninfo) as saver:
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
        while not _try_lock(conn):
            if time.monotonic() > deadline:
                raise StoreUnavailable("timed out waiting for another worker's checkpoint setup")
            time.sleep(0.2)
        try:
            saver.setup()  # type: ignore[attr-defined]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


def _try_lock(conn: Any) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_SETUP_LOCK,)).fetchone()
    return bool(row and row[0])
