"""``advisor security-review``: one pull request (or diff, or local range) through the
security review, recorded and paused for a named human's sign-off.

Sources: ``--repo OWNER/NAME --pr N`` (GitHub, read-only), ``--diff FILE`` (a unified
diff; ``-`` reads stdin) or ``--repo-path DIR --base REF --head REF`` (a local clone).
Bad input is one line on stderr and exit 2, before anything is recorded.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.commands.common import console, progress_printer
from advisor.commands.inputs import OutputOption, QuietOption, existing_file, formats
from advisor.commands.outputs import OutputTarget, output_target
from advisor.commands.release import halt_on_stop
from advisor.errors import UsageError
from governance.identity import current_identity

if TYPE_CHECKING:
    from connectors.github.models import ChangedFile, PullRequest

Opt = typer.Option
FORMATS = ("terminal", "md", "json", "sarif")
MAX_PR = 2**31 - 1  # GitHub's numbers are 32-bit integers (GraphQL Int)
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REF = re.compile(r"^[A-Za-z0-9_./~^@{}-]+$")


def security_review(
    repo: Annotated[str | None, Opt(metavar="OWNER/NAME", help="GitHub repository.")] = None,
    pr: Annotated[int | None, Opt("--pr", metavar="N", min=1, max=MAX_PR,
                                  help="Pull request number.")] = None,
    post: Annotated[bool, Opt("--post", help="Post the summary comment, inline notes and a "
                                              "check run on the PR.")] = False,
    format: Annotated[str, Opt(
        "--format", metavar="FORMATS", help="terminal, md, json, sarif; comma-separated.")
    ] = "terminal",
    output: OutputOption = Path("."),
    diff: Annotated[str | None, Opt(
        "--diff", metavar="FILE", help="Review a unified diff file ('-': stdin).")] = None,
    repo_path: Annotated[Path | None, Opt(
        "--repo-path", metavar="DIR", help="Review a local clone.")] = None,
    base: Annotated[str | None, Opt(metavar="REF", help="Local clone: base ref.")] = None,
    head: Annotated[str | None, Opt(metavar="REF", help="Local clone: head ref.")] = None,
    config: Annotated[Path | None, Opt(
        "--config", metavar="FILE", help="Bot config (default config/bot.yaml).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Review one pull request for security problems; a named human signs it off.

    Exit code 0 whatever the findings: the review advises, it never approves or blocks.
    Files (md: the summary comment, json: the report, sarif: SARIF 2.1.0) go to --output
    DIR as REPORT_ID.FORMAT.
    """
    chosen = formats(format, FORMATS)
    target = output_target(output, [f for f in chosen if f != "terminal"],
                           terminal="terminal" in chosen)
    request = build_request(repo, pr, post, diff, repo_path, base, head, config)
    state, who = run_review(request, progress_printer(quiet))
    finish(state, chosen, target, who)


# -- validating the input (nothing is recorded before this passes) -------------------------


def build_request(repo: str | None, pr: int | None, post: bool, diff: str | None,
                  repo_path: Path | None, base: str | None, head: str | None,
                  config: Path | None) -> Any:
    from advisor.configuration import load_bot
    from graphs.security_review import SecurityReviewRequest

    if repo is not None and not _REPO.match(repo):
        raise UsageError(f"--repo: expected OWNER/NAME, got {repo!r}")
    existing_file(config, "--config")
    bot = load_bot(config)  # a bad config file fails here, before any run
    common: dict[str, Any] = {"config_file": str(config) if config else None, "post": post}
    source = _source(repo, pr, diff, repo_path, base, head)
    if post and source != "github":
        raise UsageError("--post needs a GitHub pull request (--repo and --pr)")
    if post:
        _check_post_credentials()
    if source == "github":
        return SecurityReviewRequest(source="github", repo=repo, number=pr, **common)
    if source == "diff":
        assert diff is not None
        pull = pull_from_diff(read_diff(diff), repo, pr, diff)
        subject = f"{repo}#{pr}" if repo and pr else f"diff {'stdin' if diff == '-' else diff}"
        return SecurityReviewRequest(source="diff", repo=repo, number=pr, subject=subject,
                                     pull=pull.model_dump(mode="json"),
                                     authors=[current_identity()], **common)
    assert repo_path and base and head
    pull, contents = pull_from_clone(repo_path, base, head, bot.max_content_bytes)
    owners = codeowners_at(repo_path, pull.head_sha)
    return SecurityReviewRequest(source="local", repo=repo, subject=pull.title,
                                 pull=pull.model_dump(mode="json"), contents=contents,
                                 codeowners=[r.model_dump(mode="json") for r in owners],
                                 authors=[current_identity()], **common)


def _check_post_credentials() -> None:
    """--post without a GitHub credential: say so now, not after the review is recorded."""
    import os

    from publishers.github.auth import PublishAuthError, token_from_env

    try:
        token_from_env(os.environ)
    except PublishAuthError as exc:
        raise UsageError(f"--post: {exc}") from None


def _source(repo: str | None, pr: int | None, diff: str | None, repo_path: Path | None,
            base: str | None, head: str | None) -> str:
    local = repo_path is not None or base is not None or head is not None
    if diff is not None and local:
        raise UsageError("choose one source: --diff FILE or --repo-path/--base/--head")
    if diff is not None:
        if (repo is None) != (pr is None):
            raise UsageError("with --diff, --repo and --pr only label it: give both or none")
        return "diff"
    if local:
        if not (repo_path and base and head):
            raise UsageError("--repo-path, --base and --head go together")
        if pr is not None:
            raise UsageError("--pr is for GitHub pull requests, not a local range")
        return "local"
    if not (repo and pr):
        raise UsageError("choose a source: --repo OWNER/NAME --pr N, --diff FILE, or "
                              "--repo-path DIR --base REF --head REF")
    return "github"


# -- a unified diff --------------------------------------------------------------------------


def read_diff(where: str) -> str:
    """The diff text: a regular file (or stdin), never more than ``limits.snapshot_max_bytes``."""
    from advisor.settings import load_settings
    from connectors.limits import read_regular_file

    limits = load_settings().limits.reading()
    if where == "-":
        raw = getattr(sys.stdin, "buffer", None)  # a text stream in tests and embedders
        data = (raw.read(limits.max_bytes + 1) if raw is not None
                else sys.stdin.read(limits.max_bytes + 1).encode("utf-8"))
        if len(data) > limits.max_bytes:
            raise UsageError(f"--diff: stdin holds more than {limits.max_bytes} bytes; "
                                  "refused (limits.snapshot_max_bytes)")
    else:
        data = read_regular_file(Path(where), limits, "--diff")
    return data.decode("utf-8", errors="replace")


def changed_files(text: str, what: str) -> list[ChangedFile]:
    """GitHub-shaped ``ChangedFile``s (hunks only, no headers) from a unified diff."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise UsageError(f"{what} is not a valid unified diff: {exc}") from None
    files = [_changed(f) for f in patch]
    if not files:
        raise UsageError(f"{what} changes no files (is it a unified diff?)")
    return files


def _changed(patched: Any) -> ChangedFile:
    from connectors.github.models import ChangedFile

    status = ("added" if patched.is_added_file else "removed" if patched.is_removed_file
              else "renamed" if patched.is_rename else "modified")
    hunks = "\n".join(str(h).rstrip("\n") for h in patched)
    previous = patched.source_file.removeprefix("a/") if patched.is_rename else None
    # A binary file has no text diff (None); an empty one, or a pure rename, has an empty
    # one: nothing to scan, and nothing missing.
    return ChangedFile(path=patched.path, previous_path=previous, status=status,
                       additions=patched.added, deletions=patched.removed,
                       patch=None if patched.is_binary_file else hunks,
                       patch_truncated=False)


def _pull(files: list[ChangedFile], title: str, number: int | None, author: str,
          head: str = "", head_sha: str = "", base: str = "") -> PullRequest:
    from connectors.github.models import PullRequest

    return PullRequest(
        number=number or 0, title=title, body=None, author=author, labels=(), head_ref=head,
        head_sha=head_sha, base_ref=base, merged_at=None, merge_commit_sha=None, html_url="",
        created_at=datetime.now(UTC), additions=sum(f.additions for f in files),
        deletions=sum(f.deletions for f in files), changed_files=len(files), files=tuple(files))


def pull_from_diff(text: str, repo: str | None, number: int | None, where: str) -> PullRequest:
    what = "stdin" if where == "-" else where
    title = f"{repo}#{number}" if repo and number else f"diff {what}"
    return _pull(changed_files(text, what), title, number, current_identity())


# -- a local clone -----------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"git failed: {type(exc).__name__}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise UsageError(f"git {args[0]} in {root}: {first}")
    return done.stdout


def _commit(root: Path, ref: str, option: str) -> str:
    if not _REF.match(ref) or ref.startswith("-"):
        raise UsageError(f"{option}: not a git ref: {ref!r}")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except UsageError:
        raise UsageError(f"{option}: no commit {ref!r} in {root}") from None


def pull_from_clone(root: Path, base: str, head: str,
                    max_bytes: int) -> tuple[PullRequest, dict[str, str]]:
    """The range ``base...head`` as a PR, plus the head texts the full-file checks read."""
    from graphs.security_review import needs_full_text

    if not root.is_dir():
        raise UsageError(f"--repo-path: no such directory: {root}")
    base_sha, head_sha = _commit(root, base, "--base"), _commit(root, head, "--head")
    text = _git(root, "diff", "--no-color", "--no-ext-diff", "--find-renames",
                f"{base_sha}...{head_sha}", "--")
    files = changed_files(text, f"{base}...{head}") if text.strip() else []
    if not files:
        raise UsageError(f"{base}...{head} changes no files")
    contents: dict[str, str] = {}
    for changed in files:
        if needs_full_text(changed):
            shown = _git(root, "show", f"{head_sha}:{changed.path}")
            if len(shown.encode("utf-8")) <= max_bytes:
                contents[changed.path] = shown
    pull = _pull(files, f"{root.resolve().name} {base}...{head}", None, current_identity(),
                 head=head, head_sha=head_sha, base=base)
    return pull, contents


def codeowners_at(root: Path, commit: str) -> list[Any]:
    """The clone's CODEOWNERS rules at ``commit`` (GitHub's first location that exists)."""
    from connectors.github.codeowners import LOCATIONS, parse_codeowners

    for location in LOCATIONS:
        try:
            text = _git(root, "show", f"{commit}:{location}")
        except UsageError:  # no CODEOWNERS at this location
            continue
        return list(parse_codeowners(text))
    return []


# -- running and showing -----------------------------------------------------------------------


def run_review(request: Any, progress: Any) -> tuple[dict[str, Any], str]:
    """The run's state at the sign-off interrupt, and who may decide the review."""
    from advisor.commands.signing import roles_file, who_decides
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings
    from graphs.runner import start_security_review
    from graphs.security_review import KIND, review_context

    settings = load_settings()
    controls = open_controls(settings)
    ctx = review_context(graph_context(settings, controls))
    actor = current_identity()
    state = dict(start_security_review(ctx, request, actor, progress=progress))
    return state, who_decides(controls.roles, KIND, actor, roles_file())


def finish(state: dict[str, Any], chosen: list[str], target: OutputTarget,
           who: str | None = None) -> None:
    from agents.security.review_report import SecurityReviewReport
    from render.base import file_stem
    from render.review.formats import RENDERERS

    halt_on_stop(state)
    report = SecurityReviewReport.model_validate(state["report"])
    files = target.write(report, RENDERERS, file_stem(report.report_id, "security-review"))
    if "terminal" in chosen:
        render_terminal(report, state.get("posting", {}), who)
    for path in files.values():
        typer.echo(f"wrote {path}")


def render_terminal(report: Any, posting: dict[str, Any], who: str | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    from render.review.comment import BANNER

    # What the diff says (a subject, a title, a path like app/[id]/page.tsx) is shown as
    # text, never read as rich markup.
    console.print(Text.assemble((f"Security review — {report.subject}", "bold"),
                                f"  (report {report.report_id})"))
    typer.echo(BANNER.removeprefix("> ").replace("**", ""))
    table = Table("severity", "category", "finding", "where")
    for finding in report.findings:
        where = next((f"{e.path}:{e.line}" if e.line else e.path
                      for e in finding.evidence if e.path), finding.evidence[0].ref)
        table.add_row(*(Text(cell) for cell in (finding.severity.value, finding.category,
                                                finding.title, where)))
    console.print(table if report.findings else "No findings from the deterministic checks.")
    for item in report.unreviewed:
        typer.echo(f"not reviewed: {item.path} — {item.why}")
    for gap in report.gaps:
        typer.echo(f"gap: {gap.source}: {gap.what} — {gap.why}")
    for notice in [*report.notices, *([posting["notice"]] if posting.get("notice") else [])]:
        typer.echo(f"notice: {notice}")
    if posting.get("summary_url"):
        typer.echo(f"posted: {posting['summary_url']}")
    typer.echo(f"Pending sign-off: advisor signoff {report.report_id} --approve|--reject "
                  '--comment "why"')
    if who:
        typer.echo(who)
