"""The ``portfolio:`` section of config/policy.yaml; every key is in docs/agents/portfolio.md.

Names (issue types, statuses, labels, link relations) compare case-insensitively, so
they are folded once here instead of at every comparison.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _fold(values: frozenset[str]) -> frozenset[str]:
    return frozenset(v.casefold() for v in values)


def _upper(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.upper() for v in values)


def _one_group(pattern: str) -> str:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    if compiled.groups != 1:
        raise ValueError("label_pattern needs exactly one group: the YYYY-MM-DD date")
    return pattern


Names = Annotated[frozenset[str], AfterValidator(_fold)]
Keys = Annotated[tuple[str, ...], AfterValidator(_upper)]
Percent = Annotated[float, Field(ge=0, le=100)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamPolicy(_Section):
    """Who a team is: the project key (default), the first component, a label or a field."""

    by: Literal["project", "component", "label", "field"] = "project"
    label_prefix: str = "team:"
    field: str | None = None  # a JiraIssue attribute; the normalized issue has few
    show_assignees: bool = False  # assignee counts in team tables only when this is true

    @model_validator(mode="after")
    def _field_named(self) -> TeamPolicy:
        if self.by == "field" and not self.field:
            raise ValueError("team.by: field needs team.field")
        return self


class ThroughputPolicy(_Section):
    """throughput-drop: recent weeks against the weeks before them."""

    weeks: int = Field(default=8, ge=2, le=104)
    recent_weeks: int = Field(default=3, ge=1)
    drop_pct: Percent = 40.0
    high_drop_pct: Percent = 70.0
    min_baseline_per_week: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _recent_inside(self) -> ThroughputPolicy:
        if self.recent_weeks >= self.weeks:
            raise ValueError("recent_weeks must be below weeks")
        if self.high_drop_pct < self.drop_pct:
            raise ValueError("high_drop_pct must not be below drop_pct")
        return self


class WorkMixPolicy(_Section):
    """high-bug-share and high-tech-debt-share, over items resolved in the throughput window."""

    bug_types: Names = frozenset({"bug", "defect"})
    bug_share_pct: Percent = 30.0
    tech_debt_types: Names = frozenset({"technical debt", "tech debt", "tech-debt"})
    tech_debt_labels: Names = frozenset({"tech-debt", "techdebt", "tech_debt",
                                         "technical-debt", "refactoring"})
    tech_debt_share_pct: Percent = 40.0
    min_items: int = Field(default=5, ge=1)


class ScopePolicy(_Section):
    """scope-creep: items added to an epic in the period, against its scope at the start."""

    creep_pct: Percent = 20.0
    high_creep_pct: float = Field(default=50.0, ge=0)
    min_added: int = Field(default=2, ge=1)


class BlockedPolicy(_Section):
    """blocked-work: a blocked status, a blocking label, or a link to an open blocker."""

    statuses: Names = frozenset({"blocked", "on hold", "impeded", "waiting"})
    labels: Names = frozenset({"blocked", "impediment", "flagged"})
    relations: Names = frozenset({"is blocked by"})
    high_share_pct: Percent = 30.0


class StalePolicy(_Section):
    """stale-work: open items that have not moved for ``days``."""

    days: int = Field(default=14, ge=1)
    medium_days: int = Field(default=28, ge=1)
    basis: Literal["update", "status"] = "update"
    categories: Names = frozenset({"indeterminate"})


class TargetPolicy(_Section):
    """An epic's target date: a field, else a label, else its Jira due date, else the end
    of its open sprint, else its fix version's release date."""

    field: str | None = None  # a JiraIssue attribute holding a date, when the model has one
    label_pattern: Annotated[str, AfterValidator(_one_group)] = (
        r"^target[-_:=]?(\d{4}-\d{2}-\d{2})$")
    use_due_date: bool = True
    use_sprint: bool = True
    use_fix_version: bool = True


class DependencyPolicy(_Section):
    """late-dependency: cross-team links we depend on that are open and due too late."""

    relations: Names = frozenset({"is blocked by", "depends on"})
    done_statuses: Names = frozenset({"done", "closed", "resolved", "released", "won't do"})
    near_release_days: int = Field(default=7, ge=0)


class ForecastPolicy(_Section):
    """Monte Carlo delivery forecast per epic from the team's throughput history."""

    seed: int = 20240601
    trials: int = Field(default=2000, ge=100, le=100_000)
    history_weeks: int = Field(default=8, ge=1, le=104)
    granularity: Literal["week", "day"] = "week"
    unit: Literal["items", "points"] = "items"
    min_history_items: int = Field(default=3, ge=1)
    horizon_weeks: int = Field(default=104, ge=1, le=520)
    split_between_epics: bool = True


class PortfolioPolicy(_Section):
    jira_base_url: str | None = None  # used when the snapshot does not say where Jira is
    period_days: int = Field(default=14, ge=1, le=365)
    projects: Keys = ()  # empty: every project in the data
    epics: Keys = ()  # empty: every epic of those projects
    excluded_types: Names = frozenset({"epic", "sub-task", "subtask"})
    sensitive_fields: tuple[str, ...] = ()
    max_evidence: int = Field(default=10, ge=1)
    team: TeamPolicy = Field(default_factory=TeamPolicy)
    throughput: ThroughputPolicy = Field(default_factory=ThroughputPolicy)
    work_mix: WorkMixPolicy = Field(default_factory=WorkMixPolicy)
    scope: ScopePolicy = Field(default_factory=ScopePolicy)
    blocked: BlockedPolicy = Field(default_factory=BlockedPolicy)
    stale: StalePolicy = Field(default_factory=StalePolicy)
    target: TargetPolicy = Field(default_factory=TargetPolicy)
    dependency: DependencyPolicy = Field(default_factory=DependencyPolicy)
    forecast: ForecastPolicy = Field(default_factory=ForecastPolicy)
