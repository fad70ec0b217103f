"""Evidence a human can click: Jira issue URLs, plus metric evidence for team figures.

Evidence names an issue by key, type and status only: summaries and descriptions stay
in Jira. The one free text this agent copies (epic titles) is redacted first.
"""

from __future__ import annotations

from agents.models import Evidence, EvidenceKind
from agents.text import SafeText
from connectors.jira.models import JiraIssue

TITLE_LIMIT = 80


class IssueLinks:
    """Builds issue evidence for one Jira site (URLs only when its address is known)."""

    def __init__(self, jira_base: str | None, clean: SafeText) -> None:
        self.jira_base = jira_base.rstrip("/") if jira_base else None
        self.clean = clean

    def url(self, key: str) -> str | None:
        return f"{self.jira_base}/browse/{key}" if self.jira_base else None

    def issue(self, issue: JiraIssue, detail: str | None = None) -> Evidence:
        facts = f"{issue.issue_type}, {issue.status}"
        return Evidence(kind=EvidenceKind.ISSUE, ref=issue.key, url=self.url(issue.key),
                        detail=f"{facts}; {detail}" if detail else facts)

    def key(self, key: str, detail: str | None = None) -> Evidence:
        """An issue known only by key (a linked issue outside the data, an absent epic)."""
        return Evidence(kind=EvidenceKind.ISSUE, ref=key, url=self.url(key), detail=detail)


def metric(ref: str, detail: str) -> Evidence:
    return Evidence(kind=EvidenceKind.METRIC, ref=ref, detail=detail)
