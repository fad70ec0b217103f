"""What a unified-diff patch (as GitHub sends per file) says: added lines, touched functions.

Function names come from three places, all deterministic: the context git prints after
a hunk header (``@@ -10,7 +10,8 @@ def refund(self):``), added lines that define
something (``+def``, ``+class``, ``+func``, ``+function``), and an unchanged definition
line in a hunk followed by changed lines before the next definition (its body changed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$")
# Python/JS/Go/… definitions; Go receivers "func (s *S) Name(" are skipped over.
_DEFINITION = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?P<kind>def|class|func|function)\*?\s+"
    r"(?:\([^)]*\)\s*)?(?P<name>[A-Za-z_$][\w$]*)"
)


class Touched(NamedTuple):
    name: str
    kind: str  # "class" or "function"
    line: int  # new-side line of the hunk or the definition


def added_lines(patch: str | None) -> list[int]:
    """New-side line numbers of every added (``+``) line."""
    return [line for is_header, line, _ in _walk(patch) if not is_header]


def touched(patch: str | None) -> list[Touched]:
    """Functions and classes a patch touches, first appearance first, each once."""
    seen: dict[str, Touched] = {}
    enclosing: Touched | None = None  # the last unchanged definition above, in this hunk
    for kind, line, text in _lines(patch):
        found = _DEFINITION.match(text)
        if kind == "context":
            enclosing = _touched(found, line) if found else enclosing
            continue
        if kind == "header":
            enclosing = None
        elif enclosing is not None:  # a changed line in the body of that definition
            seen.setdefault(enclosing.name, enclosing)
        if found:
            item = _touched(found, line)
            seen.setdefault(item.name, item)
    return list(seen.values())


def _touched(found: re.Match[str], line: int) -> Touched:
    kind = "class" if found.group("kind") == "class" else "function"
    return Touched(found.group("name"), kind, line)


def _lines(patch: str | None) -> Iterator[tuple[str, int, str]]:
    """(header|added|removed|context, new-side line, text) for every line of the hunks."""
    new_line = 0
    for raw in (patch or "").splitlines():
        header = _HUNK.match(raw)
        if header:
            new_line = int(header.group(1))
            yield "header", new_line, header.group(2)
        elif new_line == 0:
            continue
        elif raw.startswith("+"):
            yield "added", new_line, raw[1:]
            new_line += 1
        elif raw.startswith("-"):
            yield "removed", new_line, raw[1:]
        elif raw.startswith(" ") or raw == "":
            yield "context", new_line, raw[1:]
            new_line += 1


def ranges(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted line numbers collapsed into inclusive runs: 3,4,5,9 -> (3,5),(9,9)."""
    runs: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def _walk(patch: str | None) -> Iterator[tuple[bool, int, str]]:
    """(is hunk header, new-side line, text): hunk contexts and added lines, in order."""
    new_line = 0  # 0: before the first hunk, where "+++ b/path" is a header, not a line
    for raw in (patch or "").splitlines():
        header = _HUNK.match(raw)
        if header:
            new_line = int(header.group(1))
            yield True, new_line, header.group(2)
        elif new_line == 0:
            continue
        elif raw.startswith("+"):
            yield False, new_line, raw[1:]
            new_line += 1
        elif raw.startswith(" ") or raw == "":
            new_line += 1
        # "-" lines and "\ No newline at end of file" do not move the new side.
