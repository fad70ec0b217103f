"""Scope change per epic in the period, and ``scope-creep``.

Added: work items of the epic created in the period, plus items an epic-link changelog
(``ScopeChange``) says were moved in. Removed: only a changelog can say; without one the
count is unknown (None) and a gap says so, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agents.models import Confidence, Finding, Severity
from agents.portfolio.context import PortfolioContext
from agents.portfolio.epics import EpicFacts
from agents.portfolio.findings import SCOPE_CREEP, new_finding, pct
from agents.portfolio.timeline import as_utc
from connectors.provenance import Gap


@dataclass(frozen=True)
class ScopeDelta:
    added: tuple[str, ...]
    removed: tuple[str, ...] | None
    at_start: int  # the epic's item count when the period began

    @property
    def change_pct(self) -> float | None:
        return pct(len(self.added), self.at_start)


def scope_delta(ctx: PortfolioContext, facts: EpicFacts) -> ScopeDelta:
    current = {i.key for i in facts.items}
    created = {i.key for i in facts.items if _in_period(ctx, as_utc(i.created))}
    moved_in: set[str] = set()
    removed: set[str] | None = None
    if ctx.scope_changes is not None:
        events = [c for c in ctx.scope_changes
                  if c.epic_key == facts.key and _in_period(ctx, as_utc(c.at))]
        moved_in = {c.issue_key for c in events if c.change == "added"}
        removed = {c.issue_key for c in events if c.change == "removed"} - current
    added = created | (moved_in & current)
    at_start = len(current) - len(added) + len(removed or ())
    return ScopeDelta(tuple(sorted(added)), tuple(sorted(removed)) if removed is not None
                      else None, at_start)


def removals_gap(ctx: PortfolioContext) -> Gap | None:
    if ctx.scope_changes is not None or not ctx.epics:
        return None
    return Gap(source="jira", what="epic-link changelog",
               why="no epic-link history was given: items moved into an epic count only "
                   "when created in the period, and removals are unknown")


def check_scope_creep(ctx: PortfolioContext, facts: EpicFacts,
                      delta: ScopeDelta) -> Finding | None:
    policy = ctx.policy.scope
    change = delta.change_pct
    epic_new = facts.epic is not None and _in_period(ctx, as_utc(facts.epic.created))
    if (change is None or epic_new or len(delta.added) < policy.min_added
            or change < policy.creep_pct):
        return None
    severity = Severity.HIGH if change >= policy.high_creep_pct else Severity.MEDIUM
    by_key = {i.key: i for i in facts.items}
    evidence = [ctx.links.issue(by_key[k], "added in the period")
                for k in delta.added[: ctx.policy.max_evidence]]
    removed = "" if delta.removed is None else f", {len(delta.removed)} removed"
    return new_finding(
        SCOPE_CREEP, (facts.key,), severity=severity,
        confidence=Confidence.HIGH if ctx.scope_changes is not None else Confidence.MEDIUM,
        title=f"Scope of epic {facts.key} grew {change:.0f}% in {_days(ctx)} days",
        explanation=(f"{len(delta.added)} item(s) were added to epic {facts.key} in the "
                     f"period{removed}, against {delta.at_start} at its start "
                     f"({change:.0f}%, threshold {policy.creep_pct:.0f}%)."),
        evidence=evidence,
        recommendation="Agree whether the added work belongs in this epic's target, and "
                       "re-plan the date or move items out.")


def _in_period(ctx: PortfolioContext, when: datetime) -> bool:
    return ctx.period_start < when <= ctx.as_of


def _days(ctx: PortfolioContext) -> int:
    return (ctx.as_of - ctx.period_start).days
