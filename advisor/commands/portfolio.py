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
from connectors.errors import ConnectorError
from governance.errors import GovernanceError
from governance.identity import current_identity

Opt = typer.Option
_PROJECT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
_PERIOD = re.compile(r"^\s*(\d{1,3})\s*([dw])\s*$", re.IGNORECASE)
_SPACE = re.compile(r"^~?[A-Za-z0-9_-]{1,255}$")
CONTEXT_AGENTS = ("delivery", "platform", "security")


def portfolio_summary(
    projects: Annotated[
        str | None, Opt("--projects", help="Jira project keys, comma-separated.")] = None,
    epics: Annotated[
        str | None, Opt("--epics", help="Live: JQL choosing the epics (default: all).")] = None,
    period: Annotated[str, Opt("--period", help="The period, e.g. 14d or 2w.")] = "14d",
    space: Annotated[str | None, Opt("--space", help="Confluence space key to publish in.")
                     ] = None,
    parent: Annotated[str | None, Opt("--parent", help="Title of the parent page.")] = None,
    publish: Annotated[bool, Opt(
        "--publish", help="Publish to Confluence once a portfolio approver approves.")] = False,
    format: Annotated[
        str, Opt("--format", help="terminal, md, html, json; comma-separated.")] = "terminal",
    output: Annotated[Path, Opt("--output", help="Directory for md/html/json files.")
                      ] = Path("."),
    demo: Annotated[bool, Opt("--demo", help="Use the bundled demo organisation.")] = False,
    snapshot: Annotated[Path | None, Opt("--snapshot", help="Use a saved snapshot.")] = None,
    context: Annotated[str, Opt(
        "--context", help="Agents giving context: delivery, platform, security or none.")
    ] = "delivery,platform",
    release_report: Annotated[str | None, Opt(
        "--release-report", help="A recorded release report whose findings add context.")
    ] = None,
    quiet: Annotated[bool, Opt("--quiet", help="No progress display.")] = False,
) -> None:
    """Summarise epics and teams over a period and pause for a portfolio approver.

    Exit code 0 whatever the findings. Sign off with `advisor signoff REPORT_ID`; with
    --publish, the approved summary then goes to one Confluence page for the period.
    """
    from agents.portfolio.report import PortfolioSummary
    from graphs.runner import start_run
    from render.portfolio import render_terminal
    from render.portfolio import write_portfolio_reports as write

    formats = parse_formats(format)
    request = build_request(
        projects=projects, epics=epics, period=period, space=space, parent=parent,
        publish=publish, demo=demo, snapshot=snapshot, context=context,
        release_report=release_report)
    ctx = _context(request)
    state = start_run("portfolio", ctx, request, current_identity(),
                      progress=progress_printer(quiet))
    if state.get("status") in ("halted", "failed"):
        raise GovernanceError(f"run {state['status']}: {state.get('halt_reason', 'unknown')}")
    summary = PortfolioSummary.model_validate(state["report"])
    redactor = ctx.controls.redactor  # the configured one, as for the audit log
    files = write(summary, [f for f in formats if f != "terminal"], output, redactor=redactor)
    if "terminal" in formats:
        render_terminal(summary, console, written=files, redactor=redactor)
    else:
        for path in files.values():
            console.print(f"wrote {path}")
    if publish:
        console.print(f"After approval it will be published to Confluence space {space}, "
                      f"under {parent!r}.", markup=False)


# -- flags ---------------------------------------------------------------------------------


def parse_formats(text: str) -> list[str]:
    from render.portfolio import FORMATS

    names = list(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise GovernanceError(f"--format: unknown {', '.join(unknown) or '(none given)'}; "
                              f"choose from {', '.join(FORMATS)}")
    return names


def parse_projects(text: str | None) -> list[str]:
    if not text or not text.strip():
        raise GovernanceError("--projects is required, e.g. --projects PAY,OPS")
    keys = [p.strip() for p in text.split(",")]
    bad = [k for k in keys if not _PROJECT.match(k)]
    if bad:
        raise GovernanceError(f"--projects: {bad[0]!r} is not a Jira project key (a letter, "
                              "then letters, digits or underscores; comma-separated)")
    return list(dict.fromkeys(k.upper() for k in keys))


def parse_period(text: str) -> int:
    """Days in ``14d`` or ``2w``; 1 to 365 days."""
    match = _PERIOD.match(text or "")
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1) if match else 0
    if not 1 <= days <= 365:
        raise GovernanceError(f"--period: expected days or weeks such as 14d or 2w "
                              f"(1 to 365 days), got {text!r}")
    return days


def parse_context(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["none"]:
        return []
    unknown = [n for n in names if n not in CONTEXT_AGENTS]
    if unknown:
        raise GovernanceError(f"--context: unknown {', '.join(unknown)}; choose from "
                              f"{', '.join(CONTEXT_AGENTS)} or none")
    return list(dict.fromkeys(names))


def build_request(*, projects: str | None, epics: str | None, period: str,
                  space: str | None, parent: str | None, publish: bool, demo: bool,
                  snapshot: Path | None, context: str, release_report: str | None) -> Any:
    """The run request, or one clear ``GovernanceError`` (nothing is recorded yet)."""
    from graphs.portfolio_summary import PortfolioRequest

    if demo and snapshot:
        raise GovernanceError("choose one source: --demo, --snapshot FILE, or live Jira")
    source = "demo" if demo else "snapshot" if snapshot else "live"
    if epics is not None and not epics.strip():
        raise GovernanceError("--epics: empty JQL")
    if epics and source != "live":
        raise GovernanceError("--epics takes JQL, which only live Jira can run; with --demo "
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

    # Refuse a damaged snapshot before anything is recorded.
    load_snapshot(path, load_settings().limits.reading())


def _check_release_report(report_id: str | None) -> str | None:
    if report_id is None:
        return None
    from advisor.commands.common import controls

    record = controls().registry.get(report_id)
    if record.kind != "release":
        raise GovernanceError(f"--release-report: {report_id} is a {record.kind} report, "
                              "not a release report")
    return report_id


def _publishing(publish: bool, space: str | None, parent: str | None) -> dict[str, Any]:
    if not publish:
        return {"space": space, "parent": parent}
    if not space or not _SPACE.match(space):
        raise GovernanceError("--publish needs --space KEY (a Confluence space key)")
    if not parent or not parent.strip():
        raise GovernanceError('--publish needs --parent "Page title" (the parent page)')
    from advisor.scheduling.publishing import publishing_policy
    from publishers.confluence import publish_settings

    try:
        publish_settings()  # missing credentials: say so now, not after the sign-off
    except ConnectorError as exc:
        raise GovernanceError(f"--publish: {exc}") from None
    return {"space": space, "parent": parent.strip(),
            "draft_before_signoff": publishing_policy().draft_before_signoff}


def _context(request: Any) -> Any:
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings

    settings = load_settings()
    ctx = graph_context(settings, open_controls(settings))
    if request.source == "demo" and not ctx.demo_snapshot:
        raise GovernanceError("the demo snapshot is not bundled with this installation")
    return ctx

