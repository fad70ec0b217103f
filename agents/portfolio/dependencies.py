"""``late-dependency``: open work of another team that ours waits for, due too late.

A dependency is a link from one of our open work items whose relation is in
``dependency.relations`` (``is blocked by``, ``depends on``) to an issue of another team.
It is late when the other side is not done and either its target is after ours, or our
target is within ``near_release_days`` (or already past) while it is still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from agents.models import Confidence, Evidence, Finding, Severity
from agents.portfolio.context import PortfolioContext, project_of
from agents.portfolio.findings import LATE_DEPENDENCY, new_finding
from agents.portfolio.flow import linked_open
from agents.portfolio.targets import Target, issue_target
from agents.portfolio.timeline import is_done
from connectors.jira.models import IssueLink, JiraIssue


@dataclass(frozen=True)
class LateDependency:
    team: str  # the team that waits
    finding: Finding


def check_dependencies(ctx: PortfolioContext) -> list[LateDependency]:
    relations = ctx.policy.dependency.relations
    found: list[LateDependency] = []
    for issue in _candidates(ctx):
        if is_done(issue) or not ctx.is_work_item(issue):
            continue
        for link in issue.links:
            if link.relation.casefold() in relations:
                late = _late(ctx, issue, link)
                if late is not None:
                    found.append(LateDependency(ctx.team_of(issue), late))
    return found


def _candidates(ctx: PortfolioContext) -> list[JiraIssue]:
    """Our work: the chosen epics' items, or everything in the selected projects."""
    if ctx.epics_chosen:
        return [i for epic in ctx.epics for i in ctx.children(epic)]
    return list(ctx.in_scope)


def _late(ctx: PortfolioContext, issue: JiraIssue, link: IssueLink) -> Finding | None:
    other = ctx.issues.get(link.key)
    team, their_team = ctx.team_of(issue), (ctx.team_of(other) if other
                                            else project_of(link.key))
    state = linked_open(ctx, link)
    if their_team == team or state is False:
        return None
    ours = issue_target(ctx, issue)
    if ours is None:
        return None
    theirs = issue_target(ctx, other) if other is not None else None
    today = ctx.as_of.date()
    later = theirs is not None and theirs.day > ours.day
    near = today >= ours.day - timedelta(days=ctx.policy.dependency.near_release_days)
    if not (later or near):
        return None
    return new_finding(
        LATE_DEPENDENCY, (issue.key, link.key),
        severity=Severity.HIGH if later or ours.day < today else Severity.MEDIUM,
        confidence=(Confidence.HIGH if other is not None
                    else Confidence.MEDIUM if state is True else Confidence.LOW),
        title=f"{issue.key} ({team}) waits on {link.key} of team {their_team}",
        explanation=_explain(issue, link, their_team, ours, theirs, today),
        evidence=[ctx.links.issue(issue, f"our target {ours.day:%Y-%m-%d} from {ours.source}"),
                  _their_evidence(ctx, link, other, theirs)],
        recommendation=f"Agree a date with team {their_team} for {link.key}, or plan "
                       f"{issue.key} without it.")


def _explain(issue: JiraIssue, link: IssueLink, their_team: str, ours: Target,
             theirs: Target | None, today: date) -> str:
    head = (f"{issue.key} {link.relation} {link.key} (team {their_team}, status "
            f"{link.status or 'unknown'}), which is not done.")
    if theirs is not None and theirs.day > ours.day:
        return (f"{head} Its target {theirs.day:%Y-%m-%d} is after ours "
                f"({ours.day:%Y-%m-%d}).")
    when = "passed" if ours.day < today else "is near"
    return f"{head} Our target {ours.day:%Y-%m-%d} {when} and it is still open."


def _their_evidence(ctx: PortfolioContext, link: IssueLink, other: JiraIssue | None,
                    theirs: Target | None) -> Evidence:
    detail = (f"their target {theirs.day:%Y-%m-%d} from {theirs.source}" if theirs
              else "no target known")
    if other is not None:
        return ctx.links.issue(other, detail)
    return ctx.links.key(link.key, f"{link.status or 'status unknown'}; {detail}")
