"""Evidence a human can click: PR URLs, Jira issue URLs, file:line links at the PR's head.

Free text copied into findings (PR titles, Jira summaries) goes through the redactor
first: either can carry names, e-mail addresses or pasted secrets.
"""

from __future__ import annotations

from agents.models import Evidence, EvidenceKind
from agents.text import SafeText
from connectors.github.models import Commit, PullRequest
from connectors.jira.models import JiraIssue

TITLE_LIMIT = 120


class Links:
    """Builds evidence for one repository and one Jira site."""

    def __init__(self, repo: str, repo_url: str | None, jira_base: str | None,
                 clean: SafeText) -> None:
        self.repo = repo
        self.repo_url = repo_url.rstrip("/") if repo_url else None
        self.jira_base = jira_base.rstrip("/") if jira_base else None
        self.clean = clean

    def pr_ref(self, pr: PullRequest) -> str:
        return f"{self.repo}#{pr.number}"

    def pr(self, pr: PullRequest, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.PULL_REQUEST, ref=self.pr_ref(pr), url=pr.html_url,
                        detail=detail or self.clean(pr.title))

    def commit(self, commit: Commit, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.COMMIT, ref=f"{self.repo}@{commit.sha[:12]}",
                        url=commit.html_url,
                        detail=detail or self.clean(commit.message.splitlines()[0]
                                                    if commit.message else ""))

    def issue_url(self, key: str) -> str | None:
        return f"{self.jira_base}/browse/{key}" if self.jira_base else None

    def issue(self, issue: JiraIssue, detail: str | None = None) -> Evidence:
        facts = f"{issue.issue_type}, {issue.status}, priority {issue.priority or 'none'}"
        return Evidence(kind=EvidenceKind.ISSUE, ref=issue.key, url=self.issue_url(issue.key),
                        detail=detail or f"{facts}: {self.clean(issue.summary)}")

    def file(self, pr: PullRequest, path: str, start: int | None = None,
             end: int | None = None, detail: str | None = None) -> Evidence:
        ref = path if start is None else f"{path}:{_span(start, end)}"
        return Evidence(kind=EvidenceKind.FILE, ref=ref, path=path, line=start,
                        url=self._blob(pr, path, start, end), detail=detail)

    def _blob(self, pr: PullRequest, path: str, start: int | None,
              end: int | None) -> str | None:
        if self.repo_url is None:
            return None
        anchor = "" if start is None else f"#L{start}" + (f"-L{end}" if end and end != start
                                                          else "")
        return f"{self.repo_url}/blob/{pr.head_sha}/{path}{anchor}"


def _span(start: int, end: int | None) -> str:
    return str(start) if end is None or end == start else f"{start}-{end}"
