"""Kill switches: admin-only changes, fail closed, environment override, audited refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from governance.audit import AuditFilter, AuditLog
from governance.db import Store
from governance.errors import GovernanceError, KillSwitchEngaged, NotAuthorized
from governance.killswitch import KillSwitch, forced_on
from governance.roles import RoleBook

ROLES = RoleBook(roles={"admin": ["ada"], "release-approver": ["rita"]})


def make_switch(url: str, env: str | None = None) -> KillSwitch:
    store = Store.open(url, auto_init=True)  # first use creates it
    return KillSwitch(store, AuditLog(store, redact=lambda v: (v, {})), ROLES, env)


@pytest.fixture
def switch(store_url: str) -> KillSwitch:
    return make_switch(store_url)


def test_everything_is_allowed_on_a_fresh_store(switch: KillSwitch) -> None:
    switch.ensure_allowed()
    for agent in ("delivery", "platform", "portfolio", "security"):
        switch.ensure_allowed(agent=agent, action="llm")
    switch.ensure_allowed(action="publish")
    assert all(not s.engaged for s in switch.status())


def test_global_switch_stops_every_agent_and_action(switch: KillSwitch) -> None:
    switch.set("ada", "global", True, "incident 42")
    for agent in (None, "security"):
        with pytest.raises(KillSwitchEngaged, match="incident 42"):
            switch.ensure_allowed(agent=agent)
    switch.set("ada", "global", False, "resolved")
    switch.ensure_allowed(agent="security")


def test_agent_switch_stops_only_that_agent(switch: KillSwitch) -> None:
    switch.set("ada", "agent:security", True, "noisy scanner")
    with pytest.raises(KillSwitchEngaged) as caught:
        switch.ensure_allowed(agent="security")
    assert caught.value.scope == "agent:security"
    switch.ensure_allowed(agent="delivery")
    switch.ensure_allowed()


def test_publishing_switch_stops_only_publishing(switch: KillSwitch) -> None:
    switch.set("ada", "publishing", True, "confluence migration")
    switch.ensure_allowed(agent="portfolio", action="run")
    with pytest.raises(KillSwitchEngaged, match="confluence migration"):
        switch.ensure_allowed(agent="portfolio", action="publish")


def test_only_admins_may_change_and_refusals_are_audited(switch: KillSwitch) -> None:
    with pytest.raises(NotAuthorized, match="admin"):
        switch.set("rita", "global", True, "I think we should stop")
    switch.ensure_allowed()  # nothing changed
    refused = list(switch.audit.entries(AuditFilter(action="killswitch.refused")))
    assert len(refused) == 1
    assert refused[0].actor == "rita"
    assert refused[0].payload["reason"] == "I think we should stop"


def test_changes_are_audited_with_actor_and_reason(switch: KillSwitch) -> None:
    switch.set("ada", "global", True, "freeze")
    entry = next(switch.audit.entries(AuditFilter(action="killswitch.on")))
    assert (entry.actor, entry.subject, entry.payload["reason"]) == ("ada", "global", "freeze")


def test_a_bot_is_never_admin_even_if_listed(store_url: str) -> None:
    store, _ = Store.initialise(store_url)
    roles = RoleBook(roles={"admin": ["agent:security", "ada"]})
    switch = KillSwitch(store, AuditLog(store, redact=lambda v: (v, {})), roles)
    with pytest.raises(NotAuthorized):
        switch.set("agent:security", "global", False, "let me run")


def test_reason_is_required(switch: KillSwitch) -> None:
    with pytest.raises(GovernanceError, match="reason"):
        switch.set("ada", "global", True, "  ")


@pytest.mark.parametrize("value", ["on", "1", "true", "ON", "yes", "enabled", "typo"])
def test_environment_forces_the_global_switch_on(store_url: str, value: str) -> None:
    switch = make_switch(store_url, env=value)
    with pytest.raises(KillSwitchEngaged, match="ADVISOR_KILL_SWITCH"):
        switch.ensure_allowed()
    global_state = next(s for s in switch.status() if s.scope == "global")
    assert global_state.engaged and global_state.forced_by_environment


def test_nothing_can_force_it_off(store_url: str) -> None:
    make_switch(store_url).set("ada", "global", True, "incident")
    for value in ("off", "0", "false", ""):
        assert not forced_on(value)
        with pytest.raises(KillSwitchEngaged, match="incident"):
            make_switch(store_url, env=value).ensure_allowed()


def test_unknown_agent_fails_closed(switch: KillSwitch) -> None:
    with pytest.raises(KillSwitchEngaged, match="unknown agent"):
        switch.ensure_allowed(agent="mystery")


def test_unreadable_store_fails_closed(tmp_path: Path) -> None:
    switch = make_switch(f"sqlite:///{tmp_path / 'ks.db'}")
    with switch.store.engine.begin() as conn:
        conn.execute(text("DROP TABLE kill_switch"))
    with pytest.raises(KillSwitchEngaged, match="unreadable"):
        switch.ensure_allowed()


def test_missing_state_row_fails_closed(tmp_path: Path) -> None:
    switch = make_switch(f"sqlite:///{tmp_path / 'ks.db'}")
    with switch.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM kill_switch WHERE scope = 'agent:platform'"))
    with pytest.raises(KillSwitchEngaged, match="missing"):
        switch.ensure_allowed(agent="delivery")


def test_corrupt_state_fails_closed(tmp_path: Path) -> None:
    switch = make_switch(f"sqlite:///{tmp_path / 'ks.db'}")
    with switch.store.engine.begin() as conn:
        conn.execute(text("UPDATE kill_switch SET engaged = 'maybe' WHERE scope = 'global'"))
    with pytest.raises(KillSwitchEngaged):
        switch.ensure_allowed()


def test_unreachable_database_fails_closed(tmp_path: Path) -> None:
    switch = make_switch(f"sqlite:///{tmp_path / 'ks.db'}")
    switch.store.engine.dispose()
    (tmp_path / "ks.db").unlink()
    (tmp_path / "ks.db").mkdir()  # now a directory: SQLite cannot open it
    with pytest.raises(KillSwitchEngaged, match="unreadable"):
        switch.ensure_allowed()


def test_sqlite_reads_the_store_at_every_check(tmp_path: Path) -> None:
    switch = make_switch(f"sqlite:///{tmp_path / 'ks.db'}")
    switch.ensure_allowed()
    assert switch._watcher is None  # no listener: a local file read is cheap enough
