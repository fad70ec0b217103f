"""``advisor release-report``: the pre-release risk report, paused for a human's sign-off.

Every flag, file and the output directory is checked before the run starts; a bad one is
one line and exit code 2, with nothing recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.commands.common import console, demo_plans, progress_printer
from advisor.commands.inputs import (
    OutputOption,
    QuietOption,
    existing_dir,
    existing_file,
    formats,
    one_of,
)
from advisor.commands.outputs import OutputTarget, output_target
from advisor.errors import CommandRefused, GateTripped, SourceFailed, UsageError

if TYPE_CHECKING:
    from connectors.snapshot import SnapshotRequest
    from governance.redact import Redactor

SEVERITIES = ("info", "low", "medium", "high", "critical")
FORMATS = ("terminal", "md", "html", "json")  # render.release.FORMATS
Opt = typer.Option


def release_report(
    demo: Annotated[
        bool, Opt("--demo", help="Use the bundled demo organisation (offline).")
    ] = False,
    snapshot: Annotated[Path | None, Opt(
        "--snapshot", metavar="FILE", help="Analyse a snapshot file.")] = None,
    repo: Annotated[str | None, Opt(
        metavar="OWNER/NAME", help="Live: GitHub repository.")] = None,
    base: Annotated[str | None, Opt(metavar="REF", help="Live: base ref of the release.")] = None,
    head: Annotated[str | None, Opt(metavar="REF", help="Live: head ref of the release.")] = None,
    jira_project: Annotated[str | None, Opt(metavar="KEY", help="Live: Jira project key.")
                            ] = None,
    fix_version: Annotated[str | None, Opt(metavar="VERSION", help="Live: Jira fix version.")
                           ] = None,
    jql: Annotated[str | None, Opt(metavar="JQL", help="Live: Jira JQL instead of a fix "
                                                        "version.")] = None,
    confluence_space: Annotated[str | None, Opt(
        metavar="KEY", help="Live: Confluence space key.")] = None,
    aws_profile: Annotated[str | None, Opt(
        metavar="PROFILE", help="Live: AWS profile for CloudWatch.")] = None,
    aws_region: Annotated[str | None, Opt(
        metavar="REGION", help="Live: AWS region for CloudWatch.")] = None,
    repo_path: Annotated[Path | None, Opt(
        metavar="DIR", help="Local clone, for history features.")] = None,
    coverage: Annotated[Path | None, Opt(
        metavar="FILE", help="Coverage report (Cobertura XML or LCOV).")] = None,
    plan: Annotated[list[Path] | None, Opt(
        metavar="FILE", help="`terraform show -json` output; repeatable.")] = None,
    agents: Annotated[str, Opt(
        metavar="NAMES", help="Agents to run, comma-separated.")] = "delivery,platform,security",
    format: Annotated[str, Opt(
        "--format", metavar="FORMATS", help="terminal, md, html, json; comma-separated.")
    ] = "terminal",
    output: OutputOption = Path("."),
    quiet: QuietOption = False,
    fail_on: Annotated[str | None, Opt(
        "--fail-on", metavar="LEVEL",
        help=f"Exit 1 if a finding reaches this severity ({', '.join(SEVERITIES)}), or the "
             "release cannot be assessed.")] = None,
    allow_gaps: Annotated[bool, Opt(
        "--allow-gaps", help="With --fail-on: accept missing data instead of failing on it.")
    ] = False,
) -> None:
    """Build the pre-release risk report and pause it for a named human's sign-off.

    Exit code 0 whatever the risk (the report advises, a human decides), unless --fail-on
    is given: then 1 when a finding reaches that severity, when the verdict is "cannot
    assess", or when a check that could have reported it had no data (unless
    --allow-gaps). Sign off with `advisor signoff REPORT_ID --approve|--reject --comment TEXT`.
    """
    chosen = formats(format, FORMATS)
    target = output_target(output, [f for f in chosen if f != "terminal"],
                           terminal="terminal" in chosen)
    one_of(fail_on, SEVERITIES, "--fail-on")
    request = _request(demo, snapshot, repo, base, head, jira_project, fix_version, jql,
                       confluence_space, aws_profile, aws_region, repo_path, coverage, plan,
                       agents)
    _run(request, chosen, target, fail_on, quiet, allow_gaps)


def _request(demo: bool, snapshot: Path | None, repo: str | None, base: str | None,
             head: str | None, jira_project: str | None, fix_version: str | None,
             jql: str | None, confluence_space: str | None, aws_profile: str | None,
             aws_region: str | None, repo_path: Path | None, coverage: Path | None,
             plan: list[Path] | None, agents: str) -> Any:
    """The run request, every input checked; nothing is recorded yet."""
    from connectors.snapshot import SnapshotRequest, load_snapshot
    from graphs.requests import RunRequest

    live = SnapshotRequest(repo=repo, base=base, head=head, jira_project=jira_project,
                           fix_version=fix_version, jql=jql, confluence_space=confluence_space,
                           aws_profile=aws_profile, aws_region=aws_region)
    source = _source(demo, snapshot, live)
    if snapshot:
        from advisor.settings import load_settings

        existing_file(snapshot, "--snapshot")
        # A damaged (or oversized) snapshot is refused now, not after recording.
        load_snapshot(snapshot, load_settings().limits.reading())
    plans = [str(existing_file(p, "--plan")) for p in plan or []]
    return RunRequest(
        source=source,
        snapshot_file=str(snapshot) if snapshot else None,
        live=live if source == "live" else None,
        repo_path=_text(existing_dir(repo_path, "--repo-path")),
        coverage_file=_text(existing_file(coverage, "--coverage")),
        plan_files=plans or (demo_plans() if demo else []),
        agents=_agents(agents),
    )


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _run(request: Any, chosen: list[str], target: OutputTarget, fail_on: str | None,
         quiet: bool, allow_gaps: bool) -> None:
    from advisor.commands.signing import roles_file, who_decides
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings
    from governance.identity import current_identity
    from graphs.runner import start_run

    settings = load_settings()
    controls = open_controls(settings)
    ctx = graph_context(settings, controls)
    if request.source == "demo" and not ctx.demo_snapshot:
        raise UsageError("the demo snapshot is not bundled with this installation")
    actor = current_identity()
    state = start_run("release", ctx, request, actor, progress=progress_printer(quiet))
    decides = who_decides(controls.roles, "release", actor, roles_file())
    _finish(state, chosen, target, fail_on, redactor=controls.redactor, who=decides,
            allow_gaps=allow_gaps)


def _source(demo: bool, snapshot: Path | None, live: SnapshotRequest) -> str:
    asked_live = any(live.model_dump().values())
    chosen = [
        name
        for name, on in (("demo", demo), ("snapshot", snapshot is not None), ("live", asked_live))
        if on
    ]
    if len(chosen) != 1:
        raise UsageError(
            "choose one source: --demo, --snapshot FILE, or live options "
            "(--repo/--base/--head, --jira-project, …)"
        )
    if chosen == ["live"] and bool(live.repo) != bool(live.base and live.head):
        raise UsageError("--repo, --base and --head go together")
    return chosen[0]


def _agents(value: str) -> list[str]:
    from agents.registry import AGENT_CLASSES

    return formats(value, list(AGENT_CLASSES), "--agents")


def _finish(state: Mapping[str, Any], chosen: list[str], target: OutputTarget,
            fail_on: str | None, *, redactor: Redactor | None, who: str | None,
            allow_gaps: bool = False) -> None:
    from agents.aggregate import ReleaseReport, gate_failure
    from agents.models import Severity
    from render.base import file_stem
    from render.release import RENDERERS, render_terminal

    halt_on_stop(state)
    report = ReleaseReport.model_validate(state["report"])
    # The redactor the settings configure (phone regions, entropy), as for the audit log.
    files = target.write(report, RENDERERS, file_stem(report.report_id, "report"),
                         redactor=redactor)
    if "terminal" in chosen:
        render_terminal(report, console, written=files, redactor=redactor, who_decides=who)
    else:
        for path in files.values():
            typer.echo(f"wrote {path}")
    if fail_on and (why := gate_failure(report, Severity(fail_on), allow_gaps=allow_gaps)):
        raise GateTripped(f"gate --fail-on {fail_on} tripped: {why} (report "
                          f"{report.report_id})")


def halt_on_stop(state: Mapping[str, Any]) -> None:
    """A run the kill switch stopped is refused (3); one that failed, a failed source (4)."""
    status, reason = state.get("status"), state.get("halt_reason", "no reason recorded")
    if status == "halted":
        raise CommandRefused(f"run halted: {reason}")
    if status == "failed":
        raise SourceFailed(f"run failed: {reason}")
