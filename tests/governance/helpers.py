"""Test helpers for the governance store: tampering the way an attacker with DB access would."""

from __future__ import annotations

from sqlalchemy import text

from governance.db import Store


def without_guards(store: Store, *statements: str) -> None:
    """Run statements with the append-only triggers out of the way."""
    with store.engine.begin() as conn:
        if store.is_sqlite:
            for name in ("audit_log_no_update", "audit_log_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        for statement in statements:
            conn.exec_driver_sql(statement)
