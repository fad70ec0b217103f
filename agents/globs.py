"""Path globs, compiled once to regexes, in the two dialects the agents read.

``*``, ``?`` and ``[...]`` stay within one path segment, ``**`` crosses them (Python
3.11's fnmatch lets ``*`` cross ``/``, which would make ``src/*.py`` match
``src/deep/x.py``; hence this small translator). Then:

* ``GlobSet`` (the policy's globs): a pattern without a ``/`` matches the file name at
  any depth, as in .gitignore, so ``*.md`` covers ``docs/a/b.md``;
* ``compile_glob`` (CODEOWNERS, as GitHub documents it): a leading or inner ``/``
  anchors the pattern at the repository root, otherwise it matches at any depth; a
  trailing ``/`` means a directory and everything in it; a last segment without
  wildcards also matches a directory's contents, while ``docs/*`` matches only the
  files directly in ``docs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["GlobSet", "compile_glob"]


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
    """A glob body as a regex: ``**`` crosses directories, ``*``, ``?`` and ``[...]`` do not."""
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
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


class GlobSet:
    """Any-of matching over a fixed set of policy patterns, compiled once into one regex."""

    def __init__(self, patterns: Iterable[str]) -> None:
        parts = [_policy_glob(p) for p in patterns if p.strip()]
        self._regex = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None

    def matches(self, path: str) -> bool:
        if self._regex is None:
            return False
        return self._regex.fullmatch(path.removeprefix("./")) is not None


def _policy_glob(pattern: str) -> str:
    body = pattern.strip().lstrip("/")
    return _translate(body if "/" in body else "**/" + body)
