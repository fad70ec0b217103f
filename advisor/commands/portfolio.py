"""``advisor portfolio-summary``: the portfolio summary, paused for a portfolio approver.

The scheduler (``advisor schedule run``) calls ``portfolio_summary`` itself, so a
scheduled summary takes exactly the path a typed command takes. Every flag is checked
before anything is recorded: a bad one is one line and exit code 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from advisor.commands.common import console, demo_plans, progress_printer
from advisor.commands.inputs import OutputOption, QuietOption, existing_file, formats
from advisor.commands.outputs import output_target
from advisor.commands.release import halt_on_stop
from advisor.commands.signing import roles_file, who_decides
from advisor.errors import UsageError
from governance.identity import current_identity

Opt = typer.Option
_PROJECT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
_PERIOD = re.compile(r"^\s*(\d{1,3})\s*([dw])\s*$", re.IGNORECASE)
_SPACE = re.compile(r"^~?[A-Za-z0-9_-]{1,255}$")
CONTEXT_AGENTS = ("delivery", "platform", "security")
FORMATS = ("terminal", "md", "html", "json")  # render.portfolio.FORMATS


def portfolio_summary(
    projects: Annotated[str | None, Opt(
        "--projects", metavar="KEYS", help="Jira project keys, comma-separated (required).")
    ] = None,
    epics: Annotated[str | None, Opt(
        "--epics", metavar="JQL", help="Live: JQL choosing the epics (default: all).")] = None,
    period: Annotated[str, Opt("--period", metavar="PERIOD", help="The period, e.g. 14d or 2w.")
                      ] = "14d",
    space: Annotated[str | None, Opt(
        "--space", metavar="KEY", help="Confluence space key to publish in.")] = None,
    parent: Annotated[str | None, Opt(
        "--parent", metavar="TITLE", help="Title of the parent page.")] = None,
    publish: Annotated[bool, Opt(
        "--publish", help="Publish to Confluence once a portfolio approver approves.")] = False,
    format: Annotated[str, Opt(
        "--format", metavar="FORMATS", help="terminal, md, html, json; comma-separated.")
    ] = "terminal",
    output: OutputOption = Path("."),
    demo: Annotated[bool, Opt("--demo", help="Use the bundled demo organisation.")] = False,
    snapshot: Annotated[Path | None, Opt(
        "--snapshot", metavar="FILE", help="Use a saved snapshot.")] = None,
    context: Annotated[str, Opt(
        "--context", metavar="NAMES",
        help="Agents giving context: delivery, platform, security or none.")
    ] = "delivery,platform",
    release_report: Annotated[str | None, Opt(
        "--release-report", metavar="REPORT_ID",
        help="A recorded release report whose findings add context.")] = None,
    quiet: QuietOption = False,
) -> None:
    """Summarise epics and teams over a period and pause for a portfolio approver.

    Exit code 0 whatever the findings. Sign off with `advisor signoff REPORT_ID`; with
    --publish, the approved summary then goes to one Confluence page for the period.
    """
    from agents.portfolio.report import PortfolioSummary
    from graphs.runner import start_run
    from render.base import file_stem
    from render.portfolio import RENDERERS, render_terminal

    chosen = parse_formats(format)
    target = output_target(output, [f for f in chosen if f != "terminal"],
                           terminal="terminal" in chosen)
    request = build_request(
        projects=projects, epics=epics, period=period, space=space, parent=parent,
        publish=publish, demo=demo, snapshot=snapshot, context=context,
        release_report=release_report)
    ctx = _context(request)
    actor = current_identity()
    state = start_run("portfolio", ctx, request, actor, progress=progress_printer(quiet))
    halt_on_stop(state)
    summary = PortfolioSummary.model_validate(state["report"])
    redactor = ctx.controls.redactor  # the configured one, as for the audit log
    files = target.write(summary, RENDERERS, file_stem(summary.report_id, "portfolio-summary"),
                         redactor=redactor)
    if "terminal" in chosen:
        render_terminal(summary, console, written=files, redactor=redactor,
                        who_decides=who_decides(ctx.controls.roles, "portfolio", actor,
                                                roles_file()))
    else:
        for path in files.values():
            typer.echo(f"wrote {path}")
    if publish and target.directory is not None:
        typer.echo(f"After approval it will be published to Confluence space {space}, "
                      f"under {parent!r}.")


# -- flags ---------------------------------------------------------------------------------


def parse_formats(text: str) -> list[str]:
    return formats(text, FORMATS)


def parse_projects(text: str | None) -> list[str]:
    if not text or not text.strip():
        raise UsageError("--projects is required, e.g. --projects PAY,OPS")
    keys = [p.strip() for p in text.split(",")]
    bad = [k for k in keys if not _PROJECT.match(k)]
    if bad:
        raise UsageError(f"--projects: {bad[0]!r} is not a Jira project key (a letter, "
                              "then letters, digits or underscores; comma-separated)")
    return list(dict.fromkeys(k.upper() for k in keys))


def parse_period(text: str) -> int:
    """Days in ``14d`` or ``2w``; 1 to 365 days."""
    match = _PERIOD.match(text or "")
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1) if match else 0
    if not 1 <= days <= 365:
        raise UsageError(f"--period: expected days or weeks such as 14d or 2w "
                              f"(1 to 365 days), got {text!r}")
    return days


def parse_context(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["none"]:
        return []
    unknown = [n for n in names if n not in CONTEXT_AGENTS]
    if unknown:
        raise UsageError(f"--context: unknown {', '.join(unknown)}; choose from "
                              f"{', '.join(CONTEXT_AGENTS)} or none")
    return list(dict.fromkeys(names))


def build_request(*, projects: str | None, epics: str | None, period: str,
                  space: str | None, parent: str | None, publish: bool, demo: bool,
                  snapshot: Path | None, context: str, release_report: str | None) -> Any:
    """The run request, or one clear ``UsageError`` (nothing is recorded yet)."""
    from graphs.portfolio_summary import PortfolioRequest

    if demo and snapshot:
        raise UsageError("choose one source: --demo, --snapshot FILE, or live Jira")
    source = "demo" if demo else "snapshot" if snapshot else "live"
    if epics is not None and not epics.strip():
        raise UsageError("--epics: empty JQL")
    if epics and source != "live":
        raise UsageError("--epics takes JQL, which only live Jira can run; with --demo "
                              "or --snapshot every epic of the projects is summarised")
    if snapshot:
        _check_snapshot(snapshot)
    return PortfolioRequest(
        source=source, snapshot_file=str(snapshot) if snapshot else None,
        plan_files=demo_plans() if demo else [],
        projects=parse_projects(projects), epics_jql=epics.strip() if epics else None,
        period_days=parse_period(period), agents=parse_context(context),
        release_report=_check_release_report(release_report), publish=publish,
        **_publishing(publish, space, parent))


def _check_snapshot(path: Path) -> None:
    from advisor.settings import load_settings
    from connectors.snapshot import load_snapshot

    existing_file(path, "--snapshot")
    # Refuse a damaged snapshot before anything is recorded.
    load_snapshot(path, load_settings().limits.reading())


def _check_release_report(report_id: str | None) -> str | None:
    if report_id is None:
        return None
    from advisor.commands.common import controls

    record = controls().registry.get(report_id)
    if record.kind != "release":
        raise UsageError(f"--release-report: {report_id} is a {record.kind} report, "
                              "not a release report")
    return report_id


def _publishing(publish: bool, space: str | None, parent: str | None) -> dict[str, Any]:
    if not publish:
        return {"space": space, "parent": parent}
    if not space or not _SPACE.match(space):
        raise UsageError("--publish needs --space KEY (a Confluence space key)")
    if not parent or not parent.strip():
        raise UsageError('--publish needs --parent "Page title" (the parent page)')
    from advisor.scheduling.publishing import publishing_policy
    from connectors.errors import ConnectorError
    from publishers.confluence import publish_settings

    try:
        publish_settings()  # missing credentials: say so now, not after the sign-off
    except ConnectorError as exc:
        raise UsageError(f"--publish: {exc}") from None
    return {"space": space, "parent": parent.strip(),
            "draft_before_signoff": publishing_policy().draft_before_signoff}


def _context(request: Any) -> Any:
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings

    settings = load_settings()
    ctx = graph_context(settings, open_controls(settings))
    if request.source == "demo" and not ctx.demo_snapshot:
        raise UsageError("the demo snapshot is not bundled with this installation")
    return ctx

