"""Work that does not flow: ``blocked-work`` and ``stale-work``, one finding per epic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.models import Confidence, Finding, Severity
from agents.portfolio.context import PortfolioContext
from agents.portfolio.epics import EpicFacts
from agents.portfolio.findings import BLOCKED_WORK, STALE_WORK, new_finding, pct
from agents.portfolio.timeline import is_done, last_activity
from connectors.jira.models import IssueLink, JiraIssue


@dataclass(frozen=True)
class Blocked:
    issue: JiraIssue
    reason: str
    certain: bool  # False when the blocker's status is unknown


@dataclass(frozen=True)
class Stale:
    issue: JiraIssue
    idle_days: int


def linked_open(ctx: PortfolioContext, link: IssueLink) -> bool | None:
    """Is the linked issue still open? None when neither the data nor the link says."""
    other = ctx.issues.get(link.key)
    if other is not None:
        return not is_done(other)
    if link.status is None:
        return None
    return link.status.casefold() not in ctx.policy.dependency.done_statuses


def blocked_items(ctx: PortfolioContext, items: Sequence[JiraIssue]) -> list[Blocked]:
    policy = ctx.policy.blocked
    found: list[Blocked] = []
    for issue in items:
        if issue.status.casefold() in policy.statuses:
            found.append(Blocked(issue, f"status {issue.status}", True))
        elif flagged := [lb for lb in issue.labels if lb.casefold() in policy.labels]:
            found.append(Blocked(issue, f"label {flagged[0]}", True))
        elif blocker := _open_blocker(ctx, issue):
            link, state = blocker
            found.append(Blocked(issue, f"{link.relation} {link.key} ({link.status or '?'})",
                                 state is True))
    return found


def _open_blocker(ctx: PortfolioContext, issue: JiraIssue) -> tuple[IssueLink, bool | None] | None:
    relations = ctx.policy.blocked.relations
    candidates = [(link, linked_open(ctx, link)) for link in issue.links
                  if link.relation.casefold() in relations]
    # An open blocker beats one whose status is unknown; a done blocker does not block.
    for wanted in (True, None):
        for link, state in candidates:
            if state is wanted:
                return link, state
    return None


def stale_items(ctx: PortfolioContext, items: Sequence[JiraIssue]) -> list[Stale]:
    policy = ctx.policy.stale
    found: list[Stale] = []
    for issue in items:
        if (issue.status_category or "").casefold() not in policy.categories:
            continue
        idle = (ctx.as_of - last_activity(issue, policy.basis)).days
        if idle >= policy.days:
            found.append(Stale(issue, idle))
    return sorted(found, key=lambda s: (-s.idle_days, s.issue.key))


def check_blocked(ctx: PortfolioContext, facts: EpicFacts,
                  blocked: Sequence[Blocked]) -> Finding | None:
    if not blocked:
        return None
    share = pct(len(blocked), len(facts.open)) or 0.0
    high = share >= ctx.policy.blocked.high_share_pct and len(blocked) > 1
    return new_finding(
        BLOCKED_WORK, (facts.key,),
        severity=Severity.HIGH if high else Severity.MEDIUM,
        confidence=Confidence.HIGH if any(b.certain for b in blocked) else Confidence.MEDIUM,
        title=f"{len(blocked)} item(s) of epic {facts.key} are blocked",
        explanation=(f"{len(blocked)} of {len(facts.open)} open item(s) of epic {facts.key} "
                     f"({share:.0f}%) are blocked by a status, a label or an open blocking "
                     "issue."),
        evidence=[ctx.links.issue(b.issue, b.reason)
                  for b in blocked[: ctx.policy.max_evidence]],
        recommendation="Name an owner for each blocker and a date to clear it; escalate "
                       "blockers held by another team.")


def check_stale(ctx: PortfolioContext, facts: EpicFacts,
                stale: Sequence[Stale]) -> Finding | None:
    if not stale:
        return None
    policy = ctx.policy.stale
    oldest = stale[0].idle_days
    what = "updated" if policy.basis == "update" else "moved status"
    return new_finding(
        STALE_WORK, (facts.key,),
        severity=Severity.MEDIUM if oldest >= policy.medium_days else Severity.LOW,
        confidence=Confidence.HIGH,
        title=f"{len(stale)} item(s) of epic {facts.key} have not moved in {policy.days}+ days",
        explanation=(f"{len(stale)} in-flight item(s) of epic {facts.key} have not been "
                     f"{what} for at least {policy.days} days (longest: {oldest} days)."),
        evidence=[ctx.links.issue(s.issue, f"idle {s.idle_days} days")
                  for s in stale[: ctx.policy.max_evidence]],
        recommendation="Check whether the work is still wanted and who carries it; close or "
                       "re-plan it rather than let it age.")
