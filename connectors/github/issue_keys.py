"""Jira issue keys mentioned in a pull request's title, body or branch name."""

from __future__ import annotations

import re

# Uppercase project key, dash, number; not glued to a preceding letter or digit
# ("feature/PAY-12_fix" matches PAY-12, "xPAY-1" does not).
_KEY = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]+-[0-9]+)")

# Identifiers that have the shape of a Jira key but never are one. Dependency-bump
# PRs are full of them (CVE-2024-1234 would otherwise read as issue CVE-2024).
NOT_PROJECTS = frozenset({"CVE", "CWE", "RFC", "ISO", "SHA", "UTF", "TLS"})


def jira_keys(*texts: str | None) -> tuple[str, ...]:
    """Distinct keys in order of first appearance across ``texts``."""
    seen: dict[str, None] = {}
    for text in texts:
        for key in _KEY.findall(text or ""):
            if key.split("-", 1)[0] not in NOT_PROJECTS:
                seen.setdefault(key, None)
    return tuple(seen)
