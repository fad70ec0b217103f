"""The governance store: SQLite by default, PostgreSQL for shared deployments.

Every write that touches the audit chain runs inside ``Store.transaction()``, which
serialises writers across processes (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a
transaction-scoped advisory lock), so concurrent appends still form one linear chain.

The schema is created by an explicit initialisation (``Store.initialise``, the
``advisor db init`` command) or, on first use, by ``Store.open(auto_init=True)`` only
while nothing records an earlier initialisation (``governance/initrecord.py``): a store
that was initialised once and is now missing, empty or without its tables is refused,
never silently started afresh with the kill switch off and a new audit chain.
"""

from __future__ import annotations

import hashlib
import json
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
    Index,
    Integer,
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

from governance.errors import SchemaTooNew, StoreUnavailable, StoreUninitialised
from governance.initrecord import InitRecord, init_record_for

SCHEMA_VERSION = 2
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
    # State rows are checked against the newest entry about their subject (schema 2).
    Index("ix_audit_log_subject", "subject"),
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

# The PR bot's durable queue (schema 2): a delivery is a row before it is answered 202,
# and workers claim rows transactionally (advisor/webhook/queue.py).
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(64), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("job", Text),
    Column("claimed_by", String(128)),
    Column("lease_until", String(40)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("detail", Text),
    Index("ix_webhook_deliveries_status", "status", "received_at"),
)

# One row per GitHub comment that carried a sign-off command (schema 2): a command is
# acted on once, whatever delivery id it comes under.
signoff_commands = Table(
    "signoff_commands",
    metadata,
    Column("comment_id", BigInteger, primary_key=True, autoincrement=False),
    Column("subject", String(500), nullable=False),
    Column("delivery_id", String(64), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("report_id", String(64)),
)

REQUIRED_TABLES = tuple(t.name for t in metadata.sorted_tables)
KILL_SWITCH_CHANNEL = "advisor_kill_switch"

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
    # Any change to a switch row, by the advisor or by hand, wakes every listening worker
    # (governance/switchwatch.py); the channel is named after the table's schema. These two
    # stay last: the schema-1 upgrade creates them alone.
    f"""CREATE OR REPLACE FUNCTION advisor_kill_switch_notify() RETURNS trigger AS $$
       BEGIN PERFORM pg_notify('{KILL_SWITCH_CHANNEL}_' || md5(TG_TABLE_SCHEMA), TG_OP);
       RETURN NULL; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER kill_switch_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
       ON kill_switch FOR EACH STATEMENT EXECUTE FUNCTION advisor_kill_switch_notify()""",
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
        self.init_record: InitRecord = init_record_for(engine)

    @classmethod
    def open(cls, url: str, *, auto_init: bool = False) -> Store:
        """Connect to an initialised store; refuse a newer, missing or schema-less one.

        ``auto_init`` creates the schema of a store used for the first time, and only when
        nothing records that it was initialised before.
        """
        store = cls(_create_engine(url))
        try:
            store._prepare(create=auto_init)
        except DatabaseError as exc:  # e.g. a file that is not a SQLite database
            raise _unavailable(store, exc) from exc
        return store

    @classmethod
    def initialise(cls, url: str, *, recreate: bool = False) -> tuple[Store, bool]:
        """Create (or upgrade) the schema on purpose; True when it was created now.

        ``recreate`` starts an empty store where one existed before and was lost.
        """
        store = cls(_create_engine(url))
        try:
            return store, store._prepare(create=True, recreate=recreate)
        except DatabaseError as exc:  # e.g. a file that is not a SQLite database
            raise _unavailable(store, exc) from exc

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, *, chain_lock: bool = True) -> Iterator[Connection]:
        """A write transaction; with ``chain_lock`` it holds the store-wide write lock.

        SQLite serialises every write transaction anyway (``BEGIN IMMEDIATE``).
        """
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.execution_options(advisor_immediate=True)
                with conn.begin():
                    if chain_lock and not self.is_sqlite:
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

    def _prepare(self, *, create: bool, recreate: bool = False) -> bool:
        """Check the schema (upgrading an older one); create it when allowed."""
        self.init_record.before_connect(self.display_url, create=create, recreate=recreate)
        with self.transaction() as conn:
            present = set(inspect(conn).get_table_names())
            created = not present.intersection(REQUIRED_TABLES)
            if created:
                self._create(conn, create=create, recreate=recreate)
            else:
                self._check(conn, present)
            self.init_record.remember(conn)
        self.init_record.remembered()
        return created

    def _create(self, conn: Connection, *, create: bool, recreate: bool) -> None:
        before = self.init_record.recorded(conn)
        if before and not recreate:
            raise StoreUninitialised(
                f"the governance store {self.display_url} has no tables, but it was "
                f"initialised before ({before}): refusing to start afresh with a new audit "
                "chain and the kill switches off; restore it from a backup, or run "
                "`advisor db init --recreate` to start an empty record on purpose"
            )
        if not create:
            raise StoreUninitialised(
                f"the governance store {self.display_url} is not initialised: run "
                "`advisor db init`"
            )
        _create_schema(conn, self.is_sqlite)

    def _check(self, conn: Connection, present: set[str]) -> None:
        version_missing = schema_version.name not in present
        found = None if version_missing else conn.execute(
            select(schema_version.c.version)).scalar_one_or_none()
        if found is None:
            raise StoreUninitialised(
                f"the governance store {self.display_url} has no schema version: it is "
                "damaged or was not written by the advisor (restore it from a backup)"
            )
        if found > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"database {self.display_url} was written by a newer advisor "
                f"(schema {found} > {SCHEMA_VERSION}); upgrade release-risk-advisor"
            )
        if found < SCHEMA_VERSION:
            _upgrade(conn, found, self.is_sqlite)
            present = set(inspect(conn).get_table_names())
        missing = [t for t in REQUIRED_TABLES if t not in present]
        if missing:
            raise StoreUninitialised(
                f"the governance store {self.display_url} is incomplete (no table "
                f"{', '.join(missing)}): refusing to run on it; restore it from a backup"
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
                "reason": INITIAL_REASON,
                "changed_by": INITIAL_ACTOR,
                "changed_at": now,
            }
            for s in KILL_SWITCH_SCOPES
        ],
    )


INITIAL_REASON = "initial state"
INITIAL_ACTOR = "system"
# Columns schema 2 added to a ``webhook_deliveries`` table an older server created.
_DELIVERY_COLUMNS = {
    "job": "TEXT",
    "claimed_by": "VARCHAR(128)",
    "lease_until": "VARCHAR(40)",
    "attempts": "INTEGER NOT NULL DEFAULT 0",
    "detail": "TEXT",
}


def _upgrade(conn: Connection, found: int, is_sqlite: bool) -> None:
    """Schema 1 -> 2: the bot's queue and command tables, the subject index, the switch
    trigger, and each switch row re-bound to the audit entry that set it."""
    inspector = inspect(conn)
    if webhook_deliveries.name in inspector.get_table_names():
        have = {c["name"] for c in inspector.get_columns(webhook_deliveries.name)}
        for name, ddl in _DELIVERY_COLUMNS.items():
            if name not in have:
                conn.execute(text(f"ALTER TABLE webhook_deliveries ADD COLUMN {name} {ddl}"))
    metadata.create_all(conn, checkfirst=True)
    for index in (*audit_log.indexes, *webhook_deliveries.indexes):
        index.create(conn, checkfirst=True)
    if not is_sqlite:
        conn.execute(text("DROP TRIGGER IF EXISTS kill_switch_notify ON kill_switch"))
        for statement in _POSTGRES_TRIGGERS[-2:]:
            conn.execute(text(statement))
    _rebind_switches(conn)
    conn.execute(schema_version.update().values(version=SCHEMA_VERSION, applied_at=utc_now()))


def _rebind_switches(conn: Connection) -> None:
    """Schema 1 stamped a switch row before its audit entry: give each row that agrees
    with its newest entry (state and actor) that entry's time and redacted reason."""
    rows = conn.execute(select(kill_switch)).mappings().all()
    for row in rows:
        newest = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.ts, audit_log.c.payload)
            .where(audit_log.c.subject == row["scope"],
                   audit_log.c.action.in_(("killswitch.on", "killswitch.off")))
            .order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        if newest is None:
            continue
        engaged = newest.action == "killswitch.on"
        if bool(row["engaged"]) == engaged and row["changed_by"] == newest.actor:
            reason = json.loads(newest.payload).get("reason", row["reason"])
            conn.execute(kill_switch.update().where(kill_switch.c.scope == row["scope"])
                         .values(changed_at=newest.ts, reason=reason))


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
