"""The delivery agent's finding types, and the one way its checks create findings.

A finding's ``category`` is its type (``scope-not-done``…); ``GROUPS`` says which of the
four areas it belongs to. Fingerprints come from the type and the subject (issue key or
PR number and path), never from titles, so re-runs keep them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from agents.base import Check
from agents.findings import make_finding
from agents.models import EvidenceKind, Finding, Severity
from agents.rootcause import Key

AGENT = "delivery"

SCOPE_NOT_DONE = "scope-not-done"
DONE_WITHOUT_CODE = "done-without-code"
PR_WITHOUT_ISSUE = "pr-without-issue"
OPEN_HIGH_PRIORITY_BUG = "open-high-priority-bug"
REOPENED_ISSUE = "reopened-issue"
MERGED_WITHOUT_APPROVAL = "merged-without-approval"
FAILING_OR_MISSING_CHECKS = "failing-or-missing-checks"
LATE_MERGE = "late-merge"
LARGE_PR = "large-pr"
UNTESTED_CHANGE = "untested-change"
UNCOVERED_CHANGED_LINES = "uncovered-changed-lines"
HIGH_CHANGE_RISK = "high-change-risk"

GROUPS: dict[str, tuple[str, ...]] = {
    "scope": (
        SCOPE_NOT_DONE,
        DONE_WITHOUT_CODE,
        PR_WITHOUT_ISSUE,
        OPEN_HIGH_PRIORITY_BUG,
        REOPENED_ISSUE,
    ),
    "process": (MERGED_WITHOUT_APPROVAL, FAILING_OR_MISSING_CHECKS, LATE_MERGE, LARGE_PR),
    "test-gaps": (UNTESTED_CHANGE, UNCOVERED_CHANGED_LINES),
    "change-risk": (HIGH_CHANGE_RISK,),
}
KINDS: tuple[str, ...] = tuple(kind for kinds in GROUPS.values() for kind in kinds)

# What each check reads, reports and (worst case, under any policy) can report.
CHECKS: tuple[Check, ...] = (
    Check("scope", ("jira",), (SCOPE_NOT_DONE, OPEN_HIGH_PRIORITY_BUG, REOPENED_ISSUE),
          Severity.CRITICAL),
    Check("traceability", ("github", "jira"), (DONE_WITHOUT_CODE, PR_WITHOUT_ISSUE),
          Severity.MEDIUM),
    Check("process", ("github",), GROUPS["process"], Severity.HIGH),
    Check("test gaps", ("github", "coverage"), GROUPS["test-gaps"], Severity.MEDIUM),
    Check("change risk", ("github", "git", "change-risk-model"), GROUPS["change-risk"],
          Severity.HIGH),
)
# An issue that is open, not done and reopened is one problem: the issue's state.
_ISSUE_STATE = frozenset({SCOPE_NOT_DONE, OPEN_HIGH_PRIORITY_BUG, REOPENED_ISSUE})


def root_keys(finding: Finding) -> Iterator[Key]:
    """Which findings share a cause (agents/rootcause.py): an issue's state."""
    first = finding.evidence[0]
    if finding.category in _ISSUE_STATE and first.kind is EvidenceKind.ISSUE:
        yield ("issue", first.ref)


# Every delivery check creates its findings through this (agents/findings.py).
new_finding = functools.partial(make_finding, AGENT)
