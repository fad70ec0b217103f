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
    ) -> Controls:
        roles = load_roles(roles_file)
        store = Store.open(database_url)
        redactor = redactor or Redactor()
        audit = AuditLog(store, redact=redactor.redact_data)
        registry = ReportRegistry(store, audit)
        return cls(
            store=store,
            audit=audit,
            roles=roles,
            kill_switch=KillSwitch(store, audit, roles, kill_switch_env),
            registry=registry,
            signoff=SignOff(registry, roles),
            runs=RunRegistry(store),
            redactor=redactor,
        )
