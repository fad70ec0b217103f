"""Per team: throughput trend, bug and tech-debt share; ``throughput-drop``,
``high-bug-share`` and ``high-tech-debt-share``.

Shares are over the items the team resolved in the throughput window: what its delivered
capacity went to. Throughput counts work items (no epics or sub-tasks, per policy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agents.base import Outcome
from agents.models import Confidence, Evidence, Finding, Severity
from agents.portfolio.context import PortfolioContext, project_of
from agents.portfolio.evidence import metric
from agents.portfolio.findings import (
    HIGH_BUG_SHARE,
    HIGH_TECH_DEBT_SHARE,
    THROUGHPUT_DROP,
    new_finding,
    pct,
)
from agents.portfolio.timeline import buckets, done_at, is_done, per_bucket, slope
from agents.portfolio.view import TeamRow
from connectors.jira.models import JiraIssue


@dataclass(frozen=True)
class TeamFacts:
    team: str
    items: tuple[JiraIssue, ...]
    weekly: tuple[int, ...]  # resolved per week, oldest first
    resolved: tuple[JiraIssue, ...]  # resolved in the window, newest first

    @property
    def mean(self) -> float:
        return sum(self.weekly) / len(self.weekly)


def team_facts(ctx: PortfolioContext, epic_teams: Sequence[str]) -> list[TeamFacts]:
    names = set(epic_teams) if ctx.epics_chosen else set(ctx.work_by_team)
    windows = buckets(ctx.as_of, ctx.policy.throughput.weeks, 7)
    start = windows[0][0]
    facts = []
    for team in sorted(names):
        items = ctx.work_by_team.get(team, ())
        done = [
            (when, i)
            for i in items
            if (when := done_at(i)) is not None and start < when <= ctx.as_of
        ]
        weekly = tuple(int(n) for n in per_bucket((w for w, _ in done), windows))
        resolved = tuple(i for _, i in sorted(done, key=lambda p: (p[0], p[1].key), reverse=True))
        facts.append(TeamFacts(team, items, weekly, resolved))
    return facts


def team_row(ctx: PortfolioContext, facts: TeamFacts, late: int) -> TeamRow:
    open_items = [i for i in facts.items if not is_done(i)]
    trend = slope(facts.weekly)
    return TeamRow(
        team=facts.team,
        projects=sorted({project_of(i.key) for i in facts.items}),
        open_items=len(open_items),
        throughput=list(facts.weekly),
        throughput_mean=round(facts.mean, 2),
        throughput_slope=round(trend, 3) if trend is not None else None,
        resolved_in_window=len(facts.resolved),
        bug_share_pct=pct(len(bugs(ctx, facts.resolved)), len(facts.resolved)),
        tech_debt_share_pct=pct(len(tech_debt(ctx, facts.resolved)), len(facts.resolved)),
        late_dependencies=late,
        assignees=_assignees(open_items) if ctx.policy.team.show_assignees else None,
    )


def _assignees(items: Sequence[JiraIssue]) -> dict[str, int]:
    counts = Counter(i.assignee or "unassigned" for i in items)
    return dict(sorted(counts.items()))


def bugs(ctx: PortfolioContext, items: Sequence[JiraIssue]) -> list[JiraIssue]:
    return [i for i in items if i.issue_type.casefold() in ctx.policy.work_mix.bug_types]


def tech_debt(ctx: PortfolioContext, items: Sequence[JiraIssue]) -> list[JiraIssue]:
    mix = ctx.policy.work_mix
    return [
        i
        for i in items
        if i.issue_type.casefold() in mix.tech_debt_types
        or any(label.casefold() in mix.tech_debt_labels for label in i.labels)
    ]


def check_team(ctx: PortfolioContext, facts: TeamFacts) -> Outcome:
    found = [check_throughput(ctx, facts), check_bug_share(ctx, facts), check_tech_debt(ctx, facts)]
    return Outcome(findings=[f for f in found if f is not None])


def check_throughput(ctx: PortfolioContext, facts: TeamFacts) -> Finding | None:
    policy = ctx.policy.throughput
    recent, before = facts.weekly[-policy.recent_weeks :], facts.weekly[: -policy.recent_weeks]
    base = sum(before) / len(before)
    now = sum(recent) / len(recent)
    trend = slope(facts.weekly)
    if base < policy.min_baseline_per_week or base == 0 or trend is None or trend >= 0:
        return None
    drop = 100.0 * (base - now) / base
    if drop < policy.drop_pct:
        return None
    weekly = ", ".join(str(n) for n in facts.weekly)
    evidence: list[Evidence] = [
        metric(
            f"throughput:{facts.team}",
            f"items resolved per week, oldest first: {weekly}; slope {trend:+.2f}/week",
        )
    ]
    evidence += [
        ctx.links.issue(i, f"resolved {done_at(i):%Y-%m-%d}")
        for i in facts.resolved[: ctx.policy.max_evidence - 1]
    ]
    return new_finding(
        THROUGHPUT_DROP,
        (facts.team,),
        severity=Severity.HIGH if drop >= policy.high_drop_pct else Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title=f"Team {facts.team} is delivering {drop:.0f}% less than before",
        explanation=(
            f"Team {facts.team} resolved {now:.1f} item(s) a week over the last "
            f"{len(recent)} week(s), against {base:.1f} in the {len(before)} "
            f"week(s) before (a {drop:.0f}% drop; trend {trend:+.2f} items/week)."
        ),
        evidence=evidence,
        recommendation="Ask the team what changed (absences, interruptions, unplanned work, "
        "blockers) before trusting dates that assume the old pace.",
    )


def check_bug_share(ctx: PortfolioContext, facts: TeamFacts) -> Finding | None:
    mix = ctx.policy.work_mix
    found = bugs(ctx, facts.resolved)
    return _share_finding(
        ctx,
        facts,
        HIGH_BUG_SHARE,
        found,
        mix.bug_share_pct,
        Severity.MEDIUM,
        what="bug fixes",
        recommendation="Look for the source of the defects (a component, missing tests, "
        "rushed releases) and plan for it rather than absorbing it silently.",
    )


def check_tech_debt(ctx: PortfolioContext, facts: TeamFacts) -> Finding | None:
    mix = ctx.policy.work_mix
    found = tech_debt(ctx, facts.resolved)
    return _share_finding(
        ctx,
        facts,
        HIGH_TECH_DEBT_SHARE,
        found,
        mix.tech_debt_share_pct,
        Severity.LOW,
        what="technical debt",
        recommendation="Confirm this share is a deliberate investment, and account for it "
        "in feature commitments and forecasts.",
    )


def _share_finding(
    ctx: PortfolioContext,
    facts: TeamFacts,
    kind: str,
    found: Sequence[JiraIssue],
    threshold: float,
    severity: Severity,
    *,
    what: str,
    recommendation: str,
) -> Finding | None:
    total = len(facts.resolved)
    share = pct(len(found), total)
    if total < ctx.policy.work_mix.min_items or share is None or share < threshold:
        return None
    weeks = ctx.policy.throughput.weeks
    return new_finding(
        kind,
        (facts.team,),
        severity=severity,
        confidence=Confidence.HIGH
        if total >= 2 * ctx.policy.work_mix.min_items
        else Confidence.MEDIUM,
        title=f"{share:.0f}% of team {facts.team}'s delivered work was {what}",
        explanation=(
            f"{len(found)} of the {total} item(s) team {facts.team} resolved in the "
            f"last {weeks} weeks were {what} ({share:.0f}%, threshold "
            f"{threshold:.0f}%)."
        ),
        evidence=[
            ctx.links.issue(i, f"resolved {done_at(i):%Y-%m-%d}")
            for i in found[: ctx.policy.max_evidence]
        ],
        recommendation=recommendation,
    )
