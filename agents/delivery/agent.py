"""The delivery-quality agent: is this release's scope done, and did its code get in well?

It only reads the snapshot (plus an optional local clone and coverage report), runs the
deterministic checks, and assembles one report. Every check that cannot run says why
as a gap, which makes the report ``partial`` and raises its score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import AgentInput, Outcome, assemble_report
from agents.change_risk import ChangeRiskModel
from agents.delivery.context import DeliveryContext, build_context
from agents.delivery.coverage import CoverageError, CoverageReport, load_coverage
from agents.delivery.findings import AGENT, CHECKS, root_keys
from agents.delivery.metrics import release_metrics
from agents.delivery.policy import DeliveryPolicy
from agents.delivery.process import check_process
from agents.delivery.risk import PrRisk, assess, high_risk_findings, riskiest_factor
from agents.delivery.scope import check_scope
from agents.delivery.testgaps import check_test_gaps
from agents.delivery.traceability import check_traceability
from agents.models import AgentReport, ScoreFactor
from agents.policy import Policy
from agents.rootcause import merge_root_causes
from connectors.provenance import Gap
from governance.redact import Redactor, default_redactor

if TYPE_CHECKING:  # the configuration imports the agents it configures
    from agents.config import AgentConfig


class DeliveryAgent:
    name: ClassVar[str] = AGENT
    needs: ClassVar[tuple[str, ...]] = ("github", "jira")

    def __init__(
        self,
        *,
        redactor: Redactor | None = None,
        model: ChangeRiskModel | None = None,
        model_problem: str | None = None,
    ) -> None:
        self._redactor = redactor
        self._model = model
        self._model_problem = model_problem or "no change-risk model was given"

    @classmethod
    def configured(cls, config: AgentConfig, redactor: Redactor | None = None) -> DeliveryAgent:
        return cls(redactor=redactor, model=config.change_risk,
                   model_problem=config.change_risk_problem)

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        settings = policy.section("delivery", DeliveryPolicy)
        ctx = build_context(inputs.snapshot, settings, self._redactor or default_redactor())
        coverage, outcome = self._coverage(inputs)
        for check in (check_scope, check_traceability, check_process):
            outcome.add(check(ctx))
        outcome.add(check_test_gaps(ctx, coverage))
        risks, factors = self._change_risk(ctx, inputs, outcome)
        metrics = release_metrics(
            ctx, outcome.findings, risks, outcome.counts, coverage.format if coverage else None
        )
        return assemble_report(
            self.name,
            CHECKS,
            inputs,
            policy,
            merge_root_causes(outcome.findings, root_keys),
            metrics=metrics,
            extra_factors=factors,
            extra_gaps=outcome.gaps,
        )

    def _coverage(self, inputs: AgentInput) -> tuple[CoverageReport | None, Outcome]:
        if inputs.coverage_file is None:
            return None, Outcome()
        try:
            return load_coverage(inputs.coverage_file), Outcome()
        except CoverageError as exc:
            gap = Gap(source="coverage", what="uncovered-changed-lines check", why=str(exc))
            return None, Outcome(gaps=[gap])

    def _change_risk(
        self, ctx: DeliveryContext, inputs: AgentInput, outcome: Outcome
    ) -> tuple[list[PrRisk], list[ScoreFactor]]:
        if ctx.github is None:
            return [], []  # the process check already reports GitHub as missing
        if self._model is None:
            outcome.gaps.append(
                Gap(source="change-risk-model", what="change-risk scores", why=self._model_problem)
            )
            return [], []
        risks, assessed = assess(ctx, self._model, inputs.repo_path)
        outcome.add(assessed)
        outcome.findings.extend(high_risk_findings(ctx, risks))
        factor = riskiest_factor(risks, ctx.policy.change_risk)
        return risks, [factor] if factor else []
