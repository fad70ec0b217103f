"""The delivery forecast per epic, and ``epic-slipping`` when it lands after the target.

No throughput history means no forecast and a gap, never an optimistic date. An epic
whose target has already passed with work open is slipping whatever the forecast says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from agents.models import Confidence, Evidence, Finding, Severity
from agents.portfolio.context import PortfolioContext
from agents.portfolio.epics import EpicFacts, points
from agents.portfolio.evidence import metric
from agents.portfolio.findings import EPIC_SLIPPING, new_finding
from agents.portfolio.forecast import History, Unit, completion, simulate, team_history
from agents.portfolio.targets import Target
from agents.portfolio.view import Forecast
from connectors.provenance import Gap


@dataclass(frozen=True)
class EpicForecast:
    forecast: Forecast | None = None
    note: str | None = None  # why there is no forecast
    gap: Gap | None = None


def forecast_epic(ctx: PortfolioContext, facts: EpicFacts,
                  open_epics: Mapping[str, int]) -> EpicForecast:
    """``open_epics``: per team, how many selected epics still have open work."""
    if not facts.items:
        done = facts.epic is not None and facts.epic.status_category == "done"
        return EpicForecast(note="no work items in the data") if done else EpicForecast(
            note="no work items in the data",
            gap=Gap(source="jira", what=f"work items of epic {facts.key}",
                    why="none in the snapshot: no forecast"))
    if not facts.open:
        return EpicForecast(note="all work items are done")
    unit, remaining, basis = _remaining(ctx, facts)
    history = team_history(ctx, facts.team, unit)
    policy = ctx.policy.forecast
    if history.items < policy.min_history_items or not any(history.samples):
        why = (f"{history.items} item(s) resolved in the {history.weeks} weeks to "
               f"{ctx.as_of:%Y-%m-%d} (need {policy.min_history_items}): its epics get no "
               "forecast")
        return EpicForecast(
            note=f"no throughput history for team {facts.team}",
            gap=Gap(source="jira", what=f"throughput history of team {facts.team}", why=why))
    share = 1.0 / max(1, open_epics.get(facts.team, 1)) if policy.split_between_epics else 1.0
    return EpicForecast(forecast=_simulate(ctx, facts.key, remaining, history, share, basis))


def _remaining(ctx: PortfolioContext, facts: EpicFacts) -> tuple[Unit, float, str]:
    if ctx.policy.forecast.unit == "points":
        unestimated = sum(1 for i in facts.open if i.story_points is None)
        if not unestimated:
            return "points", points(facts.open), ""
        return "items", float(len(facts.open)), (
            f" (counted in items: {unestimated} open item(s) have no story points)")
    return "items", float(len(facts.open)), ""


def _simulate(ctx: PortfolioContext, key: str, remaining: float, history: History,
              share: float, basis: str) -> Forecast:
    policy = ctx.policy.forecast
    horizon = policy.horizon_weeks * 7 // history.bucket_days
    shared = [s * share for s in history.samples]
    durations = simulate(remaining, shared, trials=policy.trials, seed=f"{policy.seed}:{key}",
                         horizon=horizon)
    result = completion(durations, ctx.as_of, history.bucket_days, horizon)
    return Forecast(
        unit=history.unit, remaining=remaining, granularity=history.granularity,
        team=history.team, history_weeks=history.weeks, samples=list(history.samples),
        share=round(share, 4), trials=policy.trials, seed=policy.seed,
        p50=result.p50, p85=result.p85, beyond_horizon=result.beyond_horizon,
        method=_method(ctx, remaining, history, share, basis))


def _method(ctx: PortfolioContext, remaining: float, history: History, share: float,
            basis: str) -> str:
    per = history.granularity
    samples = (", ".join(f"{s:g}" for s in history.samples) if per == "week"
               else f"total {sum(history.samples):g}")
    shared = (f"; the team's throughput is split equally between its {round(1 / share)} "
              "epics with open work" if share < 1 else "")
    policy = ctx.policy.forecast
    return (f"Monte Carlo, {policy.trials} trials (seed {policy.seed}): {remaining:g} "
            f"{history.unit} remaining{basis}, drawing per {per} from team {history.team}'s "
            f"{history.unit} resolved per {per} over the {history.weeks} weeks to "
            f"{ctx.as_of:%Y-%m-%d} ({len(history.samples)} samples: {samples}; "
            f"{history.items} items resolved){shared}.")


def is_slipping(ctx: PortfolioContext, facts: EpicFacts, target: Target | None,
                forecast: Forecast | None) -> bool | None:
    if target is None or not facts.open:
        return None if target is None else False
    if target.day < ctx.as_of.date():
        return True
    if forecast is None:
        return None
    return forecast.p85 is None or forecast.p85 > target.day


def check_slipping(ctx: PortfolioContext, facts: EpicFacts, target: Target | None,
                   forecast: Forecast | None) -> Finding | None:
    if target is None or not is_slipping(ctx, facts, target, forecast):
        return None
    missed = target.day < ctx.as_of.date()
    p50_late = forecast is None or forecast.p50 is None or forecast.p50 > target.day
    evidence = [_epic_evidence(ctx, facts, target)]
    if forecast is not None:
        evidence.append(metric(f"forecast:{facts.key}", forecast.method))
    return new_finding(
        EPIC_SLIPPING, (facts.key,),
        severity=Severity.HIGH if missed or p50_late else Severity.MEDIUM,
        confidence=Confidence.HIGH if missed else Confidence.MEDIUM,
        title=(f"Epic {facts.key} missed its target date {target.day:%Y-%m-%d}" if missed
               else f"Epic {facts.key} is likely to finish after its target date"),
        explanation=_explain(facts, target, forecast, missed),
        evidence=evidence,
        recommendation="Decide now between moving the date, cutting scope or adding "
                       "capacity, and tell the people who depend on this epic.")


def _explain(facts: EpicFacts, target: Target, forecast: Forecast | None, missed: bool) -> str:
    head = (f"Target {target.day:%Y-%m-%d} (from {target.source}); {len(facts.open)} of "
            f"{len(facts.items)} item(s) still open.")
    if forecast is None:
        return f"{head} The target has passed."
    p85 = _day(forecast.p85)
    p50 = _day(forecast.p50)
    lead = "The target has passed; the" if missed else "The"
    return (f"{head} {lead} forecast gives 85% confidence of completion by {p85} "
            f"(50%: {p50}).")


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "beyond the simulated horizon"


def _epic_evidence(ctx: PortfolioContext, facts: EpicFacts, target: Target) -> Evidence:
    detail = f"target {target.day:%Y-%m-%d} from {target.source}"
    if facts.epic is not None:
        return ctx.links.issue(facts.epic, detail)
    return ctx.links.key(facts.key, detail)
