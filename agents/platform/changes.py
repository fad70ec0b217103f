"""The infrastructure files a release's PRs change, with their post-change text if known.

Patch parsing and the content provider are the security agent's (``agents.security.diff``
and ``agents.security.content``): one hunk parser and one "does this clone match the
PR head" rule for the whole advisor. This module is the only place that imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Literal

from agents.security.content import ContentProvider, PostChange, clone_reader, post_change
from agents.security.diff import DiffLine, FileDiff, Hunk, file_diff
from connectors.github.models import PullRequest

__all__ = ["ContentProvider", "DiffLine", "FileDiff", "Hunk", "IacFile", "IacKind",
           "changed_iac", "clone_reader", "kind_of"]

IacKind = Literal["terraform", "tfvars", "values", "yaml"]


@dataclass(frozen=True)
class IacFile:
    pr: PullRequest
    diff: FileDiff
    kind: IacKind
    post: PostChange

    @property
    def path(self) -> str:
        return self.diff.path

    @property
    def removed_file(self) -> bool:
        return self.diff.status == "removed"


def kind_of(path: str, values_files: Sequence[str]) -> IacKind | None:
    name = PurePosixPath(path).name
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith(".tfvars"):
        return "tfvars"
    if not lower.endswith((".yaml", ".yml")):
        return None
    if any(fnmatchcase(name, pattern) for pattern in values_files):
        return "values"
    return "yaml"


def changed_iac(prs: Sequence[PullRequest], repo_path: Path | None, values_files: Sequence[str],
                max_bytes: int) -> list[IacFile]:
    """Every IaC file every PR changes, in PR then file order."""
    content = clone_reader(repo_path, max_bytes=max_bytes) if repo_path else None
    found: list[IacFile] = []
    for pr in prs:
        for changed in pr.files:
            kind = kind_of(changed.path, values_files)
            if kind is None:
                continue
            diff = file_diff(changed)
            post = (PostChange(None, "none", "the file was removed") if diff.status == "removed"
                    else post_change(diff, content, max_bytes=max_bytes))
            found.append(IacFile(pr=pr, diff=diff, kind=kind, post=post))
    return found
