"""The portfolio-insight agent: per epic and per team, over a period, for a set of
projects or epics.

It only reads the normalized snapshot (plus optional extra Jira releases, epic-link
history and other agents' findings), runs the deterministic checks and the forecast,
masks what must not leave, and asks the advisory layer for the executive summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from agents.advisory import Advisor, OfflineAdvisor
from agents.base import AgentInput, Outcome, assemble_report
from agents.models import AgentReport, Finding
from agents.policy import Policy
from agents.portfolio.assess import assess_epic
from agents.portfolio.context import PortfolioContext, Request, ScopeChange, build_context
from agents.portfolio.dependencies import check_dependencies
from agents.portfolio.epics import EpicFacts, epic_facts
from agents.portfolio.findings import AGENT, CHECKS
from agents.portfolio.masking import mask_output, masking_for
from agents.portfolio.metrics import portfolio_metrics
from agents.portfolio.policy import PortfolioPolicy
from agents.portfolio.scope import removals_gap
from agents.portfolio.summary import executive_summary
from agents.portfolio.targets import field_gap
from agents.portfolio.teams import check_team, team_facts, team_row
from agents.portfolio.view import EpicRow, PortfolioResult, PortfolioView, TeamRow
from connectors.jira.models import JiraRelease
from connectors.provenance import Gap
from governance.redact import Redactor, default_redactor

if TYPE_CHECKING:  # the configuration imports the agents it configures
    from agents.config import AgentConfig


class PortfolioAgent:
    name: ClassVar[str] = AGENT
    needs: ClassVar[tuple[str, ...]] = ("jira",)

    def __init__(
        self,
        *,
        as_of: datetime | None = None,
        period_days: int | None = None,
        releases: Sequence[JiraRelease] = (),
        release_risks: Sequence[Finding] = (),
        scope_changes: Sequence[ScopeChange] | None = None,
        projects: Sequence[str] | None = None,
        epics: Sequence[str] | None = None,
        jira_base_url: str | None = None,
        advisor: Advisor | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self._request = Request(
            as_of=as_of,
            period_days=period_days,
            releases=tuple(releases),
            release_risks=tuple(release_risks),
            scope_changes=tuple(scope_changes) if scope_changes is not None else None,
            projects=tuple(projects) if projects else None,
            epics=tuple(epics) if epics else None,
            jira_base_url=jira_base_url,
        )
        self._advisor: Advisor = advisor or OfflineAdvisor()
        self._redactor = redactor

    @classmethod
    def configured(cls, config: AgentConfig, redactor: Redactor | None = None) -> PortfolioAgent:
        return cls(redactor=redactor)

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        return self.run(inputs, policy).report

    def run(self, inputs: AgentInput, policy: Policy) -> PortfolioResult:
        """The report plus the per-epic and per-team tables (``PortfolioView``)."""
        settings = policy.section("portfolio", PortfolioPolicy)
        ctx = build_context(
            inputs.snapshot, settings, self._request, self._redactor or default_redactor()
        )
        epics, teams, outcome = _assess(ctx)
        masking = masking_for(ctx.issues.values(), settings)
        view = PortfolioView(
            subject=ctx.subject,
            as_of=ctx.as_of,
            period_start=ctx.period_start,
            period_days=(ctx.as_of - ctx.period_start).days,
            projects=list(ctx.projects),
            epics=epics,
            teams=teams,
        )
        report = assemble_report(
            self.name,
            CHECKS,
            inputs,
            policy,
            outcome.findings,
            metrics=portfolio_metrics(view, outcome.findings, masking.not_carried),
            extra_gaps=_gaps(ctx, outcome),
        )
        # Mask before the advisory layer sees anything, and again after it wrote.
        result = mask_output(PortfolioResult(report=report, view=view), masking)
        summary, usage = executive_summary(result.view, result.report, self._advisor)
        report = result.report.model_copy(update={"summary": summary, "llm": usage})
        return mask_output(result.model_copy(update={"report": report}), masking)


def _assess(ctx: PortfolioContext) -> tuple[list[EpicRow], list[TeamRow], Outcome]:
    outcome = Outcome()
    facts = [epic_facts(ctx, key) for key in ctx.epics]
    open_epics = Counter(f.team for f in facts if f.open)
    epics = []
    for epic in facts:
        row, found = assess_epic(ctx, epic, open_epics)
        epics.append(row)
        outcome.add(found)
    late = check_dependencies(ctx)
    outcome.findings.extend(d.finding for d in late)
    late_per_team = Counter(d.team for d in late)
    teams = []
    for team in team_facts(ctx, _teams_of(ctx, facts)):
        teams.append(team_row(ctx, team, late_per_team[team.team]))
        outcome.add(check_team(ctx, team))
    return epics, teams, outcome


def _teams_of(ctx: PortfolioContext, facts: Sequence[EpicFacts]) -> list[str]:
    """The teams doing the selected epics' work (used when the portfolio is a set of epics)."""
    return sorted({f.team for f in facts} | {ctx.team_of(i) for f in facts for i in f.items})


def _gaps(ctx: PortfolioContext, outcome: Outcome) -> list[Gap]:
    extra = [g for g in (removals_gap(ctx), field_gap(ctx.policy.target)) if g is not None]
    return list(dict.fromkeys([*outcome.gaps, *extra]))  # Gap is frozen, hence hashable
