"""Added or changed dependencies of a PR, for OSV and for the findings.

Line-based manifests: the added lines, minus declarations a removed line already had
(a reformatted line is no change). Structured ones: the whole post-change file is
parsed, the pre-change file is rebuilt by reverse-applying the patch, and the
difference of the two is the change. Whatever could not be parsed is said, per file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from agents.security.content import ContentProvider, PostChange, post_change
from agents.security.dependencies.manifests import (
    ECOSYSTEM,
    LINE_BASED,
    Declared,
    ManifestError,
    ManifestKind,
    manifest_kind,
    parse_line,
    parse_manifest,
)
from agents.security.diff import FileDiff, base_from_head, file_diff
from connectors.github.models import PullRequest
from connectors.osv.models import PackageRef

__all__ = [
    "DependencyChange",
    "DependencyScan",
    "dependency_changes",
    "packages_to_query",
    "read_manifest",
]


class DependencyChange(BaseModel):
    """One dependency a PR adds or moves to another version."""

    model_config = ConfigDict(frozen=True)

    pull_request: int
    path: str
    package: PackageRef
    previous_version: str | None = None
    line: int | None = None


@dataclass
class DependencyScan:
    changes: list[DependencyChange] = field(default_factory=list)
    unpinned: list[tuple[str, str]] = field(default_factory=list)  # (path, name): a range
    not_parsed: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, error): malformed

    def extend(self, other: DependencyScan) -> None:
        self.changes += other.changes
        self.unpinned += other.unpinned
        self.not_parsed += other.not_parsed
        self.errors += other.errors


def _ref(kind: ManifestKind, declared: Declared) -> PackageRef:
    assert declared.version is not None
    return PackageRef(ecosystem=ECOSYSTEM[kind], name=declared.name, version=declared.version)


def _line_changes(pr: int, kind: ManifestKind, diff: FileDiff) -> DependencyScan:
    scan = DependencyScan()
    before: dict[str, set[str | None]] = {}
    for line in diff.removed:
        if (old := parse_line(kind, line.text)) is not None:
            before.setdefault(old.name, set()).add(old.version)
    for line in diff.added:
        new = parse_line(kind, line.text)
        if new is None or new.version in before.get(new.name, set()):
            continue
        if new.version is None:
            scan.unpinned.append((diff.path, new.raw_name))
            continue
        previous = sorted(v for v in before.get(new.name, set()) if v)
        scan.changes.append(DependencyChange(pull_request=pr, path=diff.path,
                                             package=_ref(kind, new),
                                             previous_version=previous[-1] if previous else None,
                                             line=line.number))
    if not diff.complete:
        scan.not_parsed.append((diff.path, "GitHub did not send the whole patch; lines it "
                                           "left out were not parsed"))
    return scan


class _Locator:
    """Line of a package in a structured file: its name, then its version below it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line(self, declared: Declared) -> int | None:
        for needle in (f'"{declared.raw_name}"', f'/{declared.raw_name}"', declared.raw_name):
            at = self.text.find(needle)
            if at >= 0:
                break
        else:
            return None
        version = self.text.find(declared.version or "\0", at, at + 4000)
        return bisect_right(self.starts, version if version >= 0 else at)


def _parse(kind: ManifestKind, text: str) -> set[Declared]:
    return set(parse_manifest(kind, text))


def _structured_changes(pr: int, kind: ManifestKind, diff: FileDiff,
                        post: PostChange) -> DependencyScan:
    scan = DependencyScan()
    if post.text is None:
        scan.not_parsed.append((diff.path, post.why or "post-change content not available"))
        return scan
    try:
        head = _parse(kind, post.text)
    except ManifestError as exc:
        scan.errors.append((diff.path, str(exc)))
        return scan
    base_text = "" if diff.status == "added" else base_from_head(post.text, diff)
    if base_text is None:
        scan.not_parsed.append((diff.path, "the pre-change file could not be rebuilt from "
                                           "the patch"))
        return scan
    try:
        base = _parse(kind, base_text) if base_text else set()
    except ManifestError:
        base = set()  # it was broken before: everything in it now counts as new
    before: dict[str, list[str]] = {}
    for old in base:
        before.setdefault(old.name, []).append(old.version or old.spec)
    locate = _Locator(post.text)
    for new in sorted(head - base, key=lambda d: (d.name, d.version or "")):
        if new.version is None:
            scan.unpinned.append((diff.path, new.raw_name))
            continue
        previous = sorted(before.get(new.name, []))
        scan.changes.append(DependencyChange(pull_request=pr, path=diff.path,
                                             package=_ref(kind, new),
                                             previous_version=previous[-1] if previous else None,
                                             line=locate.line(new)))
    return scan


def read_manifest(pr: int, diff: FileDiff, post: PostChange | None) -> DependencyScan:
    """The dependency changes one changed file makes (nothing for non-manifests)."""
    kind = manifest_kind(diff.path)
    if kind is None or diff.status == "removed":
        return DependencyScan()
    if kind in LINE_BASED:
        return _line_changes(pr, kind, diff)
    return _structured_changes(pr, kind, diff, post or PostChange(None, "none"))


def scan_pull(pr: PullRequest, content: ContentProvider | None = None) -> DependencyScan:
    scan = DependencyScan()
    for changed in pr.files:
        kind = manifest_kind(changed.path)
        if kind is None:
            continue
        diff = file_diff(changed)
        post = None if kind in LINE_BASED else post_change(diff, content)
        scan.extend(read_manifest(pr.number, diff, post))
    return scan


def dependency_changes(pull_requests: Iterable[PullRequest],
                       content: ContentProvider | None = None) -> list[DependencyChange]:
    """What the snapshot builder asks OSV about (``packages_to_query``)."""
    return [change for pr in pull_requests for change in scan_pull(pr, content).changes]


def packages_to_query(changes: Sequence[DependencyChange]) -> list[PackageRef]:
    return list(dict.fromkeys(change.package for change in changes))
