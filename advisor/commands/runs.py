"""``advisor runs``: graph threads and where each one stands."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.commands.common import Column, console, controls, show_listing
from advisor.commands.governance_cmds import REPORT_KINDS, KindOption
from advisor.commands.inputs import LIST_FORMATS, LimitOption, ListFormatOption, one_of

if TYPE_CHECKING:
    from governance.runs import RunRecord

app = typer.Typer(help="Graph runs (threads) and their state.", no_args_is_help=True)
RUN_STATUSES = ("running", "pending_signoff", "approved", "rejected", "published", "halted",
                "failed")  # governance.runs.RunStatus


def status_text(record: RunRecord) -> str:
    """``approved · publish failed (reason)``: the status, and what became of publishing."""
    if record.detail and record.status.value in ("approved", "rejected"):
        return f"{record.status.value} · {record.detail}"
    return record.status.value


@app.command("list")
def runs_list(
    kind: KindOption = None,
    status: Annotated[str | None, typer.Option(
        metavar="STATUS", help=f"Only this status: {', '.join(RUN_STATUSES)}.")] = None,
    limit: LimitOption = 50,
    format: ListFormatOption = "table",
) -> None:
    """List runs, newest first."""
    one_of(kind, REPORT_KINDS, "--kind")
    one_of(status, RUN_STATUSES, "--status")
    one_of(format, LIST_FORMATS, "--format")
    show_listing(
        format, controls().runs.list(kind=kind, status=status, limit=limit), "No runs.",
        [Column("run id", key=True), Column("kind", drop=3), Column("subject", drop=2),
         Column("status"), Column("report", key=True), Column("by", drop=4),
         Column("updated (UTC)", drop=5)],
        lambda r: [r.run_id, r.kind, r.subject, status_text(r), r.report_id or "", r.actor,
                   r.updated_at],
        lambda r: r.model_dump(mode="json"))


@app.command("show")
def runs_show(run_id: Annotated[str, typer.Argument(
        metavar="RUN_ID", help="Run (thread) id.")]) -> None:
    """Show a run's record and its checkpointed graph state, as JSON."""
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
def runs_resume(run_id: Annotated[str, typer.Argument(
        metavar="RUN_ID", help="Run (thread) id, as `advisor runs list` shows it.")]) -> None:
    """Resume a run paused for sign-off whose decision is already on the record.

    For a run whose resumption was refused (the kill switch was on when it was signed
    off): it then publishes, if it was asked to. Refused while the switch is on (exit 3).
    """
    from advisor.commands.governance_cmds import _resume, _resume_context
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
    ctx = _resume_context(ctl, record.kind)
    if ctx is None:
        raise GovernanceError(f"run {run_id} is a {record.kind} run: it has no graph to resume")
    _resume(ctx, record.kind, run_id, report.id, decision, report.decided_by or "",
            report.decision_comment or "")
