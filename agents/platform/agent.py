"""The platform-reliability agent: will this release (or IaC PR) break production?

It reads the snapshot (GitHub PRs and deployments, CloudWatch alarms and series, and
Confluence for runbooks when present), plus optional local Terraform plans and a
clone, runs deterministic checks, and assembles one report. A check that cannot run
says why as a gap, which makes the report partial and raises its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from agents.base import AgentInput, Check, Outcome, assemble_report
from agents.models import AgentReport, Severity
from agents.platform.alarms import alarm_findings
from agents.platform.changes import IacFile, changed_iac
from agents.platform.envdrift import DriftContext, environment_drift
from agents.platform.environments import Environments
from agents.platform.evidence import Links
from agents.platform.findings import (
    AGENT,
    ALARM_ACTIVE,
    DORA_REGRESSION,
    ENVIRONMENT_DRIFT,
    FREEZE_WINDOW,
    GROUPS,
    INPUT_UNREADABLE,
    METRIC_REGRESSION,
    NO_ROLLBACK_RUNBOOK,
    ROLLOUT_STRATEGY,
    Findings,
    root_keys,
)
from agents.platform.health import DoraResult, deployment_health
from agents.platform.infrastructure import infrastructure
from agents.platform.manifests import ManifestContext, manifest_findings
from agents.platform.metrics import platform_metrics
from agents.platform.policy import PlatformPolicy
from agents.platform.readiness import (
    ReleaseFacts,
    freeze_findings,
    risky,
    rollout_findings,
    runbook_findings,
)
from agents.platform.regression import regression_findings
from agents.policy import Policy
from agents.rootcause import merge_root_causes
from connectors.provenance import Gap
from connectors.snapshot import SnapshotBody
from governance.redact import Redactor, default_redactor

if TYPE_CHECKING:  # the configuration imports the agents it configures
    from agents.config import AgentConfig


def _facts(snapshot: SnapshotBody, settings: PlatformPolicy) -> ReleaseFacts:
    services = list(settings.rollout.services)
    if not services:
        if snapshot.github is not None:
            services.append(snapshot.github.repository.full_name.rsplit("/", 1)[-1])
        if snapshot.cloudwatch is not None:
            services.extend(s.service for s in snapshot.cloudwatch.series)
    if snapshot.jira is not None and snapshot.jira.release_date is not None:
        when, basis = snapshot.jira.release_date, "the Jira release date"
    else:
        when, basis = snapshot.created_at.date(), "the snapshot date; no Jira release date"
    return ReleaseFacts(services=list(dict.fromkeys(services)), release_date=when, date_basis=basis)


def checks(settings: PlatformPolicy) -> tuple[Check, ...]:
    """What each check reads, reports and, under this policy, can report at worst."""
    freeze = settings.rollout.freeze
    freeze_worst = max((w.severity for w in freeze.windows), default=Severity.INFO)
    if freeze.weekdays:
        freeze_worst = max(freeze_worst, freeze.weekday_severity)
    alarms = settings.alarms
    return (
        Check("infrastructure", ("github", "terraform-plan", "repository"),
              GROUPS["infrastructure"], Severity.CRITICAL),
        Check("workloads", ("github", "repository"), GROUPS["workloads"], Severity.HIGH),
        Check("environment drift", ("github", "repository"), (ENVIRONMENT_DRIFT,),
              Severity.MEDIUM),
        Check("deployment health", ("github",), (DORA_REGRESSION,), Severity.HIGH),
        Check("alarms", ("cloudwatch",), (ALARM_ACTIVE,),
              max(alarms.alarm_severity, alarms.insufficient_data_severity)),
        Check("metric regression", ("cloudwatch",), (METRIC_REGRESSION,), Severity.HIGH),
        Check("rollout", (), (ROLLOUT_STRATEGY,), Severity.INFO),
        Check("rollback runbooks", ("confluence", "platform"), (NO_ROLLBACK_RUNBOOK,),
              Severity.MEDIUM),
        # The release date comes from Jira; it only matters when a freeze is configured.
        Check("freeze", ("jira",) if freeze.windows or freeze.weekdays else (),
              (FREEZE_WINDOW,), freeze_worst),
        Check("inputs", ("terraform-plan", "repository"), (INPUT_UNREADABLE,), Severity.MEDIUM),
    )


class PlatformAgent:
    name: ClassVar[str] = AGENT
    needs: ClassVar[tuple[str, ...]] = ("github", "cloudwatch", "confluence")

    def __init__(
        self, *, redactor: Redactor | None = None, environments: Environments | None = None
    ) -> None:
        self._redactor = redactor
        self._environments = environments or Environments()

    @classmethod
    def configured(cls, config: AgentConfig, redactor: Redactor | None = None) -> PlatformAgent:
        return cls(redactor=redactor, environments=config.environments)

    def analyse(self, inputs: AgentInput, policy: Policy) -> AgentReport:
        settings = policy.section("platform", PlatformPolicy)
        snapshot = inputs.snapshot
        github, cloudwatch = snapshot.github, snapshot.cloudwatch
        factory = Findings(self._redactor or default_redactor(), max_evidence=settings.max_evidence)
        links = Links(
            github.repository.full_name if github else None,
            github.repository.html_url if github else None,
            cloudwatch.region if cloudwatch else None,
        )
        files = (
            changed_iac(
                github.pull_requests,
                inputs.repo_path,
                settings.manifests.values_files,
                settings.max_file_bytes,
            )
            if github
            else None
        )
        out = infrastructure(inputs.plan_files, files, settings.plans, factory, links)
        out.add(manifest_findings(files or (), ManifestContext(factory, links, settings.manifests)))
        out.add(self._drift(inputs, files or (), settings, factory, links))
        dora: DoraResult | None = None
        if github is not None:
            dora, health = deployment_health(
                github, cloudwatch, snapshot.created_at, settings.dora, factory, links
            )
            out.add(health)
        out.add(alarm_findings(cloudwatch, settings.alarms, factory, links))
        out.add(regression_findings(cloudwatch, settings.regression, factory, links))
        facts = _facts(snapshot, settings)
        out.add(self._readiness(snapshot, facts, settings, out, factory, links))
        metrics = platform_metrics(
            files or (),
            out.counts,
            dora,
            settings.dora,
            out.findings,
            facts.release_date.isoformat(),
        )
        return assemble_report(
            self.name,
            checks(settings),
            inputs,
            policy,
            merge_root_causes(out.findings, root_keys),
            metrics=metrics,
            extra_gaps=out.gaps,
        )

    def _drift(
        self,
        inputs: AgentInput,
        files: Sequence[IacFile],
        settings: PlatformPolicy,
        factory: Findings,
        links: Links,
    ) -> Outcome:
        environments = self._environments
        context = DriftContext(factory, links, inputs.repo_path, files, settings.max_file_bytes)
        return environment_drift(environments, context)

    @staticmethod
    def _readiness(
        snapshot: SnapshotBody,
        facts: ReleaseFacts,
        settings: PlatformPolicy,
        so_far: Outcome,
        factory: Findings,
        links: Links,
    ) -> Outcome:
        out = Outcome(findings=rollout_findings(so_far.findings, factory))
        severe = bool(risky(so_far.findings))
        if facts.services or snapshot.confluence is None:
            out.add(runbook_findings(snapshot.confluence, facts, settings.rollout, severe, factory))
        else:
            out.gaps.append(
                Gap(
                    source="platform",
                    what="rollback runbooks",
                    why="no service names (set platform.rollout.services)",
                )
            )
        out.findings.extend(freeze_findings(facts, settings.rollout, factory, links))
        return out
