"""``advisor killswitch``, ``advisor reports``, ``advisor signoff``, ``advisor whoami``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from advisor.commands.common import console, controls
from governance.controls import Controls
from governance.errors import GovernanceError, NotAuthorized
from governance.identity import current_identity
from governance.killswitch import AGENTS, scope_for
from governance.reports import Decision

killswitch_app = typer.Typer(
    help="Stop everything (or one agent, or publishing) at once.", no_args_is_help=True
)
reports_app = typer.Typer(help="Reports and their sign-off status.", no_args_is_help=True)

AgentOption = Annotated[
    str | None, typer.Option("--agent", help=f"One agent's switch: {', '.join(AGENTS)}.")
]
PublishingOption = Annotated[bool, typer.Option("--publishing", help="The publishing switch.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded in the audit log).")]


def _flip(engaged: bool, agent: str | None, publishing: bool, reason: str) -> None:
    if agent and publishing:
        raise GovernanceError("choose --agent or --publishing, not both")
    scope = scope_for(agent, publishing)
    state = controls().kill_switch.set(current_identity(), scope, engaged, reason)
    console.print(
        f"kill switch '{state.scope}' is now {'ON' if engaged else 'off'} "
        f"(by {state.changed_by}: {state.reason})"
    )


@killswitch_app.command("on")
def switch_on(
    reason: ReasonOption, agent: AgentOption = None, publishing: PublishingOption = False
) -> None:
    """Turn a kill switch on (admins only)."""
    _flip(True, agent, publishing, reason)


@killswitch_app.command("off")
def switch_off(
    reason: ReasonOption, agent: AgentOption = None, publishing: PublishingOption = False
) -> None:
    """Turn a kill switch off (admins only)."""
    _flip(False, agent, publishing, reason)


@killswitch_app.command("status")
def switch_status(agent: AgentOption = None, publishing: PublishingOption = False) -> None:
    """Show the switches. Exits 3 when the requested switch (default: global) stops runs."""
    states = controls().kill_switch.status()
    table = Table("switch", "state", "reason", "changed by", "changed at (UTC)")
    for s in states:
        state = "[bold red]ON[/]" if s.engaged else "off"
        table.add_row(s.scope, state, s.reason, s.changed_by, s.changed_at)
    console.print(table)
    wanted = {"global", scope_for(agent, publishing)}
    if any(s.engaged for s in states if s.scope in wanted):
        raise typer.Exit(3)


@reports_app.command("list")
def reports_list(
    kind: Annotated[str | None, typer.Option(help="release, security-review or portfolio.")] = None,
    status: Annotated[
        str | None, typer.Option(help="pending_signoff, approved, rejected or superseded.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """List reports, newest first."""
    records = controls().registry.list(kind=kind, status=status, limit=limit)
    if not records:
        console.print("No reports.")
        return
    table = Table("id", "kind", "subject", "status", "created (UTC)", "decided by")
    for r in records:
        table.add_row(r.id, r.kind, r.subject, r.status.value, r.created_at, r.decided_by or "")
    console.print(table)


@reports_app.command("show")
def reports_show(
    report_id: Annotated[str, typer.Argument(help="Report id.")],
    content: Annotated[
        bool, typer.Option("--content", help="Print the stored report too.")
    ] = False,
) -> None:
    """Show a report's record (and its stored content, exactly as recorded: a decision
    never changes it; `advisor reports export ID` renders it with its decision)."""
    registry = controls().registry
    record = registry.get(report_id)
    data = record.model_dump(mode="json")
    if content:
        data["content"] = registry.content(report_id)
    console.print_json(json.dumps(data))


@reports_app.command("export")
def reports_export(
    report_id: Annotated[str, typer.Argument(help="Report id.")],
    format: Annotated[
        str, typer.Option("--format", help="md, html, json; comma-separated.")
    ] = "md,html,json",
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Directory for the files.")
    ] = Path("."),
) -> None:
    """Render a stored report as it stands: its decision, who made it and when, their
    comment, and the audit entry (seq and hash) that recorded it. The stored report is
    never changed."""
    from render.export import ExportError, export_report, parse_export_formats

    ctl = controls()
    record = ctl.registry.get(report_id)
    try:
        formats = parse_export_formats(format, record.kind)
    except (ExportError, ValueError) as exc:
        raise GovernanceError(f"--format: {exc}") from None
    written = export_report(record, ctl.registry.content(report_id),
                            ctl.registry.decision_entry(report_id), formats, output,
                            redactor=ctl.redactor)
    for path in written.values():
        console.print(f"wrote {path}")


def signoff(
    report_id: Annotated[str, typer.Argument(help="The report to decide.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve the report.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the report.")] = False,
    comment: Annotated[str, typer.Option("--comment", help="Why (recorded).")] = "",
) -> None:
    """Record a human decision on a report pending sign-off."""
    if approve == reject:
        raise GovernanceError("choose exactly one of --approve or --reject")
    if not comment.strip():
        raise GovernanceError("--comment is required: say why")
    decision = Decision.APPROVE if approve else Decision.REJECT
    actor = current_identity()
    ctl = controls()
    try:
        record = ctl.signoff.decide(report_id, actor, decision, comment)
    except NotAuthorized as exc:  # refused (role, bot, separation of duties): on the record
        Console(stderr=True, highlight=False).print(
            f"advisor: refused: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(3) from None
    console.print(f"report {record.id} is now {record.status.value} by {record.decided_by}")
    if record.thread_id:
        _resume(ctl, record.kind, record.thread_id, record.id, decision, actor, comment)


def _resume(
    ctl: Controls,
    kind: str,
    run_id: str,
    report_id: str,
    decision: Decision,
    actor: str,
    comment: str,
) -> None:
    """Wake the paused graph thread with the recorded decision (publishing, if asked)."""
    from advisor.context import graph_context
    from advisor.settings import load_settings
    from graphs.requests import SignOffDecision
    from graphs.runner import builders, resume_run

    if kind not in builders():
        return
    answer = SignOffDecision(
        report_id=report_id, decision=decision.value, decided_by=actor, comment=comment
    )
    state = resume_run(kind, graph_context(load_settings(), ctl), run_id, answer)
    console.print(f"run {run_id} resumed: {state.get('status')}")
    for where in state.get("published", []):
        console.print(f"published: {where}")


def whoami() -> None:
    """Show the identity the advisor sees and its roles."""
    identity = current_identity()
    roles = controls().roles.roles_of(identity)
    console.print(f"{identity}: {', '.join(roles) if roles else 'no roles'}")
