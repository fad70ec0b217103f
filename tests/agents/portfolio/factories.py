"""Builders for the portfolio agent's tests: issues, epics, weekly history, one run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agents.base import AgentInput
from agents.policy import Policy
from agents.portfolio import PortfolioAgent, PortfolioResult
from connectors.jira.models import IssueLink, JiraIssue, JiraRelease, StatusCategory
from connectors.provenance import SourceProvenance
from connectors.snapshot import SnapshotBody, SnapshotRequest

JIRA_URL = "https://acme.atlassian.net"
AS_OF = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
LONG_AGO = AS_OF - timedelta(days=120)

_CATEGORY: dict[str, StatusCategory] = {
    "To Do": "new", "In Progress": "indeterminate", "Blocked": "indeterminate",
    "Done": "done", "Closed": "done"}


def issue(key: str, *, status: str = "In Progress", epic: str | None = None,
          issue_type: str = "Story", created: datetime = LONG_AGO,
          updated: datetime | None = None, resolved: datetime | None = None,
          points: float | None = None, labels: Sequence[str] = (),
          components: Sequence[str] = (), links: Sequence[IssueLink] = (),
          fix_versions: Sequence[str] = (), assignee: str | None = None,
          summary: str | None = None, description: str = "", **extra: Any) -> JiraIssue:
    category = _CATEGORY.get(status, "indeterminate")
    if category == "done" and resolved is None:
        resolved = AS_OF - timedelta(days=60)
    return JiraIssue(
        key=key, id=key, summary=summary or f"Work {key}",
        issue_type=issue_type, status=status, status_category=category,
        story_points=points, epic_key=epic, labels=list(labels), components=list(components),
        assignee=assignee, created=created, updated=updated or AS_OF - timedelta(days=1),
        resolved=resolved, fix_versions=list(fix_versions), description=description,
        links=list(links), **extra)


def epic(key: str, *, status: str = "In Progress", labels: Sequence[str] = (),
         fix_versions: Sequence[str] = (), created: datetime = LONG_AGO,
         summary: str | None = None) -> JiraIssue:
    return issue(key, status=status, issue_type="Epic", labels=labels, is_epic=True,
                 fix_versions=fix_versions, created=created, summary=summary or f"Epic {key}")


def weekly_done(project: str, counts: Sequence[int], *, start: int = 900,
                epic: str | None = None, issue_type: str = "Story",
                labels: Sequence[str] = (), points: float | None = None,
                components: Sequence[str] = ()) -> list[JiraIssue]:
    """Issues resolved ``counts[i]`` per week, oldest week first, ending at AS_OF."""
    found = []
    n = start
    weeks = len(counts)
    for week, count in enumerate(counts):
        end = AS_OF - timedelta(days=7 * (weeks - week - 1))
        for i in range(count):
            found.append(issue(f"{project}-{n}", status="Done", epic=epic,
                               issue_type=issue_type, labels=labels, points=points,
                               components=components,
                               resolved=end - timedelta(hours=1 + i)))
            n += 1
    return found


def link(key: str, relation: str = "is blocked by", status: str | None = "In Progress"
         ) -> IssueLink:
    return IssueLink(type="Blocks", direction="inward", relation=relation, key=key,
                     project=key.rsplit("-", 1)[0], status=status)


def release(issues: Sequence[JiraIssue], *, project: str = "PAY",
            fix_version: str | None = None, release_date: date | None = None) -> JiraRelease:
    return JiraRelease(project=project, fix_version=fix_version, release_date=release_date,
                       jql=f"project = {project}", issues=list(issues))


def snapshot(issues: Sequence[JiraIssue] = (), *, project: str = "PAY",
             fix_version: str | None = None, release_date: date | None = None,
             url: str | None = JIRA_URL, jira: bool = True) -> SnapshotBody:
    provenance = [SourceProvenance(source="jira", asked={"url": url, "project": project})]
    return SnapshotBody(
        created_at=AS_OF, subject=f"portfolio {project}",
        asked=SnapshotRequest(jira_project=project),
        provenance=provenance if jira else [],
        jira=release(issues, project=project, fix_version=fix_version,
                     release_date=release_date) if jira else None)


def policy(**portfolio: Any) -> Policy:
    return Policy.model_validate({"portfolio": portfolio})


def run(body: SnapshotBody, settings: dict[str, Any] | None = None,
        **agent: Any) -> PortfolioResult:
    agent.setdefault("as_of", AS_OF)
    return PortfolioAgent(**agent).run(AgentInput(snapshot=body), policy(**(settings or {})))


def kinds(result: PortfolioResult) -> list[str]:
    return [f.category for f in result.report.findings]


def of_kind(result: PortfolioResult, kind: str) -> list[Any]:
    return [f for f in result.report.findings if f.category == kind]
