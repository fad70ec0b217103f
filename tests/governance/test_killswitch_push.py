"""The kill switch on PostgreSQL: states pushed by LISTEN/NOTIFY and kept in memory, a flip
by another process seen without polling, and fail closed when the listener is cut off.

How fast (p99 per check, latency of a flip) is measured by `python -m bench governance`."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from sqlalchemy import event

from governance.audit import AuditLog
from governance.db import Store
from governance.errors import KillSwitchEngaged
from governance.killswitch import KillSwitch
from governance.roles import RoleBook

pytestmark = pytest.mark.postgres
ROLES = RoleBook(roles={"admin": ["ada"]})


def make(url: str) -> KillSwitch:
    store = Store.open(url, auto_init=True)
    return KillSwitch(store, AuditLog(store), ROLES)


@pytest.fixture
def switch(postgres_url: str) -> KillSwitch:
    made = make(postgres_url)
    made.ensure_allowed()  # starts the listener
    yield made
    made.close()


def why_stopped(switch: KillSwitch) -> str:
    try:
        switch.ensure_allowed(agent="security")
    except KillSwitchEngaged as exc:
        return str(exc)
    return ""


def within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.005)
    return False


def test_checks_are_answered_from_memory(switch: KillSwitch) -> None:
    queries: list[str] = []
    event.listen(switch.store.engine, "before_cursor_execute",
                 lambda *args: queries.append(args[2]))
    for _ in range(200):
        switch.ensure_allowed(agent="security", action="publish")
    assert queries == []


def test_a_flip_by_another_process_is_pushed(switch: KillSwitch, postgres_url: str) -> None:
    code = "\n".join([
        "from governance.audit import AuditLog",
        "from governance.db import Store",
        "from governance.killswitch import KillSwitch",
        "from governance.roles import RoleBook",
        f"store = Store.open({postgres_url!r})",
        "switch = KillSwitch(store, AuditLog(store), RoleBook(roles={'admin': ['ada']}))",
        "switch.set('ada', 'agent:security', True, 'noisy scanner')",
    ])
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert within(5.0, lambda: "noisy scanner" in why_stopped(switch))


def test_a_lost_listening_connection_fails_closed_then_recovers(switch: KillSwitch) -> None:
    watcher = switch._watcher
    assert watcher is not None and watcher.backend_pid
    with switch.store.engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({watcher.backend_pid})")
    assert within(2.0, lambda: "lost its connection" in why_stopped(switch))
    assert within(15.0, lambda: why_stopped(switch) == ""), "reconnects and reads again"
