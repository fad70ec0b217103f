"""Replica counts a diff lowers: a removed ``replicas: 3`` and an added ``replicas: 1``.

Read from the hunks, so it works for manifests, Helm values and ``.tf`` alike and needs
no post-change text. Lines pair up within one hunk by key and indentation, and only
when exactly one removed and one added line match: anything else is ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.platform.changes import DiffLine, FileDiff

__all__ = ["ReplicaCut", "replica_cuts"]


@dataclass(frozen=True)
class ReplicaCut:
    key: str
    before: int
    after: int
    line: int  # new-file line of the added value


def _pattern(keys: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"^(\s*(?:-\s+)?)\"?({names})\"?\s*[:=]\s*[\"']?(\d+)[\"']?\s*"
                      rf"(?:#.*|//.*)?$")


def _values(lines: Sequence[DiffLine], kind: str, pattern: re.Pattern[str]
            ) -> dict[tuple[str, int], list[tuple[int, int]]]:
    found: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for line in lines:
        if line.kind == kind and (match := pattern.match(line.text)):
            key = (match.group(2), len(match.group(1)))
            found.setdefault(key, []).append((int(match.group(3)), line.number))
    return found


def replica_cuts(diff: FileDiff, keys: Sequence[str]) -> list[ReplicaCut]:
    pattern = _pattern(keys)
    cuts: list[ReplicaCut] = []
    for hunk in diff.hunks:
        removed = _values(hunk.lines, "-", pattern)
        added = _values(hunk.lines, "+", pattern)
        for slot, olds in removed.items():
            news = added.get(slot, [])
            if len(olds) != 1 or len(news) != 1:
                continue
            (before, _), (after, line) = olds[0], news[0]
            if after < before:
                cuts.append(ReplicaCut(slot[0], before, after, line))
    return cuts
