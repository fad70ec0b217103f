"""``advisor killswitch``, ``advisor reports``, ``advisor signoff``, ``advisor whoami``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.commands.common import Column, console, controls, show_listing
from advisor.commands.inputs import (
    LIST_FORMATS,
    LimitOption,
    ListFormatOption,
    one_of,
    writable_dir,
)
from advisor.commands.signing import report_outcome, roles_file, who_decides
from advisor.errors import CommandRefused, UsageError

if TYPE_CHECKING:
    from governance.controls import Controls
    from governance.reports import Decision, ReportRecord, ReportRegistry
    from graphs.context import GraphContext

killswitch_app = typer.Typer(
    help="Stop everything (or one agent, or publishing) at once.", no_args_is_help=True
)
reports_app = typer.Typer(help="Reports and their sign-off status.", no_args_is_help=True)

AGENT_NAMES = ("delivery", "platform", "portfolio", "security")  # governance.killswitch.AGENTS
REPORT_KINDS = ("release", "security-review", "portfolio")
REPORT_STATUSES = ("pending_signoff", "approved", "rejected", "superseded")

AgentOption = Annotated[str | None, typer.Option(
    "--agent", metavar="NAME", help=f"One agent's switch: {', '.join(AGENT_NAMES)}.")]
PublishingOption = Annotated[bool, typer.Option("--publishing", help="The publishing switch.")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", metavar="TEXT", help="Why (recorded in the audit log).")]
KindOption = Annotated[str | None, typer.Option(
    metavar="KIND", help=f"Only this kind: {', '.join(REPORT_KINDS)}.")]
ReportIdArgument = Annotated[str, typer.Argument(metavar="REPORT_ID", help="The report's id.")]


def _scope(agent: str | None, publishing: bool) -> str:
    from governance.killswitch import scope_for

    if agent and publishing:
        raise UsageError("choose --agent or --publishing, not both")
    one_of(agent, AGENT_NAMES, "--agent")
    return scope_for(agent, publishing)


def _flip(engaged: bool, agent: str | None, publishing: bool, reason: str) -> None:
    from governance.identity import current_identity

    scope = _scope(agent, publishing)
    if not reason.strip():
        raise UsageError("--reason: say why (it is recorded in the audit log)")
    switch = controls().kill_switch
    state = switch.set(current_identity(), scope, engaged, reason)
    typer.echo(
        f"kill switch '{state.scope}' is now {'ON' if engaged else 'off'} "
        f"(by {state.changed_by}: {state.reason})")
    if not engaged and switch.forced:
        from advisor.boundary import say

        say("advisor: warning: ADVISOR_KILL_SWITCH forces the global switch on: everything "
            "stays stopped until that variable is unset or 'off'")


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
def switch_status(agent: AgentOption = None, publishing: PublishingOption = False,
                  format: ListFormatOption = "table") -> None:
    """Show the switches. Exits 3 when the requested switch (default: global) stops runs."""
    wanted = {"global", _scope(agent, publishing)}
    one_of(format, LIST_FORMATS, "--format")
    states = controls().kill_switch.status()
    show_listing(
        format, states, "No switches.",
        [Column("switch", key=True), Column("state"), Column("reason", drop=2),
         Column("changed by", drop=1), Column("changed at (UTC)", drop=3)],
        lambda s: [s.scope, "ON" if s.engaged else "off", s.reason, s.changed_by, s.changed_at],
        lambda s: s.model_dump(mode="json"))
    if any(s.engaged for s in states if s.scope in wanted):
        raise typer.Exit(3)


@reports_app.command("list")
def reports_list(
    kind: KindOption = None,
    status: Annotated[str | None, typer.Option(
        metavar="STATUS", help=f"Only this status: {', '.join(REPORT_STATUSES)}.")] = None,
    limit: LimitOption = 50,
    format: ListFormatOption = "table",
) -> None:
    """List reports, newest first."""
    one_of(kind, REPORT_KINDS, "--kind")
    one_of(status, REPORT_STATUSES, "--status")
    one_of(format, LIST_FORMATS, "--format")
    registry = controls().registry
    show_listing(
        format, registry.list(kind=kind, status=status, limit=limit), "No reports.",
        [Column("id", key=True), Column("kind", drop=2), Column("subject", drop=1),
         Column("status"), Column("created (UTC)", drop=4), Column("decided by", drop=3)],
        lambda r: [r.id, r.kind, r.subject, _report_status(registry, r), r.created_at,
                   r.decided_by or ""],
        lambda r: r.model_dump(mode="json"))


def _report_status(registry: ReportRegistry, record: ReportRecord) -> str:
    """A decided status only counts with its audit entry behind it; a superseded one
    names the report that replaced it."""
    from governance.reports import ReportStatus

    if record.status in (ReportStatus.APPROVED, ReportStatus.REJECTED) and not (
            registry.decision_on_record(record)):
        return f"{record.status.value} (NOT ON THE AUDIT RECORD: not a decision)"
    newer = record.superseded_by
    return f"{record.status.value} by {newer}" if newer else record.status.value


@reports_app.command("show")
def reports_show(
    report_id: ReportIdArgument,
    content: Annotated[
        bool, typer.Option("--content", help="Print the stored report too.")
    ] = False,
) -> None:
    """Show a report's record (and its stored content, exactly as recorded: a decision
    never changes it; `advisor reports export ID` renders it with its decision)."""
    registry = controls().registry
    record = registry.get(report_id)
    data = record.model_dump(mode="json")
    data["status"] = _report_status(registry, record)
    data["decision_on_record"] = registry.decision_on_record(record)
    if content:
        data["content"] = registry.content(report_id)
    console.print_json(json.dumps(data))


@reports_app.command("export")
def reports_export(
    report_id: ReportIdArgument,
    format: Annotated[str, typer.Option(
        "--format", metavar="FORMATS", help="md, html, json; comma-separated.")
    ] = "md,html,json",
    output: Annotated[Path, typer.Option(
        "-o", "--output", metavar="DIR",
        help="Directory for the files, named REPORT_ID.FORMAT (created if missing).")
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
        raise UsageError(f"--format: {exc}") from None
    directory = writable_dir(output, "--output", formats)
    written = export_report(record, ctl.registry.content(report_id),
                            ctl.registry.decision_entry(report_id), formats, directory,
                            redactor=ctl.redactor)
    for path in written.values():
        typer.echo(f"wrote {path}")


def signoff(
    report_id: ReportIdArgument,
    comment: Annotated[str, typer.Option(
        "--comment", metavar="TEXT", help="Why (recorded with the decision).")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve the report.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the report.")] = False,
) -> None:
    """Record a human decision on a report pending sign-off.

    An approved report that asked to be published is published now; if that fails, the
    decision stands, the reason is printed (exit code 4) and `advisor publish REPORT_ID`
    tries again.
    """
    from governance.errors import NotAuthorized
    from governance.identity import current_identity
    from governance.reports import Decision

    if approve == reject:
        raise UsageError("choose exactly one of --approve or --reject")
    if not comment.strip():
        raise UsageError("--comment: say why (it is recorded with the decision)")
    decision = Decision.APPROVE if approve else Decision.REJECT
    actor = current_identity()
    ctl = controls()
    pending = ctl.registry.get(report_id)
    # The configuration the resumed run needs is read before the decision is recorded:
    # a broken policy file must not leave a decision on record and the run asleep.
    ctx = _resume_context(ctl, pending.kind) if pending.thread_id else None
    try:
        record = ctl.signoff.decide(report_id, actor, decision, comment)
    except NotAuthorized as exc:
        raise CommandRefused(str(exc), hint=who_decides(ctl.roles, pending.kind, actor,
                                                        roles_file())) from None
    typer.echo(f"report {record.id} is now {record.status.value} by {record.decided_by}")
    if ctx is not None and record.thread_id:
        _resume(ctx, record.kind, record.thread_id, record.id, decision, actor, comment)


def _resume_context(ctl: Controls, kind: str) -> GraphContext | None:
    from advisor.context import graph_context
    from advisor.settings import load_settings
    from graphs.runner import builders

    return graph_context(load_settings(), ctl) if kind in builders() else None


def _resume(
    ctx: GraphContext,
    kind: str,
    run_id: str,
    report_id: str,
    decision: Decision,
    actor: str,
    comment: str,
) -> None:
    """Wake the paused graph thread with the recorded decision (publishing, if asked)."""
    from graphs.requests import SignOffDecision
    from graphs.runner import resume_run

    answer = SignOffDecision(
        report_id=report_id, decision=decision.value, decided_by=actor, comment=comment
    )
    state = resume_run(kind, ctx, run_id, answer)
    typer.echo(f"run {run_id} resumed: {state.get('status')}")
    report_outcome(report_id, state, "approved" if decision.value == "approve" else "rejected")


def whoami() -> None:
    """Show the identity the advisor sees, its roles, and where roles come from."""
    from governance.identity import current_identity

    identity = current_identity()
    book = controls().roles
    roles = book.roles_of(identity)
    logins = book.github_logins(identity)
    known = f" (GitHub: {', '.join(logins)})" if logins else ""
    typer.echo(f"{identity}{known}: {', '.join(roles) if roles else 'no roles'} "
               f"(roles file {roles_file()})")
