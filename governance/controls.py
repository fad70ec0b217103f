"""The governance controls wired together over one store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from governance.audit import AuditLog
from governance.db import Store
from governance.killswitch import KillSwitch
from governance.redact import Redactor
from governance.reports import ReportRegistry, SignOff
from governance.roles import RoleBook, load_roles
from governance.runs import RunRegistry


@dataclass(frozen=True)
class Controls:
    store: Store
    audit: AuditLog
    roles: RoleBook
    kill_switch: KillSwitch
    registry: ReportRegistry
    signoff: SignOff
    runs: RunRegistry
    redactor: Redactor

    @classmethod
    def open(
        cls,
        database_url: str,
        roles_file: Path,
        *,
        kill_switch_env: str | None = None,
        redactor: Redactor | None = None,
        auto_init: bool = False,
    ) -> Controls:
        """``auto_init``: create the schema of a store used for the first time (see
        ``Store.open``); otherwise an uninitialised store is refused."""
        roles = load_roles(roles_file)
        store = Store.open(database_url, auto_init=auto_init)
        redactor = redactor or Redactor()
        audit = AuditLog(store, redact=redactor.redact_data)
        registry = ReportRegistry(store, audit)
        switch = KillSwitch(store, audit, roles, kill_switch_env)
        return cls(
            store=store,
            audit=audit,
            roles=roles,
            kill_switch=switch,
            registry=registry,
            # Nothing is decided while the global switch is on (refused and audited).
            signoff=SignOff(registry, roles, gate=switch.ensure_allowed),
            runs=RunRegistry(store, redact=lambda text: redactor.redact(text).text),
            redactor=redactor,
        )

    def close(self) -> None:
        """Stop the kill-switch listener (PostgreSQL) and release the connections."""
        self.kill_switch.close()
        self.store.engine.dispose()
