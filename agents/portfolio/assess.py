"""One epic, assessed: its row in the table and its findings.

Progress, scope change, blocked and stale items, linked release risks, target, forecast,
and the four epic finding types, each from its own module.
"""

from __future__ import annotations

from collections.abc import Mapping

from agents.base import Outcome
from agents.models import Finding
from agents.portfolio.context import PortfolioContext, project_of
from agents.portfolio.epics import EpicFacts, points
from agents.portfolio.findings import pct
from agents.portfolio.flow import blocked_items, check_blocked, check_stale, stale_items
from agents.portfolio.risks import linked_risks
from agents.portfolio.scope import check_scope_creep, scope_delta
from agents.portfolio.slipping import check_slipping, forecast_epic, is_slipping
from agents.portfolio.targets import epic_target
from agents.portfolio.view import EpicRow

MAX_RISK_FINGERPRINTS = 10


def assess_epic(
    ctx: PortfolioContext, facts: EpicFacts, open_epics: Mapping[str, int]
) -> tuple[EpicRow, Outcome]:
    delta = scope_delta(ctx, facts)
    blocked = blocked_items(ctx, facts.open)
    stale = stale_items(ctx, facts.open)
    risks = linked_risks(ctx.release_risks, (facts.key, *ctx.epics.get(facts.key, ())))
    target = epic_target(ctx, facts.key)
    predicted = forecast_epic(ctx, facts, open_epics)
    found = [
        check_scope_creep(ctx, facts, delta),
        check_blocked(ctx, facts, blocked),
        check_stale(ctx, facts, stale),
        check_slipping(ctx, facts, target, predicted.forecast),
    ]
    estimated = [i for i in facts.items if i.story_points is not None]
    done_keys = {i.key for i in facts.done}
    row = EpicRow(
        key=facts.key,
        url=ctx.links.url(facts.key),
        title=ctx.clean(facts.title),
        project=project_of(facts.key),
        team=facts.team,
        status=facts.epic.status if facts.epic else None,
        items_total=len(facts.items),
        items_done=len(facts.done),
        points_total=points(tuple(estimated)) if estimated else None,
        points_done=points(tuple(i for i in estimated if i.key in done_keys))
        if estimated
        else None,
        unestimated_items=len(facts.items) - len(estimated),
        progress_pct=pct(len(facts.done), len(facts.items)),
        added_in_period=len(delta.added),
        removed_in_period=len(delta.removed) if delta.removed is not None else None,
        scope_change_pct=delta.change_pct,
        blocked_items=len(blocked),
        stale_items=len(stale),
        release_risks=len(risks),
        release_risk_max_severity=risks[0].severity if risks else None,
        release_risk_fingerprints=[r.fingerprint for r in risks[:MAX_RISK_FINGERPRINTS]],
        target=target.day if target else None,
        target_source=target.source if target else None,
        forecast=predicted.forecast,
        forecast_note=predicted.note,
        slipping=is_slipping(ctx, facts, target, predicted.forecast),
    )
    gaps = [predicted.gap] if predicted.gap else []
    return row, Outcome(findings=[f for f in found if isinstance(f, Finding)], gaps=gaps)
