"""Normalized, immutable GitHub data: what the agents see. No PyGithub type leaks out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

# 2: withheld patches classified, review decision, commits without a PR; 3: who merged a PR
SCHEMA_VERSION = 3

FileStatus = Literal["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]
# Why GitHub sent no patch: a binary file (its marker, or a binary file type with no
# lines counted), a diff over GitHub's size limit (lines counted, diff withheld), or
# no way to tell (no lines counted for a text file type: GitHub does that past a size
# threshold too).
Withheld = Literal["binary", "too_large", "unknown"]
ReviewState = Literal["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Repository(_Frozen):
    full_name: str
    default_branch: str
    html_url: str
    visibility: str  # public, private or internal


class Commit(_Frozen):
    sha: str
    message: str
    author_login: str | None  # None when the author email maps to no GitHub account
    author_name: str | None
    authored_at: datetime | None
    committed_at: datetime | None
    html_url: str


class ChangedFile(_Frozen):
    path: str
    previous_path: str | None
    status: FileStatus
    additions: int
    deletions: int
    patch: str | None  # GitHub omits it for binary files and very large diffs
    patch_truncated: bool  # lines may have changed, and we do not have them
    patch_withheld: Withheld | None = None  # set whenever GitHub sent no patch for a change
    patch_recovered: bool = False  # the patch was rebuilt from the file's contents


class Review(_Frozen):
    id: int
    state: ReviewState
    reviewer: str | None  # None for deleted accounts
    submitted_at: datetime | None  # None while PENDING
    commit_id: str | None


class CheckRun(_Frozen):
    name: str
    status: str
    conclusion: str | None
    app: str | None


class CommitStatus(_Frozen):
    context: str
    state: str
    description: str | None


class PullRequest(_Frozen):
    number: int
    title: str
    body: str | None
    author: str | None
    labels: tuple[str, ...]
    head_ref: str  # the branch
    head_sha: str
    base_ref: str
    merged_at: datetime | None
    merge_commit_sha: str | None
    html_url: str
    created_at: datetime
    additions: int | None  # None when the file list could not be read in full
    deletions: int | None
    changed_files: int | None
    merged_by: str | None = None  # None when not merged, or unknown (see ``missing``)
    files: tuple[ChangedFile, ...] = ()
    reviews: tuple[Review, ...] = ()
    check_runs: tuple[CheckRun, ...] = ()
    statuses: tuple[CommitStatus, ...] = ()
    combined_status: str | None = None
    review_decision: str | None = None  # APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED
    jira_keys: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # parts that could not be read; each has a Gap


class DeploymentStatus(_Frozen):
    state: str
    created_at: datetime
    description: str | None


class Deployment(_Frozen):
    id: int
    environment: str
    sha: str
    ref: str
    created_at: datetime
    creator: str | None
    statuses: tuple[DeploymentStatus, ...] = ()  # newest first, as GitHub lists them
    missing: tuple[str, ...] = ()


class CodeOwnerRule(_Frozen):
    pattern: str
    owners: tuple[str, ...]  # empty: the pattern explicitly has no owner
    line: int


class GitHubRelease(_Frozen):
    schema_version: int = SCHEMA_VERSION
    repository: Repository
    base: str
    head: str
    commits: tuple[Commit, ...] = ()
    # Commits of the range no merged pull request brought in (pushed directly), by SHA;
    # commits whose pull requests could not be looked up are in a gap, not here.
    commits_without_pull_request: tuple[str, ...] = ()
    pull_requests: tuple[PullRequest, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    codeowners_path: str | None = None
    codeowners: tuple[CodeOwnerRule, ...] = ()
