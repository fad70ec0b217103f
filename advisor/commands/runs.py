"""``advisor runs``: graph threads and where each one stands."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from advisor.commands.common import console, controls

app = typer.Typer(help="Graph runs (threads) and their state.", no_args_is_help=True)


@app.command("list")
def runs_list(
    kind: Annotated[str | None, typer.Option(help="release, security-review or portfolio.")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. pending_signoff, halted.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """List runs, newest first."""
    records = controls().runs.list(kind=kind, status=status, limit=limit)
    if not records:
        console.print("No runs.")
        return
    table = Table("run id", "kind", "subject", "status", "report", "by", "updated (UTC)")
    for r in records:
        table.add_row(
            r.run_id, r.kind, r.subject, r.status.value, r.report_id or "", r.actor, r.updated_at
        )
    console.print(table)


@app.command("show")
def runs_show(run_id: Annotated[str, typer.Argument(help="Run (thread) id.")]) -> None:
    """Show a run's record and its checkpointed graph state."""
    from advisor.context import graph_context
    from advisor.settings import load_settings
    from graphs.runner import builders, thread_state

    settings = load_settings()
    ctl = controls()
    record = ctl.runs.get(run_id)
    data = record.model_dump(mode="json")
    if record.kind in builders():
        values, waiting_at = thread_state(record.kind, graph_context(settings, ctl), run_id)
        data["graph"] = {
            "waiting_at": list(waiting_at),
            "status": values.get("status"),
            "halt_reason": values.get("halt_reason"),
            "snapshot_hash": values.get("snapshot_hash"),
            "agents": {
                name: r.get("status") for name, r in values.get("agent_reports", {}).items()
            },
        }
    console.print_json(json.dumps(data))


@app.command("resume")
def runs_resume(run_id: Annotated[str, typer.Argument(help="Run (thread) id.")]) -> None:
    """Resume a run paused for sign-off whose decision is already on the record.

    For a run whose resumption was refused (the kill switch was on when it was signed
    off): it then publishes, if it was asked to. Refused while the switch is on (exit 3).
    """
    from advisor.commands.governance_cmds import _resume
    from governance.errors import GovernanceError
    from governance.reports import Decision, ReportStatus

    ctl = controls()
    record = ctl.runs.get(run_id)
    if not record.report_id:
        raise GovernanceError(f"run {run_id} has no report to resume with")
    report = ctl.registry.get(record.report_id)
    if report.status not in (ReportStatus.APPROVED, ReportStatus.REJECTED):
        raise GovernanceError(f"report {report.id} is {report.status.value}: sign it off "
                              "first (`advisor signoff`)")
    if not ctl.registry.decision_on_record(report):
        raise GovernanceError(f"report {report.id} is {report.status.value}, but no audit "
                              "entry records that decision: nothing to resume with")
    decision = Decision.APPROVE if report.status is ReportStatus.APPROVED else Decision.REJECT
    _resume(ctl, record.kind, run_id, report.id, decision, report.decided_by or "",
            report.decision_comment or "")
