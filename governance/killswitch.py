"""Kill switches: one global, one per agent, one for publishing. Fail closed.

``ensure_allowed`` is the one call everything else makes before running an agent,
calling an LLM, publishing or signing off. If the state cannot be read, is corrupt,
names an unknown agent, or disagrees with the audit chain, the answer is "stopped".
``ADVISOR_KILL_SWITCH=on`` forces the global switch on; nothing can force it off.

Each switch row is bound to the audit entry that last set it (same actor, time, state
and redacted reason): a row changed behind the advisor's back — ``UPDATE kill_switch SET
engaged = false`` during an incident — no longer matches, and the switch reads as on.

On PostgreSQL the states live in memory, pushed by ``LISTEN``/``NOTIFY``
(``governance/switchwatch.py``): a check costs no round trip, and a lost listening
connection fails closed at once.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from governance.audit import AuditLog
from governance.db import (
    INITIAL_ACTOR,
    INITIAL_REASON,
    KILL_SWITCH_SCOPES,
    Store,
    audit_log,
    kill_switch,
)
from governance.errors import GovernanceError, KillSwitchEngaged, NotAuthorized
from governance.roles import RoleBook

AGENTS = ("delivery", "platform", "portfolio", "security")
Action = Literal["run", "llm", "publish"]
SWITCH_ACTIONS = ("killswitch.on", "killswitch.off")
_OFF_VALUES = frozenset({"", "0", "off", "false", "no"})


class SwitchState(BaseModel):
    scope: str
    engaged: bool
    reason: str
    changed_by: str
    changed_at: str
    forced_by_environment: bool = False
    disagrees_with_audit: bool = False


class AuditedSwitch(BaseModel):
    """The newest audit entry that set one switch."""

    seq: int
    engaged: bool
    actor: str
    ts: str
    reason: str


def scope_for(agent: str | None = None, publishing: bool = False) -> str:
    if publishing:
        return "publishing"
    if agent is None:
        return "global"
    if agent not in AGENTS:
        raise GovernanceError(f"unknown agent {agent!r}; known: {', '.join(AGENTS)}")
    return f"agent:{agent}"


def forced_on(value: str | None) -> bool:
    """Any value but an explicit "off" forces the switch on (typos fail closed)."""
    return value is not None and value.strip().lower() not in _OFF_VALUES


# -- the binding between a switch row and the audit chain -----------------------------------


def audited_switches(conn: Connection) -> dict[str, AuditedSwitch]:
    """The newest ``killswitch.on``/``off`` entry of every scope that has one."""
    newest = (select(audit_log.c.subject, func.max(audit_log.c.seq).label("seq"))
              .where(audit_log.c.action.in_(SWITCH_ACTIONS))
              .group_by(audit_log.c.subject).subquery())
    rows = conn.execute(
        select(audit_log.c.seq, audit_log.c.subject, audit_log.c.action, audit_log.c.actor,
               audit_log.c.ts, audit_log.c.payload)
        .join(newest, audit_log.c.seq == newest.c.seq)
    ).all()
    found: dict[str, AuditedSwitch] = {}
    for row in rows:
        try:
            reason = json.loads(row.payload).get("reason")
        except (ValueError, AttributeError):
            reason = None
        found[row.subject] = AuditedSwitch(seq=row.seq, engaged=row.action == "killswitch.on",
                                           actor=row.actor, ts=row.ts,
                                           reason=reason if isinstance(reason, str) else "")
    return found


def switch_disagreement(row: Any, audited: AuditedSwitch | None) -> str | None:
    """Why a switch row does not match the audit entry that last set it, or None."""
    engaged = bool(row["engaged"])
    if audited is None:
        if engaged or row["changed_by"] != INITIAL_ACTOR or row["reason"] != INITIAL_REASON:
            return "it was changed, but no audit entry records a change"
        return None
    if engaged != audited.engaged:
        said = "on" if audited.engaged else "off"
        return (f"it reads {'on' if engaged else 'off'}, but audit entry {audited.seq} "
                f"turned it {said}")
    if (row["changed_by"], row["changed_at"], row["reason"]) != (
            audited.actor, audited.ts, audited.reason):
        return f"its actor, time or reason differ from audit entry {audited.seq}"
    return None


def read_switch_states(store: Store) -> dict[str, SwitchState]:
    """Every switch as the store and the chain say it is; raises when untrustworthy."""
    try:
        with store.read() as conn:
            rows = conn.execute(select(kill_switch)).mappings().all()
            audited = audited_switches(conn)
    except (GovernanceError, SQLAlchemyError, ValueError) as exc:
        raise KillSwitchEngaged("global", f"state unreadable, failing closed: {exc}") from exc
    states: dict[str, SwitchState] = {}
    for row in rows:
        raw = row["engaged"]
        if raw not in (True, False, 0, 1):  # SQLite stores anything it is given
            raise KillSwitchEngaged(row["scope"], "state corrupt, failing closed")
        state = SwitchState(scope=row["scope"], engaged=bool(raw), reason=row["reason"],
                            changed_by=row["changed_by"], changed_at=row["changed_at"])
        problem = switch_disagreement(row, audited.get(row["scope"]))
        if problem:
            state = state.model_copy(update={
                "engaged": True, "disagrees_with_audit": True,
                "reason": f"its state row disagrees with the audit chain ({problem}); "
                          "failing closed"})
        states[row["scope"]] = state
    missing = [s for s in KILL_SWITCH_SCOPES if s not in states]
    if missing:
        raise KillSwitchEngaged(missing[0], "state missing, failing closed")
    return states


# -- the switches ---------------------------------------------------------------------------


class KillSwitch:
    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        roles: RoleBook,
        environment_value: str | None = None,
        *,
        push: bool | None = None,
    ) -> None:
        """``push`` (default: on PostgreSQL) keeps the states in memory, fed by NOTIFY."""
        self.store = store
        self.audit = audit
        self.roles = roles
        self.forced = forced_on(environment_value)
        self._push = (not store.is_sqlite) if push is None else push
        self._watcher: Any = None  # a SwitchWatcher, started by the first check
        self._starting = threading.Lock()

    def ensure_allowed(self, agent: str | None = None, action: Action = "run") -> None:
        """Raise ``KillSwitchEngaged`` unless every switch that governs this action is off."""
        if self.forced:
            raise KillSwitchEngaged("global", "forced on by ADVISOR_KILL_SWITCH")
        if agent is not None and agent not in AGENTS:
            raise KillSwitchEngaged(f"agent:{agent}", f"unknown agent {agent!r} (fail closed)")
        states = self._current()
        wanted = ["global"]
        if agent is not None:
            wanted.append(f"agent:{agent}")
        if action == "publish":
            wanted.append("publishing")
        for scope in wanted:
            state = states[scope]
            if state.engaged:
                raise KillSwitchEngaged(scope, state.reason)

    def status(self) -> list[SwitchState]:
        """Every switch, read afresh; raises ``KillSwitchEngaged`` when it cannot be trusted."""
        states = read_switch_states(self.store)
        if self.forced:
            states["global"] = states["global"].model_copy(
                update={
                    "engaged": True,
                    "reason": "forced on by ADVISOR_KILL_SWITCH",
                    "forced_by_environment": True,
                }
            )
        return [states[s] for s in KILL_SWITCH_SCOPES]

    def set(self, actor: str, scope: str, engaged: bool, reason: str) -> SwitchState:
        """Change one switch; admins only; every change and refusal is audited."""
        verb = "on" if engaged else "off"
        payload = {"scope": scope, "requested": verb, "reason": reason}
        if scope not in KILL_SWITCH_SCOPES:
            raise GovernanceError(f"unknown kill-switch scope {scope!r}")
        if not reason.strip():
            raise GovernanceError("a reason is required to change a kill switch")
        if not self.roles.has_role(actor, "admin"):
            self.audit.append(
                actor,
                "killswitch.refused",
                scope,
                {**payload, "why": "actor does not hold the admin role"},
            )
            raise NotAuthorized(
                f"{actor} does not hold the 'admin' role needed to turn "
                f"kill switch '{scope}' {verb}"
            )
        with self.store.transaction() as conn:
            # The entry first: the row then carries its time and its redacted reason.
            entry = self.audit.append(actor, f"killswitch.{verb}", scope, payload, conn=conn)
            stored_reason = str(entry.payload["reason"])
            conn.execute(
                kill_switch.update()
                .where(kill_switch.c.scope == scope)
                .values(engaged=engaged, reason=stored_reason, changed_by=actor,
                        changed_at=entry.ts)
            )
        if self._watcher is not None:
            self._watcher.refresh()  # our own change counts at once, not after the NOTIFY
        return SwitchState(
            scope=scope, engaged=engaged, reason=stored_reason, changed_by=actor,
            changed_at=entry.ts,
        )

    def close(self) -> None:
        """Stop listening (PostgreSQL); later checks read the store directly again."""
        watcher, self._watcher, self._push = self._watcher, None, False
        if watcher is not None:
            watcher.close()

    def _current(self) -> dict[str, SwitchState]:
        if not self._push:
            return read_switch_states(self.store)
        if self._watcher is None:
            from governance.switchwatch import SwitchWatcher

            with self._starting:  # agents check in parallel: one listener
                if self._watcher is None:
                    self._watcher = SwitchWatcher.start(self.store, self, read_switch_states)
        states: dict[str, SwitchState] = self._watcher.states()
        return states
