"""``PortfolioView``: the per-epic and per-team tables, as data renderers can use.

Only aggregates: counts, sums, percentages, dates, issue keys and finding fingerprints.
No descriptions, no per-issue sensitive values, and assignee names only when the policy
says ``team.show_assignees: true``. ``masking.mask_output`` enforces this on the way out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from agents.models import AgentReport, Severity

VIEW_SCHEMA_VERSION = "1.0"


class Forecast(BaseModel):
    """When an epic's remaining work is likely done, and exactly what that rests on."""

    unit: Literal["items", "points"]
    remaining: float = Field(description="Items (or points) not done at as_of.")
    granularity: Literal["week", "day"]
    team: str
    history_weeks: int = Field(description="Weeks of throughput history sampled.")
    samples: list[float] = Field(
        description="The team's throughput per week (or day), oldest first, before sharing.")
    share: float = Field(description="Fraction of the team's throughput assumed for this epic.")
    trials: int
    seed: int
    p50: date | None = Field(description="Done by this date in half the trials.")
    p85: date | None = Field(description="Done by this date in 85% of the trials.")
    beyond_horizon: bool = Field(
        default=False, description="P85 lies beyond the simulated horizon: no date is given.")
    method: str = Field(description="One sentence naming the data the forecast used.")


class EpicRow(BaseModel):
    key: str
    url: str | None = None
    title: str = Field(description="The epic's summary, redacted and masked; '' if unknown.")
    project: str
    team: str
    status: str | None = None
    items_total: int
    items_done: int
    points_total: float | None = Field(description="None when no item is estimated.")
    points_done: float | None = None
    unestimated_items: int
    progress_pct: float | None = Field(description="Items done / total; None without items.")
    added_in_period: int
    removed_in_period: int | None = Field(
        description="None when no epic-link changelog was given: removals are unknown.")
    scope_change_pct: float | None = None
    blocked_items: int
    stale_items: int
    release_risks: int = Field(description="Findings of other agents naming an issue of the epic.")
    release_risk_max_severity: Severity | None = None
    release_risk_fingerprints: list[str] = Field(default_factory=list)
    target: date | None = None
    target_source: str | None = Field(default=None, description="field, label or fix version.")
    forecast: Forecast | None = None
    forecast_note: str | None = Field(default=None, description="Why there is no forecast.")
    slipping: bool | None = Field(default=None, description="None when it cannot be told.")


class TeamRow(BaseModel):
    team: str
    projects: list[str]
    open_items: int
    throughput: list[int] = Field(description="Items resolved per week, oldest first.")
    throughput_mean: float
    throughput_slope: float | None = Field(
        description="Least-squares slope, items per week per week; None under two weeks.")
    resolved_in_window: int
    bug_share_pct: float | None = Field(description="None when nothing was resolved.")
    tech_debt_share_pct: float | None = None
    late_dependencies: int = 0
    assignees: dict[str, int] | None = Field(
        default=None, description="Open items per assignee; only with team.show_assignees.")


class PortfolioView(BaseModel):
    schema_version: str = VIEW_SCHEMA_VERSION
    subject: str
    as_of: datetime
    period_start: datetime
    period_days: int
    projects: list[str]
    epics: list[EpicRow] = Field(default_factory=list)
    teams: list[TeamRow] = Field(default_factory=list)


class PortfolioResult(BaseModel):
    """What ``PortfolioAgent.run`` returns: the standard report plus the tables."""

    report: AgentReport
    view: PortfolioView
