"""Risks other agents found in releases that touch an epic: findings naming its issues."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from agents.models import Finding

_KEY = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")


def named_keys(finding: Finding) -> set[str]:
    """Issue keys a finding's evidence names (in its ref or its URL)."""
    keys: set[str] = set()
    for evidence in finding.evidence:
        keys.update(_KEY.findall(evidence.ref))
        if evidence.url:
            keys.update(_KEY.findall(evidence.url))
    return keys


def linked_risks(findings: Sequence[Finding], keys: Iterable[str]) -> list[Finding]:
    wanted = set(keys)
    linked = [f for f in findings if named_keys(f) & wanted]
    return sorted(linked, key=lambda f: (-f.severity.rank, f.fingerprint))
