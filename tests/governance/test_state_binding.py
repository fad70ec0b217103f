"""State bound to the audit chain: a switch or a report status changed behind the
advisor's back is caught by `audit verify`, and is never taken at its word."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import text

from governance.audit import AuditLog
from governance.db import SCHEMA_VERSION, Store, kill_switch, schema_version
from governance.errors import KillSwitchEngaged
from governance.integrity import verify_store
from governance.killswitch import KillSwitch
from governance.reports import Decision, ReportRegistry, ReportStatus, SignOff
from governance.roles import RoleBook

ROLES = RoleBook(roles={"admin": ["ada"], "release-approver": ["rita"]})


class Governance:
    def __init__(self, url: str) -> None:
        self.store = Store.open(url, auto_init=True)
        self.audit = AuditLog(self.store)
        self.switch = KillSwitch(self.store, self.audit, ROLES)
        self.registry = ReportRegistry(self.store, self.audit)
        self.signoff = SignOff(self.registry, ROLES, gate=self.switch.ensure_allowed)

    def tamper(self, statement: str) -> None:
        """What someone with write access to the database does by hand."""
        with self.store.engine.begin() as conn:
            conn.execute(text(statement))


@pytest.fixture
def gov(store_url: str) -> Governance:
    made = Governance(store_url)
    yield made
    made.switch.close()


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """PostgreSQL pushes the change to the listener; give the notification time to land."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def why_stopped(switch: KillSwitch, agent: str | None = None) -> str:
    """The refusal's message, or "" when the action is allowed."""
    try:
        switch.ensure_allowed(agent=agent)
    except KillSwitchEngaged as exc:
        return str(exc)
    return ""


def test_an_honest_store_verifies(gov: Governance) -> None:
    gov.switch.set("ada", "global", True, "incident 7")
    gov.switch.set("ada", "global", False, "resolved")
    approved = gov.registry.register("release", "pay@v2", {"score": 1}, "agent:advisor").id
    gov.signoff.decide(approved, "rita", Decision.APPROVE, "fine")
    gov.registry.register("release", "pay@v3", {"score": 2}, "agent:advisor")
    gov.registry.register("release", "pay@v3", {"score": 3}, "agent:advisor")  # supersedes
    result = verify_store(gov.audit)
    assert result.ok, result.state
    assert gov.registry.decision_on_record(gov.registry.get(approved))


def test_a_switch_turned_off_by_update_reads_on_and_verify_names_it(gov: Governance) -> None:
    gov.switch.set("ada", "global", True, "incident 7")
    assert "incident 7" in why_stopped(gov.switch)
    gov.tamper("UPDATE kill_switch SET engaged = false WHERE scope = 'global'")
    assert eventually(lambda: "disagrees with the audit chain" in why_stopped(gov.switch))
    state = next(s for s in gov.switch.status() if s.scope == "global")
    assert state.engaged and state.disagrees_with_audit
    result = verify_store(gov.audit)
    assert result.chain.ok and not result.ok
    [problem] = result.state
    assert (problem.table, problem.key) == ("kill_switch", "global")
    assert "turned it on" in problem.problem


def test_a_switch_row_changed_without_any_audit_entry_fails_closed(gov: Governance) -> None:
    gov.tamper("UPDATE kill_switch SET reason = 'looks fine', changed_by = 'mallory' "
               "WHERE scope = 'agent:security'")
    assert eventually(lambda: "disagrees" in why_stopped(gov.switch, "security"))
    gov.switch.ensure_allowed(agent="delivery")  # the others are untouched
    [problem] = verify_store(gov.audit).state
    assert problem.key == "agent:security" and "no audit entry" in problem.problem


def test_a_report_approved_by_update_is_not_a_decision(gov: Governance) -> None:
    report_id = gov.registry.register("release", "pay@v2", {"score": 1}, "agent:advisor").id
    gov.tamper(f"UPDATE reports SET status = 'approved', decided_by = 'rita' "
               f"WHERE id = '{report_id}'")
    record = gov.registry.get(report_id)
    assert record.status is ReportStatus.APPROVED  # what the row says...
    assert not gov.registry.decision_on_record(record)  # ...is not what the record says
    [problem] = verify_store(gov.audit).state
    assert (problem.table, problem.key) == ("reports", report_id)
    assert "no audited decision" in problem.problem


def test_a_decision_turned_around_by_update_is_named(gov: Governance) -> None:
    report_id = gov.registry.register("release", "pay@v2", {"score": 1}, "agent:advisor").id
    gov.signoff.decide(report_id, "rita", Decision.REJECT, "too risky")
    with gov.store.engine.begin() as conn:  # the immutability trigger is the owner's to drop
        if gov.store.is_sqlite:
            conn.execute(text("DROP TRIGGER reports_decided_immutable"))
        else:
            conn.execute(text("ALTER TABLE reports DISABLE TRIGGER USER"))
        conn.execute(text(f"UPDATE reports SET status = 'approved' WHERE id = '{report_id}'"))
    assert not gov.registry.decision_on_record(gov.registry.get(report_id))
    [problem] = verify_store(gov.audit).state
    assert problem.key == report_id and "rejected by rita" in problem.problem


def test_a_report_inserted_by_hand_is_named(gov: Governance) -> None:
    gov.tamper("INSERT INTO reports (id, kind, subject, subject_authors, created_by, "
               "created_at, content_hash, content, status) VALUES ('rel-forged', 'release', "
               "'pay@v9', '[]', 'rita', '2030-01-01T00:00:00Z', 'x', '{}', 'pending_signoff')")
    [problem] = verify_store(gov.audit).state
    assert problem.key == "rel-forged" and "no report.registered" in problem.problem


def test_upgrading_a_schema_1_store_binds_its_switch_rows(store_url: str) -> None:
    gov = Governance(store_url)
    gov.switch.set("ada", "global", True, "freeze")
    gov.switch.close()
    # Schema 1 stamped the row before its entry, with the reason unredacted.
    with gov.store.engine.begin() as conn:
        conn.execute(kill_switch.update().where(kill_switch.c.scope == "global")
                     .values(changed_at="2020-01-01T00:00:00.000000Z"))
        conn.execute(schema_version.update().values(version=1))
        conn.execute(text("DROP TABLE signoff_commands"))
    upgraded = Governance(store_url)
    try:
        with upgraded.store.read() as conn:
            assert conn.execute(text("SELECT version FROM advisor_schema_version")
                                ).scalar_one() == SCHEMA_VERSION
        with pytest.raises(KillSwitchEngaged, match="freeze"):
            upgraded.switch.ensure_allowed()
        assert verify_store(upgraded.audit).ok
    finally:
        upgraded.switch.close()
