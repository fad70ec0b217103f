"""The ``platform:`` section of config/policy.yaml; every key is in docs/agents/platform.md.

Names that people type in different cases (environments, labels, workload kinds,
weekdays) are folded once here, so the checks compare them with ``==``.
"""

from __future__ import annotations

import re
from datetime import date
from fnmatch import fnmatchcase
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from agents.models import Severity


def _fold(values: frozenset[str]) -> frozenset[str]:
    return frozenset(v.casefold() for v in values)


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return pattern


def _increasing(values: tuple[float, float, float]) -> tuple[float, float, float]:
    if not values[0] < values[1] < values[2]:
        raise ValueError("the three band limits must increase (elite < high < medium)")
    return values


Names = Annotated[frozenset[str], AfterValidator(_fold)]
Limits = Annotated[tuple[float, float, float], AfterValidator(_increasing)]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlansPolicy(_Section):
    """Terraform plans and ``.tf`` diffs: destructive-change, protection-removed, security."""

    # fnmatch patterns: a delete or replace of these loses data, not just capacity.
    stateful_types: tuple[str, ...] = (
        "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_s3_bucket",
        "aws_ebs_volume", "aws_efs_file_system", "aws_sqs_queue", "aws_dynamodb_table",
        "aws_kms_key", "aws_route53_zone", "aws_elasticache_*", "aws_docdb_cluster",
        "aws_neptune_cluster", "aws_redshift_cluster", "aws_opensearch_domain",
        "aws_elasticsearch_domain", "aws_msk_cluster", "aws_kinesis_stream",
        "aws_secretsmanager_secret", "aws_backup_vault",
        "google_sql_database_instance", "google_sql_database", "google_storage_bucket",
        "google_bigquery_dataset", "google_bigquery_table", "google_spanner_*",
        "google_redis_instance", "google_compute_disk", "google_kms_crypto_key",
        "azurerm_*database*", "azurerm_*sql*", "azurerm_cosmosdb_*", "azurerm_storage_account",
        "azurerm_key_vault", "azurerm_redis_cache", "azurerm_managed_disk")
    # Attributes whose true→false turns deletion protection off (plans and diffs).
    protection_keys: tuple[str, ...] = (
        "deletion_protection", "enable_deletion_protection", "deletion_protection_enabled")
    stateful_severity: Severity = Severity.HIGH
    stateless_severity: Severity = Severity.MEDIUM
    # A stateless replace that creates the new object first causes no gap in service.
    create_before_destroy_severity: Severity = Severity.LOW
    # Ids of the shared IaC rules (agents/iac/terraform_rules.py) not to run on plans.
    disabled_rules: frozenset[str] = frozenset()
    web_ports: tuple[int, ...] = (80, 443)

    def stateful(self, resource_type: str) -> bool:
        return any(fnmatchcase(resource_type, pattern) for pattern in self.stateful_types)


class ManifestsPolicy(_Section):
    """Kubernetes manifests and Helm values in the release's PRs."""

    # File-name globs of Helm values files; other .yaml/.yml files count as manifests
    # when a document has apiVersion and kind.
    values_files: tuple[str, ...] = ("values*.yaml", "values*.yml")
    # Keys whose decrease cuts capacity (YAML ``key: n`` and HCL ``key = n`` lines).
    replica_keys: tuple[str, ...] = ("replicas", "replicaCount", "desired_count", "min_size",
                                     "minReplicas", "min_capacity")
    # Limits every container must set; empty: any non-empty ``resources.limits``.
    required_limits: tuple[str, ...] = ()
    probes: tuple[str, ...] = ("readinessProbe", "livenessProbe")
    # Long-running workloads that must have the probes (Jobs finish, so they need none).
    probe_kinds: Names = frozenset({"deployment", "statefulset", "daemonset"})


class DriftPolicy(_Section):
    """environment-drift: where the per-environment files are listed."""

    # config/environments.yaml unless set; relative names resolve in ADVISOR_CONFIG_DIR.
    environments_file: str | None = None


class DoraBands(_Section):
    """DevLake's benchmarks (2023 report). Each is the upper limit of elite, high, medium."""

    # Median deployment days per week for elite and high, per month for medium.
    frequency_days_per_week_elite: float = 7
    frequency_days_per_week_high: float = 1
    frequency_days_per_month_medium: float = 1
    lead_time_hours: Limits = (24.0, 168.0, 720.0)
    change_failure_rate: Limits = (0.05, 0.10, 0.15)
    recovery_hours: Limits = (1.0, 24.0, 168.0)


class DoraPolicy(_Section):
    production_environments: Names = frozenset({"production", "prod"})
    window_days: int = Field(default=28, ge=1)
    baseline_days: int = Field(default=56, ge=1)
    success_states: Names = frozenset({"success"})
    failure_states: Names = frozenset({"failure", "error"})
    # A deployment counts as failed when an alarm enters ALARM this soon after it.
    alarm_failure_hours: float = Field(default=2.0, gt=0)
    # Fewer deployments than this in either window: no change-failure or recovery band.
    min_deployments: int = Field(default=3, ge=1)
    bands: DoraBands = Field(default_factory=DoraBands)


class AlarmsPolicy(_Section):
    alarm_severity: Severity = Severity.HIGH
    insufficient_data_severity: Severity = Severity.MEDIUM
    # Regexes over alarm names to leave out (e.g. autoscaling's TargetTracking alarms).
    ignore: tuple[Annotated[str, AfterValidator(_regex)], ...] = (r"^TargetTracking-",)


class SeriesMatch(_Section):
    """Which CloudWatch series a regression check reads, and how to print its numbers."""

    name: str
    pattern: Annotated[str, AfterValidator(_regex)]  # over the query id and label
    unit: str = ""
    scale: float = 1.0  # printed value = datapoint × scale (seconds → ms: 1000)


class RegressionPolicy(_Section):
    recent_hours: float = Field(default=24.0, gt=0)
    baseline_hours: float = Field(default=144.0, gt=0)
    alpha: float = Field(default=0.01, gt=0, lt=1)
    min_samples: int = Field(default=12, ge=3)
    # Both must hold: relative change of medians, and shift in baseline MADs.
    min_relative_change: float = Field(default=0.2, ge=0)
    min_effect_mads: float = Field(default=1.0, ge=0)
    high_relative_change: float = Field(default=1.0, ge=0)
    metrics: tuple[SeriesMatch, ...] = (
        SeriesMatch(name="5xx rate", pattern=r"(?i)5xx", unit="%"),
        SeriesMatch(name="p99 latency", pattern=r"(?i)p99", unit="ms", scale=1000.0),
    )


class FreezeWindow(_Section):
    start: date
    end: date
    reason: str = "change freeze"
    severity: Severity = Severity.HIGH

    @model_validator(mode="after")
    def _ordered(self) -> FreezeWindow:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


def _weekdays(values: frozenset[str]) -> frozenset[str]:
    unknown = sorted(values - set(_WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekday(s): {', '.join(unknown)}")
    return values


class FreezePolicy(_Section):
    windows: tuple[FreezeWindow, ...] = ()
    weekdays: Annotated[Names, AfterValidator(_weekdays)] = frozenset()
    weekday_severity: Severity = Severity.MEDIUM


class RolloutPolicy(_Section):
    runbook_labels: Names = frozenset({"runbook", "rollback"})
    # Names a runbook must mention; empty: the repository name and the CloudWatch services.
    services: tuple[str, ...] = ()
    freeze: FreezePolicy = Field(default_factory=FreezePolicy)


class PlatformPolicy(_Section):
    plans: PlansPolicy = Field(default_factory=PlansPolicy)
    manifests: ManifestsPolicy = Field(default_factory=ManifestsPolicy)
    drift: DriftPolicy = Field(default_factory=DriftPolicy)
    dora: DoraPolicy = Field(default_factory=DoraPolicy)
    alarms: AlarmsPolicy = Field(default_factory=AlarmsPolicy)
    regression: RegressionPolicy = Field(default_factory=RegressionPolicy)
    rollout: RolloutPolicy = Field(default_factory=RolloutPolicy)
    max_evidence: int = Field(default=10, ge=1)
    max_file_bytes: int = Field(default=2_000_000, ge=1)


WEEKDAYS = _WEEKDAYS
