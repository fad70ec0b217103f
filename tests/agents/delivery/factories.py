"""Minimal real-model builders for the delivery agent's tests: one PR, one issue, one run."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.base import AgentInput
from agents.change_risk import ChangeRiskModel
from agents.delivery import DeliveryAgent
from agents.models import AgentReport, Finding
from agents.policy import Policy
from connectors.github.models import (
    ChangedFile,
    CheckRun,
    Commit,
    CommitStatus,
    FileStatus,
    GitHubRelease,
    PullRequest,
    Repository,
    Review,
    ReviewState,
)
from connectors.jira.models import JiraIssue, JiraRelease, RemoteLink, StatusCategory
from connectors.provenance import Gap, SourceProvenance
from connectors.snapshot import SnapshotBody, SnapshotRequest
from tests.configs import change_risk_model

REPO = "acme/pay"
JIRA_URL = "https://acme.atlassian.net"
RELEASE_DATE = date(2024, 6, 10)
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # comfortably before the release date


@functools.lru_cache(maxsize=1)
def model() -> ChangeRiskModel:
    return change_risk_model()


def changed(path: str, additions: int = 10, deletions: int = 0, *, patch: str | None = None,
            status: FileStatus = "modified") -> ChangedFile:
    if patch is None and additions:
        patch = f"@@ -1,0 +1,{additions} @@\n" + "".join(
            f"+line {n}\n" for n in range(1, additions + 1))
    return ChangedFile(path=path, previous_path=None, status=status,
                       additions=additions, deletions=deletions, patch=patch,
                       patch_truncated=False)


def review(reviewer: str | None, state: ReviewState, minutes: int = 0,
           review_id: int = 1) -> Review:
    return Review(id=review_id, state=state,
                  reviewer=reviewer, submitted_at=T0 + timedelta(minutes=minutes),
                  commit_id="h" * 40)


def passing_check(name: str = "ci/test") -> CheckRun:
    return CheckRun(name=name, status="completed", conclusion="success", app="github-actions")


def pr(number: int = 1, *, title: str = "PAY-1 Add refunds", author: str = "alice",
       keys: Sequence[str] | None = None, files: Sequence[ChangedFile] | None = None,
       reviews: Sequence[Review] | None = None, checks: Sequence[CheckRun] | None = None,
       statuses: Sequence[CommitStatus] = (), combined: str | None = None,
       labels: Sequence[str] = (), merged_at: datetime | None = T0,
       missing: Sequence[str] = (), **counts: Any) -> PullRequest:
    files = list(files) if files is not None else [changed("pay/refund.py", 10),
                                                   changed("tests/test_refund.py", 10)]
    return PullRequest(
        number=number, title=title, body=None, author=author, labels=tuple(labels),
        head_ref=f"feature/{number}", head_sha=f"{number:040x}", base_ref="main",
        merged_at=merged_at, merge_commit_sha=None,
        html_url=f"https://github.com/{REPO}/pull/{number}", created_at=T0 - timedelta(days=3),
        additions=counts.get("additions", sum(f.additions for f in files)),
        deletions=counts.get("deletions", sum(f.deletions for f in files)),
        changed_files=counts.get("changed_files", len(files)),
        files=tuple(files),
        reviews=tuple(reviews if reviews is not None else [review("bob", "APPROVED")]),
        check_runs=tuple(checks if checks is not None else [passing_check()]),
        statuses=tuple(statuses), combined_status=combined,
        jira_keys=tuple(keys if keys is not None else ["PAY-1"]),
        missing=tuple(missing),
    )


def issue(key: str = "PAY-1", *, issue_type: str = "Story", status: str = "Done",
          category: StatusCategory | None = "done", priority: str | None = "Medium",
          resolution: str | None = "Done", reopen_count: int = 0,
          remote_links: Sequence[RemoteLink] | None = (),
          summary: str = "Refunds") -> JiraIssue:
    return JiraIssue(
        key=key, id=key.split("-")[1], summary=summary, issue_type=issue_type, status=status,
        status_category=category,
        priority=priority, resolution=resolution, created=T0 - timedelta(days=30),
        updated=T0, fix_versions=["1.4"], reopen_count=reopen_count,
        remote_links=list(remote_links) if remote_links is not None else None,
    )


def snapshot(prs: Sequence[PullRequest] | None = None, issues: Sequence[JiraIssue] | None = None,
             *, github: bool = True, jira: bool = True, release_date: date | None = RELEASE_DATE,
             commits: Sequence[Commit] = (), jira_gaps: Sequence[Gap] = (),
             jira_asked: dict[str, Any] | None = None) -> SnapshotBody:
    provenance = []
    release = None
    if github:
        provenance.append(SourceProvenance(source="github"))
        release = GitHubRelease(
            repository=Repository(full_name=REPO, default_branch="main",
                                  html_url=f"https://github.com/{REPO}", visibility="private"),
            base="v1.3", head="v1.4", commits=tuple(commits),
            pull_requests=tuple(prs if prs is not None else [pr()]))
    jira_release = None
    if jira:
        asked = {"url": JIRA_URL} if jira_asked is None else jira_asked
        provenance.append(SourceProvenance(source="jira", asked=asked, gaps=list(jira_gaps)))
        jira_release = JiraRelease(project="PAY", fix_version="1.4", release_date=release_date,
                                   jql="project = PAY AND fixVersion = 1.4",
                                   issues=list(issues if issues is not None else [issue()]))
    return SnapshotBody(subject=f"{REPO} 1.4", asked=SnapshotRequest(repo=REPO),
                        provenance=provenance, github=release, jira=jira_release)


def run(body: SnapshotBody, delivery: dict[str, Any] | None = None, *,
        repo_path: Path | None = None, coverage_file: Path | None = None) -> AgentReport:
    policy = Policy.model_validate({"delivery": delivery or {}})
    inputs = AgentInput(snapshot=body, repo_path=repo_path, coverage_file=coverage_file)
    return DeliveryAgent(model=model()).analyse(inputs, policy)


def of(report: AgentReport, category: str) -> list[Finding]:
    return [f for f in report.findings if f.category == category]
