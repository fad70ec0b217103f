"""Target dates: from a configured field, else a label such as ``target-2024-06-30``,
else the issue's Jira due date, else the end of the open sprint it is planned in, else
the release date of the fix version the work ships in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from agents.portfolio.context import PortfolioContext
from agents.portfolio.policy import TargetPolicy
from connectors.jira.models import JiraIssue
from connectors.provenance import Gap


@dataclass(frozen=True)
class Target:
    day: date
    source: str  # e.g. "label target-2024-06-30", "fix version 1.4 (PAY)"


def epic_target(ctx: PortfolioContext, epic_key: str) -> Target | None:
    """The epic's own target; else the latest release date its children ship in."""
    epic = ctx.issues.get(epic_key)
    own = own_target(ctx, epic) if epic is not None else None
    if own is not None or not ctx.policy.target.use_fix_version:
        return own
    dated = [(d, c) for c in ctx.children(epic_key) if (d := ctx.release_date(c)) is not None]
    if not dated:
        return None
    day, child = max(dated, key=lambda pair: (pair[0], pair[1].key))
    return Target(day, f"fix version of {child.key} ({', '.join(child.fix_versions)})")


def issue_target(ctx: PortfolioContext, issue: JiraIssue) -> Target | None:
    """An issue's own target, else its epic's (work is due when its epic is)."""
    own = own_target(ctx, issue)
    if own is not None or not issue.epic_key:
        return own
    return epic_target(ctx, issue.epic_key)


def own_target(ctx: PortfolioContext, issue: JiraIssue) -> Target | None:
    policy = ctx.policy.target
    found = (_from_field(issue, policy) or _from_label(issue, policy)
             or _from_due_date(issue, policy) or _from_sprint(issue, policy))
    if found is None and policy.use_fix_version:
        day = ctx.release_date(issue)
        if day is not None:
            found = Target(day, f"fix version {', '.join(issue.fix_versions)}")
    return found


def field_gap(policy: TargetPolicy) -> Gap | None:
    """A configured target field the normalized Jira issue does not carry."""
    if policy.field and policy.field not in JiraIssue.model_fields:
        return Gap(source="jira", what=f"target field {policy.field}",
                   why="not carried by the normalized snapshot; labels and fix versions "
                       "were used instead")
    return None


def _from_field(issue: JiraIssue, policy: TargetPolicy) -> Target | None:
    if not policy.field:
        return None
    value = getattr(issue, policy.field, None)
    day = _as_date(value)
    return Target(day, f"field {policy.field}") if day else None


def _from_label(issue: JiraIssue, policy: TargetPolicy) -> Target | None:
    pattern = re.compile(policy.label_pattern, re.IGNORECASE)
    for label in sorted(issue.labels):
        match = pattern.match(label)
        if match and (day := _as_date(match.group(1))) is not None:
            return Target(day, f"label {label}")
    return None


def _from_due_date(issue: JiraIssue, policy: TargetPolicy) -> Target | None:
    if not policy.use_due_date or issue.due_date is None:
        return None
    return Target(issue.due_date, "due date")


def _from_sprint(issue: JiraIssue, policy: TargetPolicy) -> Target | None:
    """The end of the sprint the work is planned in now: the active one, else the next.

    A closed sprint the work was carried out of says nothing about when it is due.
    """
    if not policy.use_sprint:
        return None
    open_sprints = [s for s in issue.sprints if s.state in ("active", "future") and s.end]
    if not open_sprints:
        return None
    sprint = min(open_sprints, key=lambda s: (s.state != "active", s.end))
    assert sprint.end is not None
    return Target(sprint.end.date(), f"end of sprint {sprint.name}")


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
