"""The governance store: SQLite by default, PostgreSQL for shared deployments.

Every write that touches the audit chain runs inside ``Store.transaction()``, which
serialises writers across processes (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a
transaction-scoped advisory lock), so concurrent appends still form one linear chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from governance.errors import SchemaTooNew, StoreUnavailable

SCHEMA_VERSION = 1
# The stores the advisor is built and tested on; any other URL is refused up front.
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
KILL_SWITCH_SCOPES = (
    "global",
    "publishing",
    "agent:delivery",
    "agent:platform",
    "agent:portfolio",
    "agent:security",
)

metadata = MetaData()

schema_version = Table(
    "advisor_schema_version",
    metadata,
    Column("version", BigInteger, nullable=False),
    Column("applied_at", String(40), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(100), nullable=False, index=True),
    Column("subject", String(500), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
    # The exact canonical text that was hashed: verification never re-serialises.
    Column("entry_text", Text, nullable=False),
)

kill_switch = Table(
    "kill_switch",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("engaged", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_by", String(255), nullable=False),
    Column("changed_at", String(40), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("subject", String(500), nullable=False, index=True),
    Column("subject_authors", Text, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("decided_by", String(255)),
    Column("decided_at", String(40)),
    Column("decision_comment", Text),
    Column("superseded_by", String(64)),
    Column("thread_id", String(128)),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("subject", String(500), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("report_id", String(64)),
    Column("detail", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS reports_decided_immutable BEFORE UPDATE ON reports
       WHEN OLD.status IN ('approved', 'rejected')
       BEGIN SELECT RAISE(ABORT, 'a decided report never changes'); END""",
    """CREATE TRIGGER IF NOT EXISTS reports_no_delete BEFORE DELETE ON reports
       BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END""",
]

_POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION advisor_refuse_audit_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION advisor_refuse_audit_change()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION advisor_refuse_audit_change()""",
    """CREATE OR REPLACE FUNCTION advisor_refuse_decided_report_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'reports are never deleted'; END IF;
         IF OLD.status IN ('approved', 'rejected') THEN
           RAISE EXCEPTION 'a decided report never changes';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER reports_decided_immutable BEFORE UPDATE OR DELETE ON reports
       FOR EACH ROW EXECUTE FUNCTION advisor_refuse_decided_report_change()""",
]

# One lock for every write that may touch the audit chain.
_WRITE_LOCK_KEY = int.from_bytes(hashlib.sha256(b"advisor-write").digest()[:8], "big", signed=True)


def utc_now() -> str:
    """UTC timestamp with microseconds, the format stored everywhere."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def sqlite_url_for(home: Path) -> str:
    return f"sqlite:///{home / 'advisor.db'}"


class Store:
    """An engine plus the dialect-specific way to serialise writers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect, create the schema on first use, refuse a newer schema."""
        store = cls(_create_engine(url))
        try:
            store.ensure_schema()
        except DatabaseError as exc:  # e.g. a file that is not a SQLite database
            raise _unavailable(store, exc) from exc
        return store

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction that holds the store-wide write lock until commit."""
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.execution_options(advisor_immediate=True)
                with conn.begin():
                    if not self.is_sqlite:
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY}
                        )
                    yield conn
        except (OperationalError, InterfaceError) as exc:
            raise _unavailable(self, exc) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except (OperationalError, InterfaceError) as exc:
            raise _unavailable(self, exc) from exc

    def ensure_schema(self) -> None:
        with self.transaction() as conn:
            if not inspect(conn).has_table(schema_version.name):
                _create_schema(conn, self.is_sqlite)
                return
            found = conn.execute(select(schema_version.c.version)).scalar_one_or_none()
            if found is None:
                raise StoreUnavailable(f"database {self.display_url} has no schema version row")
            if found > SCHEMA_VERSION:
                raise SchemaTooNew(
                    f"database {self.display_url} was written by a newer advisor "
                    f"(schema {found} > {SCHEMA_VERSION}); upgrade release-risk-advisor"
                )


def _create_schema(conn: Connection, is_sqlite: bool) -> None:
    metadata.create_all(conn)
    for statement in _SQLITE_TRIGGERS if is_sqlite else _POSTGRES_TRIGGERS:
        conn.execute(text(statement))
    now = utc_now()
    conn.execute(schema_version.insert().values(version=SCHEMA_VERSION, applied_at=now))
    conn.execute(
        kill_switch.insert(),
        [
            {
                "scope": s,
                "engaged": False,
                "reason": "initial state",
                "changed_by": "system",
                "changed_at": now,
            }
            for s in KILL_SWITCH_SCOPES
        ],
    )


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(f"invalid database URL: {exc}") from exc
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise StoreUnavailable(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: use "
            "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"
        )
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, parsed.database)
        return create_engine(url, pool_pre_ping=True, connect_args=_postgres_connect_args(parsed))
    except (NoSuchModuleError, SQLAlchemyError, ImportError) as exc:  # e.g. a missing driver
        shown = parsed.render_as_string(hide_password=True)
        raise StoreUnavailable(f"cannot use database URL {shown!r}: {_first_line(exc)}") from exc


def _postgres_connect_args(parsed: Any) -> dict[str, Any]:
    return {"connect_timeout": 10} if parsed.get_backend_name() == "postgresql" else {}


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create the data directory {folder}: {exc.strerror or exc}"
            ) from exc
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how each transaction starts.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("advisor_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _unavailable(store: Store, exc: DBAPIError) -> StoreUnavailable:
    reason = _first_line(exc.orig) if exc.orig else type(exc).__name__
    return StoreUnavailable(f"database {store.display_url} is unavailable: {reason}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
