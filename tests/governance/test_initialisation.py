"""No silent re-initialisation: a store initialised once and then lost (truncated, deleted,
its tables dropped) is refused; only an explicit, admin-run re-creation starts afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from governance.audit import AuditLog
from governance.db import REQUIRED_TABLES, Store
from governance.errors import StoreUninitialised
from governance.initrecord import MARKER_SUFFIX
from governance.killswitch import KillSwitch
from governance.roles import RoleBook

ROLES = RoleBook(roles={"admin": ["ada"]})


def switch_on(url: str) -> Store:
    store = Store.open(url, auto_init=True)
    switch = KillSwitch(store, AuditLog(store), ROLES, push=False)
    switch.set("ada", "global", True, "incident 7")
    store.engine.dispose()
    return store


def test_an_uninitialised_store_is_refused_unless_first_use_may_create_it(tmp_path: Path
                                                                          ) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(StoreUninitialised, match="not initialised: run `advisor db init`"):
        Store.open(url)
    assert not (tmp_path / "a.db").exists()  # refused before anything was created
    Store.open(url, auto_init=True)
    assert (tmp_path / f"a.db{MARKER_SUFFIX}").exists()
    Store.open(url)  # initialised now


@pytest.mark.parametrize("damage", ["truncate", "delete", "drop tables"])
def test_a_lost_sqlite_store_is_refused_not_recreated(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "advisor.db"
    url = f"sqlite:///{path}"
    switch_on(url)
    for leftover in tmp_path.glob("advisor.db-*"):  # the WAL, so the damage is complete
        leftover.unlink()
    if damage == "truncate":
        path.write_bytes(b"")
    elif damage == "delete":
        path.unlink()
    else:
        store = Store.open(url)
        with store.engine.begin() as conn:
            for table in REQUIRED_TABLES:
                conn.execute(text(f"DROP TABLE {table}"))
        store.engine.dispose()
    with pytest.raises(StoreUninitialised, match="initialised before"):
        Store.open(url, auto_init=True)
    with pytest.raises(StoreUninitialised, match="initialised before"):
        Store.initialise(url)  # even on purpose: only --recreate starts afresh
    store, created = Store.initialise(url, recreate=True)
    assert created


def test_dropped_postgres_tables_are_refused(postgres_url: str) -> None:
    switch_on(postgres_url)
    store = Store.open(postgres_url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE " + ", ".join(REQUIRED_TABLES) + " CASCADE"))
    store.engine.dispose()
    with pytest.raises(StoreUninitialised, match="initialised before"):
        Store.open(postgres_url, auto_init=True)


def test_one_dropped_table_is_an_incomplete_store(store_url: str) -> None:
    store = switch_on(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE kill_switch" + ("" if store.is_sqlite else " CASCADE")))
    store.engine.dispose()
    with pytest.raises(StoreUninitialised, match=r"incomplete .*kill_switch"):
        Store.open(store_url, auto_init=True)


def test_a_store_of_an_older_version_gets_its_marker(tmp_path: Path) -> None:
    """Stores initialised before markers existed are recognised as initialised."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Store.open(url, auto_init=True).engine.dispose()
    marker = tmp_path / f"old.db{MARKER_SUFFIX}"
    marker.unlink()
    Store.open(url).engine.dispose()
    assert marker.exists()
