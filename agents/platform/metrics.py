"""The report's metrics: counts of what was read, plan actions, DORA figures, alarms."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agents.models import Finding
from agents.platform.changes import IacFile
from agents.platform.dora import Band, DoraFigures
from agents.platform.health import DoraResult
from agents.platform.policy import DoraPolicy

__all__ = ["platform_metrics"]

Metrics = dict[str, float | int | str | None]

_PLAN_ACTIONS = ("create", "update", "delete", "replace", "create_before_destroy", "no_op",
                 "read", "forget", "replace_forget", "unknown")


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _band(band: Band | None) -> str | None:
    return band.value if band is not None else None


def _dora(figures: DoraFigures | None, prefix: str) -> Metrics:
    if figures is None:
        return {f"{prefix}_deployment_frequency_band": None, f"{prefix}_lead_time_band": None,
                f"{prefix}_change_failure_band": None, f"{prefix}_recovery_band": None}
    return {
        f"{prefix}_deployments": figures.deployments,
        f"{prefix}_successful_deployments": figures.successful,
        f"{prefix}_deployment_days": figures.deployment_days,
        f"{prefix}_deploys_per_week": _round(figures.deploys_per_week),
        f"{prefix}_median_deployment_days_per_week": figures.days_per_week,
        f"{prefix}_median_deployment_days_per_month": figures.days_per_month,
        f"{prefix}_deployment_frequency_band": _band(figures.frequency),
        f"{prefix}_lead_time_hours": _round(figures.lead_time_hours),
        f"{prefix}_lead_time_samples": figures.lead_time_samples,
        f"{prefix}_lead_time_band": _band(figures.lead_time),
        f"{prefix}_failed_deployments": figures.failed,
        f"{prefix}_change_failure_rate": _round(figures.change_failure_rate, 4),
        f"{prefix}_change_failure_band": _band(figures.change_failure),
        f"{prefix}_recovery_hours": _round(figures.recovery_hours),
        f"{prefix}_recovery_samples": figures.recovery_samples,
        f"{prefix}_recovery_band": _band(figures.recovery),
    }


def platform_metrics(files: Sequence[IacFile], counts: Counter[str], dora: DoraResult | None,
                     policy: DoraPolicy, findings: Sequence[Finding],
                     release_date: str) -> Metrics:
    kinds = Counter(f.kind for f in files)
    metrics: Metrics = {
        "iac_files": len(files), "terraform_files": kinds["terraform"],
        "tfvars_files": kinds["tfvars"], "yaml_files": kinds["yaml"],
        "values_files": kinds["values"], "release_date": release_date,
        "findings": len(findings),
    }
    if counts["plans_read"]:
        metrics.update({f"plan_{a}": counts[f"plan_{a}"] for a in _PLAN_ACTIONS})
    metrics.update({k: v for k, v in sorted(counts.items()) if k not in metrics})
    metrics.update({"dora_window_days": policy.window_days,
                    "dora_baseline_days": policy.baseline_days,
                    "dora_production_deployments": len(dora.deploys) if dora else 0})
    metrics.update(_dora(dora.current if dora else None, "dora"))
    metrics.update(_dora(dora.baseline if dora else None, "dora_baseline"))
    return metrics
