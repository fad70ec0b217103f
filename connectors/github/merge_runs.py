"""Several pull requests' patches from one compare, where that is provably the same data.

GitHub has no bulk endpoint for patches: ``GET /pulls/{n}/files`` costs a request per
PR, most of a release read. But on the release's first-parent line (the main branch's
own history), a run of consecutive PR merges whose PRs change disjoint files is one
``GET /compare/{before}...{last}``: each file appears once, with the change its one PR
brought in. The runs are planned from data the read has anyway: the compare's parents
(the line), each commit's merged PR (``associatedPullRequests``: a squash or merge
commit belongs to its PR, so do a rebase merge's commits) and each PR's changed paths
(GraphQL ``files``). A PR's files are taken from the run's answer only when every file
its own listing names is there exactly once with the same change type and line counts,
none is withheld, and no rename in the run involves another of the run's PRs; any
other PR is read through ``/pulls/{n}/files``, as is every PR off the line (merged into
another branch first), with more than one run of commits, or with more than 100 files.

A patch from the run is the change as merged: when the base branch moved between a
PR's merge base and its merge, hunk positions refer to the merged file, not to the
PR's head (the added and removed lines are the same; the counts check that).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from connectors.github.models import FileStatus
from connectors.github.wire import FileEntry

MAX_RUN_FILES = 300  # a compare lists at most this many files (GitHub's REST docs)
# GraphQL's PatchStatus, spelled as REST's diff-entry status.
STATUS: dict[str, FileStatus] = {
    "ADDED": "added", "DELETED": "removed", "MODIFIED": "modified", "RENAMED": "renamed",
    "COPIED": "copied", "CHANGED": "changed"}


@dataclass(frozen=True)
class ListedFile:
    """One file as a PR's own listing (GraphQL ``PullRequestChangedFile``) counts it."""

    path: str
    status: FileStatus
    additions: int
    deletions: int


@dataclass(frozen=True)
class Run:
    """Consecutive merges on the first-parent line: ``start...end`` holds their changes."""

    start: str
    end: str
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class _Segment:
    number: int
    start: str | None  # the line's commit before the PR's first; None at a root commit
    end: str


def first_parent_line(parents: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The range's first-parent line, oldest first: from its tip (the one commit no other
    commit of the range has as a parent) down first parents while they are in the range.
    None when the range has no single tip (it was not read in full)."""
    children = {p for ps in parents.values() for p in ps}
    tips = [sha for sha in parents if sha not in children]
    if len(tips) != 1:
        return None
    line: list[str] = []
    seen: set[str] = set()
    current: str | None = tips[0]
    while current is not None and current in parents and current not in seen:
        line.append(current)
        seen.add(current)
        firsts = parents[current]
        current = firsts[0] if firsts else None
    line.reverse()
    return line


def plan(
    line: Sequence[str],
    parents: Mapping[str, Sequence[str]],
    merged_of: Mapping[str, tuple[int, ...]],
    files_of: Mapping[int, Sequence[ListedFile] | None],
    *,
    max_files: int = MAX_RUN_FILES,
) -> list[Run]:
    """Runs of at least two PRs (one PR alone is one request either way).

    ``merged_of``: each commit's merged PRs of this repository (a commit GitHub could not
    answer for is absent); ``files_of``: each PR's own listing, None when not complete.
    """
    segments = _segments(line, parents, merged_of)
    spans = Counter(s.number for s in segments if s is not None)
    runs: list[Run] = []
    current: list[_Segment] = []
    paths: set[str] = set()

    def close() -> None:
        if len(current) > 1 and current[0].start is not None:
            runs.append(Run(current[0].start, current[-1].end, tuple(s.number for s in current)))
        current.clear()
        paths.clear()

    for segment in segments:
        listed = files_of.get(segment.number) if segment is not None else None
        if segment is None or listed is None or spans[segment.number] > 1 \
                or segment.start is None:
            close()
            continue
        mine = {f.path for f in listed}
        if len(mine) > max_files:
            close()
            continue
        if mine & paths or len(paths) + len(mine) > max_files:
            close()
        current.append(segment)
        paths.update(mine)
    close()
    return runs


def _segments(line: Sequence[str], parents: Mapping[str, Sequence[str]],
              merged_of: Mapping[str, tuple[int, ...]]) -> list[_Segment | None]:
    """Each PR's consecutive commits on the line; None for a commit of no single PR."""
    first = parents.get(line[0], ()) if line else ()
    before: str | None = first[0] if first else None
    segments: list[_Segment | None] = []
    index = 0
    while index < len(line):
        owners = merged_of.get(line[index])
        if owners is None or len(owners) != 1:
            segments.append(None)
            before, index = line[index], index + 1
            continue
        last = index
        while last + 1 < len(line) and merged_of.get(line[last + 1]) == owners:
            last += 1
        segments.append(_Segment(owners[0], before, line[last]))
        before, index = line[last], last + 1
    return segments


def verified(run: Run, entries: Sequence[FileEntry],
             files_of: Mapping[int, Sequence[ListedFile] | None]) -> dict[int, list[FileEntry]]:
    """Each PR of the run whose own listing the compare's files match exactly, with its
    entries in the compare's order; the others are left out."""
    by_path: dict[str, list[FileEntry]] = {}
    for entry in entries:
        by_path.setdefault(entry.file.path, []).append(entry)
    order = {id(e): i for i, e in enumerate(entries)}
    listings = {n: list(files_of.get(n) or ()) for n in run.numbers}
    accepted: dict[int, list[FileEntry]] = {}
    for number, listed in listings.items():
        others = {f.path for n, fs in listings.items() if n != number for f in fs}
        mine = [_match(f, by_path.get(f.path, []), others) for f in listed]
        kept = [e for e in mine if e is not None]
        if len(kept) == len(mine):
            accepted[number] = sorted(kept, key=lambda e: order[id(e)])
    return accepted


def _match(listed: ListedFile, found: list[FileEntry], others: set[str]) -> FileEntry | None:
    if len(found) != 1:
        return None
    entry = found[0]
    file = entry.file
    same = (file.status, file.additions, file.deletions) == (
        listed.status, listed.additions, listed.deletions)
    if not same or file.patch_truncated or (file.previous_path or "") in others:
        return None
    return entry
