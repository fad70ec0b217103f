"""``advisor snapshot``: fetch the sources once, into one hashed, reproducible file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.commands.common import Column, print_table
from advisor.commands.inputs import one_of, writable_dir
from advisor.errors import SourceFailed, UsageError

if TYPE_CHECKING:
    from connectors.provenance import SourceProvenance
    from connectors.snapshot import SnapshotBody, SnapshotRequest

FORMATS = ("json.gz", "json")
Opt = typer.Option


def snapshot(
    output: Annotated[Path, Opt(
        "-o", "--output", metavar="DIR",
        help="Directory for the file, named SNAPSHOT_HASH.FORMAT (created if missing).")
    ] = Path("."),
    format: Annotated[str, Opt(
        "--format", metavar="FORMAT", help="json.gz (compressed) or json.")] = "json.gz",
    repo: Annotated[str | None, Opt(metavar="OWNER/NAME", help="GitHub repository.")] = None,
    base: Annotated[str | None, Opt(metavar="REF", help="Base ref of the release range.")
                    ] = None,
    head: Annotated[str | None, Opt(metavar="REF", help="Head ref of the release range.")
                    ] = None,
    jira_project: Annotated[str | None, Opt(metavar="KEY", help="Jira project key.")] = None,
    fix_version: Annotated[str | None, Opt(
        metavar="VERSION", help="Jira fix version of the release.")] = None,
    jql: Annotated[str | None, Opt(metavar="JQL", help="Jira JQL instead of a fix version.")
                   ] = None,
    confluence_space: Annotated[str | None, Opt(metavar="KEY", help="Confluence space key.")
                                ] = None,
    aws_profile: Annotated[str | None, Opt(
        metavar="PROFILE", help="AWS profile for CloudWatch (standard credential chain).")
    ] = None,
    aws_region: Annotated[str | None, Opt(metavar="REGION", help="AWS region for CloudWatch.")
                          ] = None,
    allow_gaps: Annotated[bool, Opt(
        "--allow-gaps", help="Write the snapshot even when a requested source yielded "
                             "nothing.")] = False,
) -> None:
    """Fetch GitHub, Jira, Confluence, CloudWatch (and OSV for changed dependencies) into a
    versioned JSON snapshot with a content hash and per-source provenance.

    Credentials come from the environment only: GITHUB_TOKEN (or a GitHub App:
    GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID), GITHUB_API_URL for
    GitHub Enterprise; JIRA_URL with JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT; CONFLUENCE_URL
    with CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN or CONFLUENCE_PAT; the AWS credential chain.
    A source that fails is recorded as a gap; the snapshot never passes missing data off as
    empty data. The file is named by its content hash; the last line says where it is.
    When a requested source yielded nothing at all, no file is written and the exit code
    is 4, unless --allow-gaps.
    """
    from connectors.snapshot import SnapshotRequest

    one_of(format, FORMATS, "--format")
    if (base or head) and not (repo and base and head):
        raise UsageError("--repo, --base and --head go together")
    if not any([repo, jira_project, confluence_space, aws_profile, aws_region]):
        raise UsageError(
            "nothing to fetch: give --repo/--base/--head, --jira-project, "
            "--confluence-space or --aws-profile/--aws-region"
        )
    directory = writable_dir(output, "--output", FORMATS)
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
    _fetch_and_write(request, directory, format, allow_gaps)


def _fetch_and_write(request: SnapshotRequest, directory: Path, format: str,
                     allow_gaps: bool) -> None:
    from advisor.settings import config_file, load_settings
    from agents.registry import release_dependency_packages
    from connectors.build import build_snapshot, default_factories

    settings = load_settings()
    factories = default_factories(
        settings.home, config_file("metrics.yaml"), dependency_extractor=release_dependency_packages
    )
    result = build_snapshot(request, factories)
    _print_summary(result.body.provenance)
    nothing = _yielded_nothing(request, result.body)
    if nothing and not allow_gaps:
        raise SourceFailed(f"{'; '.join(nothing)}; no snapshot written",
                           hint="--allow-gaps writes it anyway")
    path = directory / f"{result.content_hash}.{format}"
    try:
        result.write(path)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {path}")


def _yielded_nothing(request: SnapshotRequest, body: SnapshotBody) -> list[str]:
    """Each requested source that is not in the snapshot at all, and why."""
    requested = {"github": bool(request.repo), "jira": bool(request.jira_project),
                 "confluence": bool(request.confluence_space),
                 "cloudwatch": bool(request.aws_profile or request.aws_region)}
    why = {g.source: g.why for g in body.gaps()}
    return [f"{source} yielded nothing ({why.get(source, 'no data')})"
            for source, asked in requested.items() if asked and getattr(body, source) is None]


def _print_summary(provenance: list[SourceProvenance]) -> None:
    print_table(
        [Column("source", key=True), Column("requests"), Column("retries"), Column("gaps")],
        [[p.source, str(p.requests), str(p.retries),
          "; ".join(f"{g.what}: {g.why}" for g in p.gaps) or "none"] for p in provenance])
