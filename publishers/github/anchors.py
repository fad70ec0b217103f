"""Where an inline comment may go: a line on the new side of one of the PR's hunks.

GitHub rejects a whole review (422) when a single comment points outside the diff, so
every anchor is checked here first; findings that fail go into the summary comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agents.models import Finding
from agents.security.diff import file_diff
from connectors.github.models import ChangedFile


class DiffAnchors:
    """New-side line numbers (added or context) each file's hunks show."""

    def __init__(self, files: Iterable[ChangedFile]) -> None:
        self._lines: dict[str, frozenset[int]] = {
            f.path: frozenset(file_diff(f).new_lines) for f in files if f.patch
        }

    def allows(self, path: str | None, line: int | None) -> bool:
        return path is not None and line is not None and line in self._lines.get(path, ())


@dataclass(frozen=True)
class Anchored:
    finding: Finding
    path: str
    line: int


@dataclass(frozen=True)
class Placement:
    inline: list[Anchored]
    moved: list[Finding]  # wanted inline, but no anchor in the diff: shown in the summary


def place(findings: Sequence[Finding], anchors: DiffAnchors) -> Placement:
    """Split findings into those with a valid anchor and those without one."""
    inline: list[Anchored] = []
    moved: list[Finding] = []
    for finding in findings:
        spot = _spot(finding, anchors)
        if spot is None:
            moved.append(finding)
        else:
            inline.append(Anchored(finding, *spot))
    return Placement(inline, moved)


def _spot(finding: Finding, anchors: DiffAnchors) -> tuple[str, int] | None:
    for evidence in finding.evidence:
        if evidence.path is not None and evidence.line is not None \
                and anchors.allows(evidence.path, evidence.line):
            return evidence.path, evidence.line
    return None
