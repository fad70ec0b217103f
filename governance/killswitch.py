"""Kill switches: one global, one per agent, one for publishing. Fail closed.

``ensure_allowed`` is the one call everything else makes before running an agent,
calling an LLM or publishing. If the state cannot be read, is corrupt, or names an
unknown agent, the answer is "stopped". ``ADVISOR_KILL_SWITCH=on`` forces the global
switch on; nothing can force it off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from governance.audit import AuditLog
from governance.db import KILL_SWITCH_SCOPES, Store, kill_switch, utc_now
from governance.errors import GovernanceError, KillSwitchEngaged, NotAuthorized
from governance.roles import RoleBook

AGENTS = ("delivery", "platform", "portfolio", "security")
Action = Literal["run", "llm", "publish"]
_OFF_VALUES = frozenset({"", "0", "off", "false", "no"})


class SwitchState(BaseModel):
    scope: str
    engaged: bool
    reason: str
    changed_by: str
    changed_at: str
    forced_by_environment: bool = False


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


class KillSwitch:
    def __init__(
        self, store: Store, audit: AuditLog, roles: RoleBook, environment_value: str | None = None
    ) -> None:
        self.store = store
        self.audit = audit
        self.roles = roles
        self.forced = forced_on(environment_value)

    def ensure_allowed(self, agent: str | None = None, action: Action = "run") -> None:
        """Raise ``KillSwitchEngaged`` unless every switch that governs this action is off."""
        if self.forced:
            raise KillSwitchEngaged("global", "forced on by ADVISOR_KILL_SWITCH")
        if agent is not None and agent not in AGENTS:
            raise KillSwitchEngaged(f"agent:{agent}", f"unknown agent {agent!r} (fail closed)")
        states = self._read_states()
        wanted = ["global"]
        if agent is not None:
            wanted.append(f"agent:{agent}")
        if action == "publish":
            wanted.append("publishing")
        for scope in wanted:
            engaged, reason = states[scope]
            if engaged:
                raise KillSwitchEngaged(scope, reason)

    def status(self) -> list[SwitchState]:
        """Every switch; raises ``KillSwitchEngaged`` when the state cannot be trusted."""
        states = self._read_rows()
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
        now = utc_now()
        with self.store.transaction() as conn:
            conn.execute(
                kill_switch.update()
                .where(kill_switch.c.scope == scope)
                .values(engaged=engaged, reason=reason, changed_by=actor, changed_at=now)
            )
            self.audit.append(actor, f"killswitch.{verb}", scope, payload, conn=conn)
        return SwitchState(
            scope=scope, engaged=engaged, reason=reason, changed_by=actor, changed_at=now
        )

    def _read_states(self) -> dict[str, tuple[bool, str]]:
        return {scope: (s.engaged, s.reason) for scope, s in self._read_rows().items()}

    def _read_rows(self) -> dict[str, SwitchState]:
        try:
            with self.store.read() as conn:
                rows = conn.execute(select(kill_switch)).mappings().all()
        except (GovernanceError, SQLAlchemyError, ValueError) as exc:
            raise KillSwitchEngaged("global", f"state unreadable, failing closed: {exc}") from exc
        states: dict[str, SwitchState] = {}
        for row in rows:
            raw = row["engaged"]
            if raw not in (True, False, 0, 1):  # SQLite stores anything it is given
                raise KillSwitchEngaged(row["scope"], "state corrupt, failing closed")
            states[row["scope"]] = SwitchState(
                scope=row["scope"],
                engaged=bool(raw),
                reason=row["reason"],
                changed_by=row["changed_by"],
                changed_at=row["changed_at"],
            )
        missing = [s for s in KILL_SWITCH_SCOPES if s not in states]
        if missing:
            raise KillSwitchEngaged(missing[0], "state missing, failing closed")
        return states
