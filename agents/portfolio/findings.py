"""The portfolio agent's finding types, and the one way its checks create findings.

Fingerprints come from the type and the subject (epic, team, or issue pair), never from
titles or figures, so re-runs over new data keep them.
"""

from __future__ import annotations

import functools

from agents.base import Check
from agents.findings import make_finding
from agents.models import Severity

AGENT = "portfolio"

EPIC_SLIPPING = "epic-slipping"
SCOPE_CREEP = "scope-creep"
BLOCKED_WORK = "blocked-work"
STALE_WORK = "stale-work"
THROUGHPUT_DROP = "throughput-drop"
HIGH_BUG_SHARE = "high-bug-share"
HIGH_TECH_DEBT_SHARE = "high-tech-debt-share"
LATE_DEPENDENCY = "late-dependency"

GROUPS: dict[str, tuple[str, ...]] = {
    "epic": (EPIC_SLIPPING, SCOPE_CREEP, BLOCKED_WORK, STALE_WORK),
    "team": (THROUGHPUT_DROP, HIGH_BUG_SHARE, HIGH_TECH_DEBT_SHARE, LATE_DEPENDENCY),
}
KINDS: tuple[str, ...] = tuple(kind for kinds in GROUPS.values() for kind in kinds)
# What each check reads, reports and can report at worst.
CHECKS: tuple[Check, ...] = (
    Check("epics", ("jira",), GROUPS["epic"], Severity.HIGH),
    Check("teams", ("jira",), GROUPS["team"], Severity.HIGH),
)


# Every portfolio check creates its findings through this (agents/findings.py).
new_finding = functools.partial(make_finding, AGENT)


def pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
