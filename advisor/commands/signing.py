"""Who may sign a report off, said where a person needs it; what a resumed run's end
means for the exit code (a failed publish is exit 4, never a quiet success)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.errors import CommandRefused, SourceFailed

if TYPE_CHECKING:
    from governance.roles import RoleBook


def who_decides(roles: RoleBook, kind: str, actor: str, roles_file: Path) -> str:
    """The role a ``kind`` report needs, who holds it, and where that is written."""
    role = roles.role_for_kind(kind)
    holders = [h for h in roles.roles.get(role, []) if not roles.is_bot(h)]
    where = f"roles come from {roles_file}; ADVISOR_ROLES_FILE names another file"
    if roles.has_role(actor, role):
        return f"Deciding needs the '{role}' role, which you ({actor}) hold ({where})."
    if not holders:
        return (f"Deciding needs the '{role}' role, which nobody holds yet: add a login under "
                f"roles.{role} ({where}).")
    return (f"Deciding needs the '{role}' role, held by {', '.join(holders)}; you are {actor} "
            f"({where}).")


def roles_file() -> Path:
    from advisor.settings import load_settings

    return load_settings().resolved_roles_file


def report_outcome(report_id: str, state: Mapping[str, Any], decided: str) -> None:
    """Print what publishing did after a decision; raise when it did not happen."""
    for where in state.get("published", []):
        typer.echo(f"published: {where}")
    status, reason = state.get("status"), state.get("halt_reason") or "no reason recorded"
    retry = f"fix the cause, then `advisor publish {report_id}` tries again"
    if status == "publish_failed":
        raise SourceFailed(f"report {report_id} is {decided}, but publishing failed: {reason}",
                           hint=retry if decided == "approved" else None)
    if status == "publish_conflict":
        raise SourceFailed(f"report {report_id} is {decided}, but was not published: {reason}",
                           hint=retry)
    if status == "halted":
        raise CommandRefused(f"report {report_id} is {decided}, but publishing was stopped: "
                             f"{reason}",
                             hint=f"once the switch is off, `advisor publish {report_id}` "
                                  "publishes an approved report")
    if status == "failed":
        raise SourceFailed(f"report {report_id}: the run failed after the decision: {reason}")
