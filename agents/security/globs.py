"""CODEOWNERS / gitignore-style path patterns, compiled once to regexes.

Rules as GitHub documents them for CODEOWNERS: a leading or inner ``/`` anchors the
pattern at the repository root, otherwise it matches at any depth; a trailing ``/``
means a directory and everything in it; ``*`` stays within one path segment, ``**``
crosses them; a last segment without wildcards also matches a directory's contents,
while ``docs/*`` matches only the files directly in ``docs``.
"""

from __future__ import annotations

import re

__all__ = ["compile_glob"]


def _class(body: str, i: int) -> tuple[str, int]:
    """A ``[...]`` character class starting at ``i``, or a literal ``[``."""
    end = body.find("]", i + 2 if body[i + 1:i + 2] in ("!", "^") else i + 1)
    if end < 0:
        return re.escape("["), i + 1
    inner = body[i + 1:end]
    if inner[:1] == "!":
        inner = "^" + inner[1:]
    return "[" + inner.replace("\\", "\\\\") + "]", end + 1


def _translate(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[":
            piece, i = _class(body, i)
            out.append(piece)
        else:
            out.append(re.escape(body[i]))
            i += 1
    return "".join(out)


def compile_glob(pattern: str) -> re.Pattern[str]:
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    last = body.rsplit("/", 1)[-1]
    if directory:
        suffix = "/.*"
    elif any(c in last for c in "*?["):
        suffix = ""
    else:
        suffix = "(?:/.*)?"
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + _translate(body) + suffix + r"\Z")
