"""GitHub's per-file patches (``ChangedFile.patch``): hunks, added and removed lines.

GitHub sends only the hunks (``@@ -a,b +c,d @@`` and their lines), no file headers,
so this is a small hunk parser rather than unidiff (which needs ``---/+++`` headers).
Hunk line counts are honoured, so a removed line that reads ``-- x`` stays a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from connectors.github.models import ChangedFile

__all__ = [
    "DiffLine",
    "FileDiff",
    "Hunk",
    "base_from_head",
    "file_diff",
    "mask_lines",
    "parse_patch",
    "render_patch",
]

_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: Literal["+", "-", " "]
    number: int  # new-file line for "+" and " ", old-file line for "-"
    text: str  # without the prefix and the newline


@dataclass(frozen=True)
class Hunk:
    old_start: int
    new_start: int
    lines: tuple[DiffLine, ...]


def _hunk_lines(rows: list[str], start: int, old: int, new: int,
                old_left: int, new_left: int) -> tuple[list[DiffLine], int]:
    """Consume one hunk's rows from ``start``; returns its lines and the next row index."""
    lines: list[DiffLine] = []
    i = start
    while i < len(rows) and (old_left > 0 or new_left > 0):
        row = rows[i]
        i += 1
        prefix, text = row[:1], row[1:].rstrip("\r")
        if prefix == "\\":  # "\ No newline at end of file"
            continue
        if prefix == "+" and new_left > 0:
            lines.append(DiffLine("+", new, text))
            new, new_left = new + 1, new_left - 1
        elif prefix == "-" and old_left > 0:
            lines.append(DiffLine("-", old, text))
            old, old_left = old + 1, old_left - 1
        elif prefix in (" ", "") and old_left > 0 and new_left > 0:
            lines.append(DiffLine(" ", new, text))
            old, new, old_left, new_left = old + 1, new + 1, old_left - 1, new_left - 1
        else:
            i -= 1  # the counts disagree with the rows: stop this hunk here
            break
    return lines, i


def parse_patch(patch: str) -> tuple[Hunk, ...]:
    """Hunks of a patch; text outside hunks (file headers, junk) is skipped."""
    rows = patch.split("\n")
    hunks: list[Hunk] = []
    i = 0
    while i < len(rows):
        match = _HEADER.match(rows[i])
        i += 1
        if not match:
            continue
        old, old_len, new, new_len = (int(g) if g is not None else 1 for g in match.groups())
        lines, i = _hunk_lines(rows, i, old, new, old_len, new_len)
        hunks.append(Hunk(old_start=old, new_start=new, lines=tuple(lines)))
    return tuple(hunks)


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str
    hunks: tuple[Hunk, ...]
    complete: bool  # GitHub sent the whole patch

    @cached_property
    def added(self) -> tuple[DiffLine, ...]:
        return tuple(line for hunk in self.hunks for line in hunk.lines if line.kind == "+")

    @cached_property
    def removed(self) -> tuple[DiffLine, ...]:
        return tuple(line for hunk in self.hunks for line in hunk.lines if line.kind == "-")

    @cached_property
    def added_numbers(self) -> frozenset[int]:
        return frozenset(line.number for line in self.added)

    @cached_property
    def new_lines(self) -> dict[int, str]:
        """Every new-file line the hunks show (context and added), by number."""
        return {line.number: line.text for hunk in self.hunks for line in hunk.lines
                if line.kind != "-"}

    def whole_new_file(self) -> str | None:
        """The file's full text when the patch holds all of it (a new file)."""
        if self.status != "added" or not self.complete or len(self.hunks) != 1:
            return None
        hunk = self.hunks[0]
        if hunk.new_start != 1 or any(line.kind != "+" for line in hunk.lines):
            return None
        return "\n".join(line.text for line in hunk.lines) + "\n" if hunk.lines else ""


def file_diff(changed: ChangedFile) -> FileDiff:
    hunks = parse_patch(changed.patch) if changed.patch else ()
    return FileDiff(path=changed.path, status=changed.status, hunks=hunks,
                    complete=changed.patch is not None and not changed.patch_truncated)


def base_from_head(head: str, diff: FileDiff) -> str | None:
    """The file before the change, from its text after and the patch (reverse-applied).

    None when the head text does not match the patch's context and added lines.
    """
    head_lines = head.splitlines()
    base: list[str] = []
    position = 0  # next head line (0-based) not yet copied
    for hunk in diff.hunks:
        first = hunk.new_start - 1 if hunk.new_start > 0 else 0
        if first < position:
            return None
        base.extend(head_lines[position:first])
        position = first
        for line in hunk.lines:
            if line.kind == "-":
                base.append(line.text)
                continue
            if position >= len(head_lines) or head_lines[position].rstrip("\r") != line.text:
                return None
            if line.kind == " ":
                base.append(head_lines[position])
            position += 1
    base.extend(head_lines[position:])
    return "\n".join(base) + ("\n" if base else "")


def render_patch(diff: FileDiff, replace: dict[int, str] | None = None) -> str:
    """The hunks as a patch again, with new-file lines swapped for ``replace[number]``."""
    swap = replace or {}
    rows: list[str] = []
    for hunk in diff.hunks:
        old = sum(1 for line in hunk.lines if line.kind != "+")
        new = sum(1 for line in hunk.lines if line.kind != "-")
        rows.append(f"@@ -{hunk.old_start},{old} +{hunk.new_start},{new} @@")
        rows += [line.kind + (swap.get(line.number, line.text) if line.kind != "-" else line.text)
                 for line in hunk.lines]
    return "\n".join(rows)


def mask_lines(text: str, replace: dict[int, str]) -> str:
    """``text`` with line ``n`` (1-based) swapped for ``replace[n]``."""
    if not replace:
        return text
    lines = text.split("\n")
    for number, masked in replace.items():
        if 0 < number <= len(lines):
            lines[number - 1] = masked
    return "\n".join(lines)
