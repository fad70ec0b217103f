"""The PostgreSQL roles we ship: the runtime role does the advisor's work, and cannot
rewrite, empty, unguard or drop the audit log (that needs the owner)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from governance.audit import AuditLog
from governance.db import Store
from governance.errors import KillSwitchEngaged, StoreUninitialised
from governance.integrity import verify_store
from governance.killswitch import KillSwitch
from governance.pg_roles import roles_sql, split_parts
from governance.reports import Decision, ReportRegistry, SignOff
from governance.roles import RoleBook
from graphs.checkpoint import open_checkpointer
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
ROLES = RoleBook(roles={"admin": ["ada"], "release-approver": ["rita"]})


def test_the_shipped_sql_is_the_generated_one() -> None:
    assert (ROOT / "deploy" / "postgres-roles.sql").read_text() == roles_sql()


def _url(user: str, schema: str) -> str:
    url = make_url(POSTGRES_URL).set(username=user)
    return url.render_as_string(hide_password=False) + f"?options=-csearch_path%3D{schema}"


def _run(url: str, script: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(script)  # type: ignore[arg-type]


@pytest.fixture
def deployment(postgres_url: str) -> Iterator[tuple[str, str]]:
    """Part 1 as the superuser, `advisor db init` as the owner, part 2 as the owner."""
    tag = uuid.uuid4().hex[:8]
    owner, runtime, schema = f"adv_owner_{tag}", f"adv_runtime_{tag}", f"adv_{tag}"
    before, after = split_parts(roles_sql(owner, runtime, schema))
    admin = POSTGRES_URL
    _run(admin, before)
    try:
        owner_url, runtime_url = _url(owner, schema), _url(runtime, schema)
        Store.initialise(owner_url)[0].engine.dispose()
        with open_checkpointer(owner_url, Path("/nonexistent")):
            pass
        _run(owner_url, after)
        yield owner_url, runtime_url
    finally:
        _run(admin, f"DROP SCHEMA IF EXISTS {schema} CASCADE; DROP OWNED BY {owner}, {runtime}; "
                    f"DROP ROLE IF EXISTS {runtime}; DROP ROLE IF EXISTS {owner};")


def test_the_runtime_role_works_but_cannot_touch_the_audit_log(
        deployment: tuple[str, str], tmp_path: Path) -> None:
    _, runtime_url = deployment
    store = Store.open(runtime_url)
    audit = AuditLog(store)
    switch = KillSwitch(store, audit, ROLES)
    try:
        switch.set("ada", "global", True, "drill")
        with pytest.raises(KillSwitchEngaged, match="drill"):
            switch.ensure_allowed()
        switch.set("ada", "global", False, "drill over")
        switch.ensure_allowed()
        registry = ReportRegistry(store, audit)
        report = registry.register("release", "pay@v2", {"score": 1}, "agent:advisor")
        SignOff(registry, ROLES, gate=switch.ensure_allowed).decide(
            report.id, "rita", Decision.APPROVE, "ok")
        with open_checkpointer(runtime_url, tmp_path):
            pass  # migrated by the owner: the runtime role runs no DDL
        assert verify_store(audit).ok
        for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log", "ALTER TABLE audit_log DISABLE TRIGGER USER",
                          "DROP TABLE audit_log CASCADE"):
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"), \
                    store.engine.begin() as conn:
                conn.execute(text(statement))
        assert verify_store(audit).ok
    finally:
        switch.close()
        store.engine.dispose()


def test_the_runtime_role_never_creates_a_store(deployment: tuple[str, str]) -> None:
    owner_url, runtime_url = deployment
    owner = Store.open(owner_url)
    with owner.engine.begin() as conn:
        conn.execute(text("DROP TABLE kill_switch CASCADE"))
    owner.engine.dispose()
    with pytest.raises(StoreUninitialised, match="incomplete"):
        Store.open(runtime_url, auto_init=True)
