"""The portfolio, indexed once: issues by key, epics and their children, teams, release dates.

Jira data for a portfolio may span several projects: the snapshot's release plus any
extra ``JiraRelease``s, de-duplicated by issue key (the snapshot's copy wins).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agents.models import Finding
from agents.portfolio.evidence import TITLE_LIMIT, IssueLinks
from agents.portfolio.policy import PortfolioPolicy
from agents.portfolio.timeline import as_utc
from agents.text import SafeText
from connectors.jira.models import JiraIssue, JiraRelease
from connectors.snapshot import SnapshotBody
from governance.redact import Redactor


class ScopeChange(BaseModel):
    """One epic-link change from a changelog: an issue moved into or out of an epic."""

    model_config = ConfigDict(frozen=True)

    epic_key: str
    issue_key: str
    change: Literal["added", "removed"]
    at: datetime


@dataclass(frozen=True)
class Request:
    """What the caller asked for, beyond the snapshot and the policy."""

    as_of: datetime | None = None
    period_days: int | None = None
    releases: tuple[JiraRelease, ...] = ()
    release_risks: tuple[Finding, ...] = ()
    scope_changes: tuple[ScopeChange, ...] | None = None  # None: no changelog was given
    projects: tuple[str, ...] | None = None
    epics: tuple[str, ...] | None = None
    jira_base_url: str | None = None


@dataclass(frozen=True)
class PortfolioContext:
    policy: PortfolioPolicy
    subject: str
    as_of: datetime
    period_start: datetime
    projects: tuple[str, ...]
    issues: Mapping[str, JiraIssue]  # everything known, any project
    in_scope: tuple[JiraIssue, ...]  # issues of the selected projects (epics included)
    work_by_team: Mapping[str, tuple[JiraIssue, ...]]  # in-scope work items per team
    epics: Mapping[str, tuple[str, ...]]  # selected epic -> child keys
    epics_chosen: bool  # the portfolio is a set of epics, not whole projects
    release_dates: Mapping[tuple[str, str], date]  # (project, fix version) -> release date
    links: IssueLinks
    release_risks: tuple[Finding, ...]
    scope_changes: tuple[ScopeChange, ...] | None

    @property
    def clean(self) -> SafeText:
        return self.links.clean

    def is_work_item(self, issue: JiraIssue) -> bool:
        return is_work_item(issue, self.policy)

    def children(self, epic: str) -> list[JiraIssue]:
        return [self.issues[k] for k in self.epics.get(epic, ()) if k in self.issues]

    def team_of(self, issue: JiraIssue) -> str:
        return team_of(issue, self.policy)

    def release_date(self, issue: JiraIssue) -> date | None:
        """The latest release date among the issue's fix versions (it ships with the last)."""
        found = [d for v in issue.fix_versions
                 if (d := self.release_dates.get((project_of(issue.key), v))) is not None]
        return max(found) if found else None


def project_of(key: str) -> str:
    return key.rsplit("-", 1)[0]


def is_work_item(issue: JiraIssue, policy: PortfolioPolicy) -> bool:
    """Work that counts: no epics, no sub-tasks (they would count their story twice)."""
    return not issue.is_epic and issue.issue_type.casefold() not in policy.excluded_types


def team_of(issue: JiraIssue, policy: PortfolioPolicy) -> str:
    """The team per ``team.by``; the project key whenever that names nothing."""
    team = policy.team
    if team.by == "component" and issue.components:
        return issue.components[0]
    if team.by == "label":
        prefix = team.label_prefix.casefold()
        for label in issue.labels:
            if label.casefold().startswith(prefix) and len(label) > len(prefix):
                return label[len(prefix):]
    if team.by == "field" and team.field:
        value = getattr(issue, team.field, None)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value:
            return value
    return project_of(issue.key)


def build_context(snapshot: SnapshotBody, policy: PortfolioPolicy, request: Request,
                  redactor: Redactor) -> PortfolioContext:
    releases = [r for r in (snapshot.jira, *request.releases) if r is not None]
    issues = _issues_by_key(releases)
    as_of = as_utc(request.as_of or snapshot.created_at)
    days = request.period_days or policy.period_days
    projects = tuple(p.upper() for p in request.projects) if request.projects else policy.projects
    chosen = tuple(e.upper() for e in request.epics) if request.epics else policy.epics
    selected = [i for i in issues.values() if not projects or project_of(i.key) in projects]
    work = [i for i in selected if is_work_item(i, policy)]
    epics = _epics(releases, issues, selected, chosen, projects)
    return PortfolioContext(
        policy=policy,
        subject=_subject(projects, chosen, selected),
        as_of=as_of,
        period_start=as_of - timedelta(days=days),
        projects=projects or tuple(sorted({project_of(i.key) for i in selected})),
        issues=issues,
        in_scope=tuple(selected),
        work_by_team=_by_team(work, policy),
        epics=epics,
        epics_chosen=bool(chosen),
        release_dates=_release_dates(releases),
        links=IssueLinks(_jira_base(snapshot, policy, request),
                         SafeText(redactor, TITLE_LIMIT, one_line=True)),
        release_risks=request.release_risks,
        scope_changes=request.scope_changes,
    )


def _by_team(work: Iterable[JiraIssue], policy: PortfolioPolicy
             ) -> dict[str, tuple[JiraIssue, ...]]:
    teams: dict[str, list[JiraIssue]] = defaultdict(list)
    for issue in work:
        teams[team_of(issue, policy)].append(issue)
    return {team: tuple(items) for team, items in teams.items()}


def _issues_by_key(releases: Sequence[JiraRelease]) -> dict[str, JiraIssue]:
    issues: dict[str, JiraIssue] = {}
    for release in releases:
        for issue in release.issues:
            issues.setdefault(issue.key, issue)
    return issues


def _epics(releases: Sequence[JiraRelease], issues: Mapping[str, JiraIssue],
           selected: Iterable[JiraIssue], chosen: tuple[str, ...],
           projects: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    children: dict[str, set[str]] = defaultdict(set)
    for issue in issues.values():
        if issue.is_epic:
            children.setdefault(issue.key, set())  # an epic without children is still one
        if issue.epic_key:
            children[issue.epic_key].add(issue.key)
    for release in releases:
        for epic, keys in release.epics.items():
            children[epic].update(k for k in keys if k in issues)
    selected_keys = {i.key for i in selected}
    keep = set(chosen) if chosen else {
        epic for epic, keys in children.items()
        if not projects or project_of(epic) in projects or keys & selected_keys}
    return {epic: tuple(sorted(children.get(epic, set()) - {epic}, key=_key_order))
            for epic in sorted(keep, key=_key_order)}


def _key_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)


def _release_dates(releases: Sequence[JiraRelease]) -> dict[tuple[str, str], date]:
    return {(r.project.upper(), r.fix_version): r.release_date for r in releases
            if r.fix_version and r.release_date is not None}


def _jira_base(snapshot: SnapshotBody, policy: PortfolioPolicy, request: Request) -> str | None:
    provenance = snapshot.provenance_of("jira")
    asked = provenance.asked.get("url") if provenance else None
    if isinstance(asked, str) and asked:
        return asked
    return request.jira_base_url or policy.jira_base_url


def _subject(projects: tuple[str, ...], epics: tuple[str, ...],
             selected: Sequence[JiraIssue]) -> str:
    if epics:
        return "portfolio of epics " + ", ".join(epics)
    names = projects or tuple(sorted({project_of(i.key) for i in selected}))
    return "portfolio " + (", ".join(names) if names else "(no Jira data)")


def most_common(values: Iterable[str]) -> str | None:
    """The most frequent value; ties go to the alphabetically first, for stable output."""
    counts = Counter(values)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))
