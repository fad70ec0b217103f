"""Per epic, the facts every epic check reads: its work items, done and open, its team."""

from __future__ import annotations

from dataclasses import dataclass

from agents.portfolio.context import PortfolioContext, most_common, project_of
from agents.portfolio.timeline import is_done
from connectors.jira.models import JiraIssue


@dataclass(frozen=True)
class EpicFacts:
    key: str
    epic: JiraIssue | None  # None when only its children are in the data
    items: tuple[JiraIssue, ...]  # work items (no sub-tasks or epics, per policy)
    team: str

    @property
    def done(self) -> tuple[JiraIssue, ...]:
        return tuple(i for i in self.items if is_done(i))

    @property
    def open(self) -> tuple[JiraIssue, ...]:
        return tuple(i for i in self.items if not is_done(i))

    @property
    def title(self) -> str:
        return self.epic.summary if self.epic else ""


def epic_facts(ctx: PortfolioContext, key: str) -> EpicFacts:
    epic = ctx.issues.get(key)
    items = tuple(i for i in ctx.children(key) if ctx.is_work_item(i))
    # The team doing most of the epic's work forecasts it; the epic's own team otherwise.
    team = most_common(ctx.team_of(i) for i in items) or (
        ctx.team_of(epic) if epic else project_of(key))
    return EpicFacts(key, epic, items, team)


def points(issues: tuple[JiraIssue, ...]) -> float:
    return sum(i.story_points or 0.0 for i in issues)
