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
from typing import Annotated, Any

import typer
from rich.table import Table

from advisor.commands.common import console
from connectors.github.models import ChangedFile, PullRequest
from governance.errors import GovernanceError
from governance.identity import current_identity

Opt = typer.Option
FORMATS = ("terminal", "md", "json")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REF = re.compile(r"^[A-Za-z0-9_./~^@{}-]+$")


def security_review(
    repo: Annotated[str | None, Opt(help="GitHub repository OWNER/NAME.")] = None,
    pr: Annotated[int | None, Opt("--pr", help="Pull request number.")] = None,
    post: Annotated[bool, Opt("--post", help="Post the summary comment, inline notes and a "
                                              "check run on the PR.")] = False,
    sarif: Annotated[Path | None, Opt("--sarif", help="Also write SARIF 2.1.0 here.")] = None,
    format: Annotated[str, Opt("--format", help="terminal, md or json.")] = "terminal",
    output: Annotated[Path | None, Opt("--output", help="Write md/json here, not stdout.")
                      ] = None,
    diff: Annotated[str | None, Opt("--diff", help="Review a unified diff file ('-': stdin).")
                    ] = None,
    repo_path: Annotated[Path | None, Opt("--repo-path", help="Review a local clone.")] = None,
    base: Annotated[str | None, Opt(help="Local clone: base ref.")] = None,
    head: Annotated[str | None, Opt(help="Local clone: head ref.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Bot config (default config/bot.yaml)."
                                       )] = None,
    quiet: Annotated[bool, Opt("--quiet", help="No progress display.")] = False,
) -> None:
    """Review one pull request for security problems; a named human signs it off.

    Exit code 0 whatever the findings: the review advises, it never approves or blocks.
    """
    from advisor.commands.release import _progress_printer

    request = build_request(repo, pr, post, format, diff, repo_path, base, head, config, sarif)
    state = run_review(request, _progress_printer(quiet))
    finish(state, format, output, sarif)


# -- validating the input (nothing is recorded before this passes) -------------------------


def build_request(repo: str | None, pr: int | None, post: bool, format: str,
                  diff: str | None, repo_path: Path | None, base: str | None,
                  head: str | None, config: Path | None, sarif: Path | None) -> Any:
    from advisor.publish.config import load_bot_config
    from graphs.security_review import SecurityReviewRequest

    if format not in FORMATS:
        raise GovernanceError(f"--format: expected one of {', '.join(FORMATS)}, got {format!r}")
    if repo is not None and not _REPO.match(repo):
        raise GovernanceError(f"--repo: expected OWNER/NAME, got {repo!r}")
    if pr is not None and pr < 1:
        raise GovernanceError(f"--pr: expected a positive number, got {pr}")
    if sarif is not None and sarif.is_dir():
        raise GovernanceError(f"--sarif: {sarif} is a directory; give a file name")
    bot = load_bot_config(config)  # a bad config file fails here, before any run
    common: dict[str, Any] = {"config_file": str(config) if config else None, "post": post}
    source = _source(repo, pr, diff, repo_path, base, head)
    if post and source != "github":
        raise GovernanceError("--post needs a GitHub pull request (--repo and --pr)")
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


def _source(repo: str | None, pr: int | None, diff: str | None, repo_path: Path | None,
            base: str | None, head: str | None) -> str:
    local = repo_path is not None or base is not None or head is not None
    if diff is not None and local:
        raise GovernanceError("choose one source: --diff FILE or --repo-path/--base/--head")
    if diff is not None:
        if (repo is None) != (pr is None):
            raise GovernanceError("with --diff, --repo and --pr only label it: give both or none")
        return "diff"
    if local:
        if not (repo_path and base and head):
            raise GovernanceError("--repo-path, --base and --head go together")
        if pr is not None:
            raise GovernanceError("--pr is for GitHub pull requests, not a local range")
        return "local"
    if not (repo and pr):
        raise GovernanceError("choose a source: --repo OWNER/NAME --pr N, --diff FILE, or "
                              "--repo-path DIR --base REF --head REF")
    return "github"


# -- a unified diff --------------------------------------------------------------------------


def read_diff(where: str) -> str:
    if where == "-":
        return sys.stdin.read()
    path = Path(where)
    if not path.is_file():
        raise GovernanceError(f"--diff: no such file: {where}")
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise GovernanceError(f"--diff: cannot read {where}: {exc.strerror}") from None


def changed_files(text: str, what: str) -> list[ChangedFile]:
    """GitHub-shaped ``ChangedFile``s (hunks only, no headers) from a unified diff."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise GovernanceError(f"{what} is not a valid unified diff: {exc}") from None
    files = [_changed(f) for f in patch]
    if not files:
        raise GovernanceError(f"{what} changes no files (is it a unified diff?)")
    return files


def _changed(patched: Any) -> ChangedFile:
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
        raise GovernanceError(f"git failed: {type(exc).__name__}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise GovernanceError(f"git {args[0]} in {root}: {first}")
    return done.stdout


def _commit(root: Path, ref: str, option: str) -> str:
    if not _REF.match(ref) or ref.startswith("-"):
        raise GovernanceError(f"{option}: not a git ref: {ref!r}")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GovernanceError:
        raise GovernanceError(f"{option}: no commit {ref!r} in {root}") from None


def pull_from_clone(root: Path, base: str, head: str,
                    max_bytes: int) -> tuple[PullRequest, dict[str, str]]:
    """The range ``base...head`` as a PR, plus the head texts the full-file checks read."""
    from graphs.security_review import needs_full_text

    if not root.is_dir():
        raise GovernanceError(f"--repo-path: no such directory: {root}")
    base_sha, head_sha = _commit(root, base, "--base"), _commit(root, head, "--head")
    text = _git(root, "diff", "--no-color", "--no-ext-diff", "--find-renames",
                f"{base_sha}...{head_sha}", "--")
    files = changed_files(text, f"{base}...{head}") if text.strip() else []
    if not files:
        raise GovernanceError(f"{base}...{head} changes no files")
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
        except GovernanceError:
            continue
        return list(parse_codeowners(text))
    return []


# -- running and showing -----------------------------------------------------------------------


def run_review(request: Any, progress: Any) -> dict[str, Any]:
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings
    from graphs.security_review import review_context, start_security_review

    settings = load_settings()
    ctx = review_context(graph_context(settings, open_controls(settings)))
    return dict(start_security_review(ctx, request, current_identity(), progress=progress))


def finish(state: dict[str, Any], format: str, output: Path | None, sarif: Path | None) -> None:
    from advisor.publish.report import SecurityReviewReport
    from advisor.publish.summary import summary_comment

    if state.get("status") in ("halted", "failed"):
        raise GovernanceError(f"run {state.get('status')}: {state.get('halt_reason', 'unknown')}")
    report = SecurityReviewReport.model_validate(state["report"])
    if sarif is not None:
        _write_sarif(report, sarif)
    if format == "terminal":
        render_terminal(report, state.get("posting", {}))
        return
    text = summary_comment(report) if format == "md" else report.model_dump_json(indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def _write_sarif(report: Any, path: Path) -> None:
    import json

    from advisor.sarif import to_sarif

    try:
        path.write_text(json.dumps(to_sarif(report), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise GovernanceError(f"--sarif: cannot write {path}: {exc.strerror}") from None


def render_terminal(report: Any, posting: dict[str, Any]) -> None:
    from advisor.publish.summary import BANNER

    console.print(f"[bold]Security review — {report.subject}[/]  (report {report.report_id})",
                  markup=True)
    console.print(BANNER.removeprefix("> ").replace("**", ""), markup=False)
    table = Table("severity", "category", "finding", "where")
    for finding in report.findings:
        where = next((f"{e.path}:{e.line}" if e.line else e.path
                      for e in finding.evidence if e.path), finding.evidence[0].ref)
        table.add_row(finding.severity.value, finding.category, finding.title, where)
    console.print(table if report.findings else "No findings from the deterministic checks.")
    for item in report.unreviewed:
        console.print(f"not reviewed: {item.path} — {item.why}", markup=False)
    for gap in report.gaps:
        console.print(f"gap: {gap.source}: {gap.what} — {gap.why}", markup=False)
    for notice in [*report.notices, *([posting["notice"]] if posting.get("notice") else [])]:
        console.print(f"notice: {notice}", markup=False)
    if posting.get("summary_url"):
        console.print(f"posted: {posting['summary_url']}", markup=False)
    console.print(f"Pending sign-off: advisor signoff {report.report_id} --approve|--reject "
                  '--comment "why"', markup=False)
