"""Path globs as the policy writes them: ``**`` spans directories, ``*`` and ``?`` do not.

A pattern without a ``/`` matches the file name at any depth (as in .gitignore), so
``*.md`` covers ``docs/a/b.md``. Python 3.11's fnmatch lets ``*`` cross ``/``, which
would make ``src/*.py`` match ``src/deep/x.py``; hence this small translator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _translate(pattern: str) -> str:
    body = pattern.strip().lstrip("/")
    if "/" not in body:
        body = "**/" + body
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
        else:
            out.append(re.escape(body[i]))
            i += 1
    return "".join(out)


class GlobSet:
    """Any-of matching over a fixed set of patterns, compiled once into one regex."""

    def __init__(self, patterns: Iterable[str]) -> None:
        parts = [_translate(p) for p in patterns if p.strip()]
        self._regex = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None

    def matches(self, path: str) -> bool:
        if self._regex is None:
            return False
        return self._regex.fullmatch(path.removeprefix("./")) is not None
