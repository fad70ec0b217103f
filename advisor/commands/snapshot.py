"""``advisor snapshot``: fetch the sources once, into one hashed, reproducible file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from advisor.commands.common import console
from advisor.settings import config_file, load_settings
from agents.registry import release_dependency_packages
from connectors.build import build_snapshot, default_factories
from connectors.provenance import SourceProvenance
from connectors.snapshot import SnapshotBody, SnapshotRequest
from governance.errors import GovernanceError


def snapshot(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write (.json, or .json.gz to compress).")
    ],
    repo: Annotated[str | None, typer.Option(help="GitHub repository OWNER/NAME.")] = None,
    base: Annotated[str | None, typer.Option(help="Base ref of the release range.")] = None,
    head: Annotated[str | None, typer.Option(help="Head ref of the release range.")] = None,
    jira_project: Annotated[str | None, typer.Option(help="Jira project key.")] = None,
    fix_version: Annotated[
        str | None, typer.Option(help="Jira fix version of the release.")
    ] = None,
    jql: Annotated[str | None, typer.Option(help="Jira JQL instead of a fix version.")] = None,
    confluence_space: Annotated[str | None, typer.Option(help="Confluence space key.")] = None,
    aws_profile: Annotated[
        str | None, typer.Option(help="AWS profile for CloudWatch (standard credential chain).")
    ] = None,
    aws_region: Annotated[str | None, typer.Option(help="AWS region for CloudWatch.")] = None,
    allow_gaps: Annotated[
        bool, typer.Option("--allow-gaps", help="Write the snapshot even when a requested "
                           "source yielded nothing.")
    ] = False,
) -> None:
    """Fetch GitHub, Jira, Confluence, CloudWatch (and OSV for changed dependencies) into a
    versioned JSON snapshot with a content hash and per-source provenance.

    Credentials come from the environment only: GITHUB_TOKEN (or a GitHub App:
    GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID), GITHUB_API_URL for
    GitHub Enterprise; JIRA_URL with JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT; CONFLUENCE_URL
    with CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN or CONFLUENCE_PAT; the AWS credential chain.
    A source that fails is recorded as a gap; the snapshot never passes missing data off as
    empty data. When a requested source yielded nothing at all, no file is written and the
    exit code is 4, unless --allow-gaps.
    """
    if (base or head) and not (repo and base and head):
        raise GovernanceError("--repo, --base and --head go together")
    request = SnapshotRequest(
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
    if not any([repo, jira_project, confluence_space, aws_profile, aws_region]):
        raise GovernanceError(
            "nothing to fetch: give --repo/--base/--head, --jira-project, "
            "--confluence-space or --aws-profile/--aws-region"
        )
    settings = load_settings()
    factories = default_factories(
        settings.home, config_file("metrics.yaml"), dependency_extractor=release_dependency_packages
    )
    result = build_snapshot(request, factories)
    _print_summary(result.body.provenance)
    nothing = _yielded_nothing(request, result.body)
    if nothing and not allow_gaps:
        Console(stderr=True, highlight=False).print(
            f"advisor: error: {'; '.join(nothing)}; no snapshot written (--allow-gaps writes "
            "it anyway)", markup=False, soft_wrap=True)
        raise typer.Exit(4)
    result.write(output)
    console.print(f"snapshot written to {output} (sha256 {result.content_hash})")


def _yielded_nothing(request: SnapshotRequest, body: SnapshotBody) -> list[str]:
    """Each requested source that is not in the snapshot at all, and why."""
    requested = {"github": bool(request.repo), "jira": bool(request.jira_project),
                 "confluence": bool(request.confluence_space),
                 "cloudwatch": bool(request.aws_profile or request.aws_region)}
    why = {g.source: g.why for g in body.gaps()}
    return [f"{source} yielded nothing ({why.get(source, 'no data')})"
            for source, asked in requested.items() if asked and getattr(body, source) is None]


def _print_summary(provenance: Sequence[SourceProvenance]) -> None:
    table = Table("source", "requests", "retries", "gaps")
    for p in provenance:
        gaps = "; ".join(f"{g.what}: {g.why}" for g in p.gaps) or "none"
        table.add_row(p.source, str(p.requests), str(p.retries), gaps)
    console.print(table)
