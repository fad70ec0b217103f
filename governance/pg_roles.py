"""PostgreSQL roles for a shared deployment: an owner that runs ``advisor db init``, and
the runtime role every worker connects as, which owns nothing.

The runtime role may only ``SELECT`` and ``INSERT`` on the audit log: ``UPDATE``,
``DELETE``, ``TRUNCATE``, ``ALTER TABLE … DISABLE TRIGGER`` and ``DROP`` need the owner.
It may update switch, report, run and queue rows (the advisor's normal work); those rows
are checked against the audit chain (docs/security.md). The generated text is what
``deploy/postgres-roles.sql`` ships (a test keeps the two equal).
"""

from __future__ import annotations

import re

from governance.db import audit_log, kill_switch, metadata, schema_version

# LangGraph's PostgreSQL checkpointer (created by ``advisor db init`` as the owner).
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
CHECKPOINT_MIGRATIONS = "checkpoint_migrations"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{what} {name!r}: use lowercase letters, digits and '_' (max 63)")
    return name


def roles_sql(owner: str = "advisor_owner", runtime: str = "advisor_runtime",
              schema: str = "advisor") -> str:
    """The SQL, in two parts: before ``advisor db init`` (roles, schema), and after (grants)."""
    owner, runtime = _checked(owner, "owner role"), _checked(runtime, "runtime role")
    schema = _checked(schema, "schema")
    writable = [t.name for t in metadata.sorted_tables
                if t.name not in (audit_log.name, kill_switch.name, schema_version.name)]
    on = ", ".join(f"{schema}.{name}" for name in writable)
    checkpoints = ", ".join(f"{schema}.{name}" for name in CHECKPOINT_TABLES)
    return f"""\
-- Release Risk Advisor: PostgreSQL roles (docs/security.md, "The PostgreSQL roles").
-- Part 1, as a superuser or a role with CREATEROLE, once. Set passwords (or use your
-- identity provider) as your platform requires.
CREATE ROLE {owner} LOGIN;
CREATE ROLE {runtime} LOGIN;
CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner};
REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
GRANT USAGE ON SCHEMA {schema} TO {runtime};
ALTER ROLE {owner} SET search_path = {schema};
ALTER ROLE {runtime} SET search_path = {schema};

-- Then, as {owner}: ADVISOR_DATABASE_URL=postgresql+psycopg://{owner}@HOST/DB advisor db init

-- Part 2, as {owner}, after `advisor db init` (and again after an upgrade adds tables).
-- The audit log: read and append, nothing else (UPDATE, DELETE, TRUNCATE, DISABLE
-- TRIGGER and DROP need the owner).
GRANT SELECT, INSERT ON {schema}.{audit_log.name} TO {runtime};
GRANT SELECT ON {schema}.{schema_version.name} TO {runtime};
GRANT SELECT, UPDATE ON {schema}.{kill_switch.name} TO {runtime};
GRANT SELECT, INSERT, UPDATE ON {on} TO {runtime};
GRANT SELECT, INSERT, UPDATE, DELETE ON {checkpoints} TO {runtime};
GRANT SELECT ON {schema}.{CHECKPOINT_MIGRATIONS} TO {runtime};

-- Workers run as {runtime} with ADVISOR_DB_AUTO_INIT=false.
"""


def split_parts(sql: str) -> tuple[str, str]:
    """The statements before ``advisor db init`` and those after it."""
    head, _, tail = sql.partition("-- Part 2")
    return head, "-- Part 2" + tail
