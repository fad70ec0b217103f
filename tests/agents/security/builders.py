"""Real GitHub models with realistic unified-diff patches, built in code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from agents.policy import Policy
from agents.security.critical_paths import CriticalPaths, CriticalPathSpec
from agents.security.policy import SecurityPolicy
from agents.security.review import PullReviewer
from connectors.github.models import (
    ChangedFile,
    CodeOwnerRule,
    Commit,
    GitHubRelease,
    PullRequest,
    Repository,
    Review,
)
from connectors.osv.models import OsvResult
from connectors.snapshot import SnapshotBody, SnapshotRequest

REPO = "acme/pay"
WHEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def new_file_patch(lines: Sequence[str]) -> str:
    """The patch GitHub sends for a new file."""
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join(f"+{line}" for line in lines)


def hunk(old_start: int, new_start: int, rows: Sequence[str]) -> str:
    """One hunk from rows already prefixed with '+', '-' or ' '; counts are computed."""
    old = sum(1 for r in rows if r[:1] in ("-", " "))
    new = sum(1 for r in rows if r[:1] in ("+", " "))
    return f"@@ -{old_start},{old} +{new_start},{new} @@\n" + "\n".join(rows)


def changed(path: str, patch: str | None, status: str = "modified", *,
            truncated: bool = False) -> ChangedFile:
    additions = patch.count("\n+") + patch.startswith("+") if patch else 0
    deletions = patch.count("\n-") if patch else 0
    return ChangedFile(path=path, previous_path=None, status=status,  # type: ignore[arg-type]
                       additions=additions, deletions=deletions, patch=patch,
                       patch_truncated=truncated)


def added(path: str, lines: Sequence[str]) -> ChangedFile:
    return changed(path, new_file_patch(lines), "added")


def review(reviewer: str, state: str = "APPROVED", review_id: int = 1) -> Review:
    return Review(id=review_id, state=state, reviewer=reviewer,  # type: ignore[arg-type]
                  submitted_at=WHEN, commit_id="f" * 40)


def pull(*files: ChangedFile, number: int = 12, title: str = "Add a feature",
         body: str | None = "Implements the feature.", author: str = "mallory",
         reviews: Sequence[Review] = (), missing: tuple[str, ...] = ()) -> PullRequest:
    return PullRequest(
        number=number, title=title, body=body, author=author, labels=(),
        head_ref="feature", head_sha="e" * 40, base_ref="main", merged_at=WHEN,
        merge_commit_sha="d" * 40, html_url=f"https://github.com/{REPO}/pull/{number}",
        created_at=WHEN, additions=None, deletions=None, changed_files=len(files),
        files=tuple(files), reviews=tuple(reviews), missing=missing)


def commit(message: str, sha: str = "c" * 40) -> Commit:
    return Commit(sha=sha, message=message, author_login="mallory", author_name="Mallory",
                  authored_at=WHEN, committed_at=WHEN,
                  html_url=f"https://github.com/{REPO}/commit/{sha}")


def snapshot(*prs: PullRequest, codeowners: Sequence[CodeOwnerRule] = (),
             osv: OsvResult | None = None, commits: Sequence[Commit] = ()) -> SnapshotBody:
    github = GitHubRelease(
        repository=Repository(full_name=REPO, default_branch="main",
                              html_url=f"https://github.com/{REPO}", visibility="private"),
        base="v1.0.0", head="v1.1.0", commits=tuple(commits), pull_requests=tuple(prs),
        codeowners_path=".github/CODEOWNERS" if codeowners else None,
        codeowners=tuple(codeowners))
    return SnapshotBody(subject=f"{REPO} v1.1.0", asked=SnapshotRequest(repo=REPO),
                        github=github, osv=osv)


CRITICAL = CriticalPaths([
    CriticalPathSpec(label="auth", globs=["auth/", "*auth*.py"]),
    CriticalPathSpec(label="payments", globs=["payments/"]),
])


def reviewer(*, content: Callable[[str], str | None] | None = None,
             codeowners: Sequence[CodeOwnerRule] = (), osv: OsvResult | None = None,
             **policy: object) -> PullReviewer:
    return PullReviewer(SecurityPolicy.model_validate(policy), content=content,
                        codeowners=codeowners, osv=osv, critical_paths=CRITICAL, repo=REPO)


def files(mapping: dict[str, str]) -> Callable[[str], str | None]:
    """A content provider over a dict: path -> post-change text."""
    return mapping.get


def policy(**security: object) -> Policy:
    return Policy.model_validate({"security": security})


def categories(findings: Sequence[object]) -> list[str]:
    return sorted(getattr(f, "category") for f in findings)  # noqa: B009
