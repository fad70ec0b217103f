"""``advisor release-report``: the pre-release risk report, paused for a human's sign-off."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from advisor.commands.common import console, demo_plans, progress_printer
from advisor.context import graph_context, open_controls
from advisor.settings import load_settings
from connectors.snapshot import SnapshotRequest, load_snapshot
from governance.errors import GovernanceError
from governance.identity import current_identity

SEVERITIES = ("info", "low", "medium", "high", "critical")

Opt = typer.Option


def release_report(
    demo: Annotated[
        bool, Opt("--demo", help="Use the bundled demo organisation (offline).")
    ] = False,
    snapshot: Annotated[Path | None, Opt("--snapshot", help="Analyse a snapshot file.")] = None,
    repo: Annotated[str | None, Opt(help="Live: GitHub repository OWNER/NAME.")] = None,
    base: Annotated[str | None, Opt(help="Live: base ref of the release range.")] = None,
    head: Annotated[str | None, Opt(help="Live: head ref of the release range.")] = None,
    jira_project: Annotated[str | None, Opt(help="Live: Jira project key.")] = None,
    fix_version: Annotated[str | None, Opt(help="Live: Jira fix version.")] = None,
    jql: Annotated[str | None, Opt(help="Live: Jira JQL instead of a fix version.")] = None,
    confluence_space: Annotated[str | None, Opt(help="Live: Confluence space key.")] = None,
    aws_profile: Annotated[str | None, Opt(help="Live: AWS profile for CloudWatch.")] = None,
    aws_region: Annotated[str | None, Opt(help="Live: AWS region for CloudWatch.")] = None,
    repo_path: Annotated[Path | None, Opt(help="Local clone, for history features.")] = None,
    coverage: Annotated[Path | None, Opt(help="Coverage report (Cobertura XML or LCOV).")] = None,
    plan: Annotated[
        list[Path] | None, Opt(help="`terraform show -json` output; repeatable.")
    ] = None,
    agents: Annotated[
        str, Opt(help="Agents to run, comma-separated.")
    ] = "delivery,platform,security",
    format: Annotated[
        str, Opt("--format", help="terminal, md, html, json; comma-separated.")
    ] = "terminal",
    output: Annotated[Path, Opt("--output", help="Directory for md/html/json files.")] = Path("."),
    quiet: Annotated[bool, Opt("--quiet", help="No progress display.")] = False,
    fail_on: Annotated[
        str | None,
        Opt(
            "--fail-on",
            help=f"Exit 1 if a finding reaches this severity ({', '.join(SEVERITIES)}), "
            "or the release cannot be assessed.",
        ),
    ] = None,
    allow_gaps: Annotated[
        bool,
        Opt("--allow-gaps", help="With --fail-on: accept missing data instead of failing on it."),
    ] = False,
) -> None:
    """Build the pre-release risk report and pause it for a named human's sign-off.

    Exit code 0 whatever the risk (the report advises, a human decides), unless --fail-on
    is given: then 1 when a finding reaches that severity, when the verdict is "cannot
    assess", or when a check that could have reported it had no data (unless
    --allow-gaps). Sign off with `advisor signoff REPORT_ID --approve|--reject --comment TEXT`.
    """
    from graphs.requests import RunRequest
    from graphs.runner import start_run
    from render.release import parse_formats, render_terminal, write_reports

    formats = parse_formats(format)
    if fail_on is not None and fail_on not in SEVERITIES:
        raise GovernanceError(
            f"--fail-on: expected one of {', '.join(SEVERITIES)}, got {fail_on!r}"
        )
    live = SnapshotRequest(
        repo=repo,
        base=base,
        head=head,
        jira_project=jira_project,
        fix_version=fix_version,
        jql=jql,
        confluence_space=confluence_space,
        aws_profile=aws_profile,
        aws_region=aws_region,
    )
    request = RunRequest(
        source=_source(demo, snapshot, live),
        snapshot_file=str(snapshot) if snapshot else None,
        live=live if not (demo or snapshot) else None,
        repo_path=_existing_dir(repo_path, "--repo-path"),
        coverage_file=_existing_file(coverage, "--coverage"),
        plan_files=[p for p in (_existing_file(f, "--plan") for f in plan or []) if p]
        or (demo_plans() if demo else []),
        agents=_agents(agents),
    )
    if snapshot:
        load_snapshot(snapshot)  # refuse a damaged snapshot before anything is recorded
    settings = load_settings()
    controls = open_controls(settings)
    ctx = graph_context(settings, controls)
    if demo and not ctx.demo_snapshot:
        raise GovernanceError("the demo snapshot is not bundled with this installation")
    show = progress_printer(quiet)
    state = start_run("release", ctx, request, current_identity(), progress=show)
    _finish(state, formats, output, fail_on, render_terminal, write_reports,
            redactor=controls.redactor, allow_gaps=allow_gaps)


def _source(demo: bool, snapshot: Path | None, live: SnapshotRequest) -> Any:
    asked_live = any(live.model_dump().values())
    chosen = [
        name
        for name, on in (("demo", demo), ("snapshot", snapshot is not None), ("live", asked_live))
        if on
    ]
    if len(chosen) != 1:
        raise GovernanceError(
            "choose one source: --demo, --snapshot FILE, or live options "
            "(--repo/--base/--head, --jira-project, …)"
        )
    if chosen == ["live"] and bool(live.repo) != bool(live.base and live.head):
        raise GovernanceError("--repo, --base and --head go together")
    return chosen[0]


def _existing_file(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise GovernanceError(f"{option}: no such file: {path}")
    return str(path)


def _existing_dir(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    if not path.is_dir():
        raise GovernanceError(f"{option}: no such directory: {path}")
    return str(path)


def _agents(value: str) -> list[str]:
    from agents.registry import AGENT_CLASSES

    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in AGENT_CLASSES]
    if unknown or not names:
        raise GovernanceError(
            f"--agents: unknown {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(AGENT_CLASSES)}"
        )
    return names


def _finish(
    state: Mapping[str, Any],
    formats: list[str],
    output: Path,
    fail_on: str | None,
    render_terminal: Any,
    write_reports: Any,
    *,
    redactor: Any = None,
    allow_gaps: bool = False,
) -> None:
    from agents.aggregate import ReleaseReport, gate_failure
    from agents.models import Severity

    if state.get("status") in ("halted", "failed"):
        raise GovernanceError(f"run {state.get('status')}: {state.get('halt_reason', 'unknown')}")
    report = ReleaseReport.model_validate(state["report"])
    # The redactor the settings configure (phone regions, entropy), as for the audit log.
    files = write_reports(report, [f for f in formats if f != "terminal"], output,
                          redactor=redactor)
    if "terminal" in formats:
        render_terminal(report, console, written=files, redactor=redactor)
    else:
        for path in files.values():
            console.print(f"wrote {path}")
    if fail_on and (why := gate_failure(report, Severity(fail_on), allow_gaps=allow_gaps)):
        Console(stderr=True, highlight=False).print(
            f"advisor: gate --fail-on {fail_on} tripped: {why}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
