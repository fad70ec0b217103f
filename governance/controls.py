"""The governance controls wired together over one store."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.audit import AuditLog
from governance.db import Store
from governance.killswitch import KillSwitch
from governance.reports import ReportRegistry, SignOff
from governance.roles import RoleBook, load_roles
from governance.runs import RunRegistry

if TYPE_CHECKING:  # the redactor's detectors load on first use, not with every command
    from governance.redact import Redactor

RedactorSource = Callable[[], "Redactor"]


@dataclass(frozen=True)
class Controls:
    store: Store
    audit: AuditLog
    roles: RoleBook
    kill_switch: KillSwitch
    registry: ReportRegistry
    signoff: SignOff
    runs: RunRegistry
    redactor_source: RedactorSource = field(repr=False)

    @property
    def redactor(self) -> Redactor:
        """The configured redactor, built the first time something is redacted."""
        return self.redactor_source()

    @classmethod
    def open(
        cls,
        database_url: str,
        roles_file: Path,
        *,
        kill_switch_env: str | None = None,
        redactor: Redactor | RedactorSource | None = None,
        auto_init: bool = False,
    ) -> Controls:
        """``redactor``: an instance, or a function building one when it is first needed
        (a command that redacts nothing never pays for the detectors). ``auto_init``:
        create the schema of a store used for the first time (see ``Store.open``);
        otherwise an uninitialised store is refused."""
        roles = load_roles(roles_file)
        store = Store.open(database_url, auto_init=auto_init)
        source = _cached(redactor)

        def redact(value: Any) -> tuple[Any, dict[str, int]]:
            return source().redact_data(value)

        audit = AuditLog(store, redact=redact)
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
            runs=RunRegistry(store, redact=lambda text: source().redact(text).text),
            redactor_source=source,
        )

    def close(self) -> None:
        """Stop the kill-switch listener (PostgreSQL) and release the connections."""
        self.kill_switch.close()
        self.store.engine.dispose()


def _cached(redactor: Redactor | RedactorSource | None) -> RedactorSource:
    if redactor is None:
        from governance.redact import Redactor

        return functools.cache(Redactor)
    if callable(redactor):
        return functools.cache(redactor)
    built = redactor
    return lambda: built
