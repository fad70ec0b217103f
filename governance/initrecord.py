"""Where a store remembers that it was initialised, outside its own tables.

A store whose file was truncated, or whose tables were dropped, looks exactly like a
brand-new one from the inside. So the first initialisation leaves a record the tables'
loss does not take with it, and a store with such a record but no schema is refused:

* SQLite: a marker file beside the database (``advisor.db.initialised``);
* PostgreSQL: a comment on the schema holding the tables (``DROP TABLE … CASCADE``
  leaves it), written when the role may (the owner, ``advisor db init``); production
  deployments also turn first-use initialisation off (``ADVISOR_DB_AUTO_INIT=false``).

Someone who can delete the marker as well can still start afresh: the record guards
against accidents and careless attacks; an audit head kept elsewhere catches the rest.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from governance.errors import StoreUninitialised

log = logging.getLogger(__name__)
MARKER_SUFFIX = ".initialised"
_COMMENT_PREFIX = "release-risk-advisor governance store, initialised "


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class InitRecord:
    """No record at all: an in-memory database lives and dies with its process."""

    def before_connect(self, display_url: str, *, create: bool, recreate: bool) -> None:
        """Refuse before touching the database when its loss is already visible."""

    def recorded(self, conn: Connection) -> str | None:
        """How the earlier initialisation is recorded, or None."""
        return None

    def remember(self, conn: Connection) -> None:
        """Record the initialisation inside the schema transaction (when it can)."""

    def remembered(self) -> None:
        """Record it once the schema transaction has committed."""


class MarkerFile(InitRecord):
    """SQLite: ``<database>.initialised`` beside the database file."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.marker = database.with_name(database.name + MARKER_SUFFIX)

    def before_connect(self, display_url: str, *, create: bool, recreate: bool) -> None:
        lost = not self.database.exists() or self.database.stat().st_size == 0
        if not lost:
            return
        before = self._read()
        if before and not recreate:
            state = "is empty" if self.database.exists() else "is missing"
            raise StoreUninitialised(
                f"the governance store {self.database} {state}, but it was initialised "
                f"before ({before}): refusing to start afresh with a new audit chain and the "
                "kill switches off; restore it from a backup, or run "
                "`advisor db init --recreate` to start an empty record on purpose"
            )
        if not create:
            raise StoreUninitialised(
                f"the governance store {display_url} is not initialised: run `advisor db init`"
            )

    def recorded(self, conn: Connection) -> str | None:
        return self._read()

    def remembered(self) -> None:
        if self.marker.exists():
            return
        body = json.dumps({"database": str(self.database), "initialised_at": _now()})
        partial = self.marker.with_name(self.marker.name + ".partial")
        partial.write_text(body + "\n", encoding="utf-8")
        partial.replace(self.marker)

    def _read(self) -> str | None:
        try:
            data = json.loads(self.marker.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return f"marker {self.marker}"  # unreadable, but there: it was initialised
        when = data.get("initialised_at") if isinstance(data, dict) else None
        return f"marker {self.marker}, {when or 'date unknown'}"


class SchemaComment(InitRecord):
    """PostgreSQL: a comment on the schema the tables live in (``current_schema()``)."""

    def recorded(self, conn: Connection) -> str | None:
        found = conn.execute(text(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
            "WHERE nspname = current_schema()")).scalar_one_or_none()
        if isinstance(found, str) and found.startswith(_COMMENT_PREFIX):
            return f"schema comment: {found}"
        return None

    def remember(self, conn: Connection) -> None:
        if self.recorded(conn):
            return
        schema = conn.execute(text("SELECT current_schema()")).scalar_one_or_none()
        if not schema:
            return
        quoted = conn.dialect.identifier_preparer.quote(str(schema))
        comment = (_COMMENT_PREFIX + _now()).replace("'", "''")
        try:
            with conn.begin_nested():
                conn.execute(text(f"COMMENT ON SCHEMA {quoted} IS '{comment}'"))
        except DBAPIError as exc:  # not the schema's owner: say so, carry on
            log.warning("cannot record the initialisation on schema %s (%s); set "
                        "ADVISOR_DB_AUTO_INIT=false so a lost store is never re-created",
                        schema, type(exc.orig).__name__ if exc.orig else type(exc).__name__)


def init_record_for(engine: Engine) -> InitRecord:
    if engine.dialect.name == "postgresql":
        return SchemaComment()
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return MarkerFile(Path(database).expanduser())
    return InitRecord()
