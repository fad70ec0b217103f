"""The numbers a release reviewer scans first. Every key is listed in docs/agents/delivery.md.

Keys are stable: every finding type and group appears, with 0 when nothing was found,
and a ratio or mean that cannot be computed is None (unknown), never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from agents.delivery.context import DeliveryContext
from agents.delivery.findings import GROUPS, KINDS
from agents.delivery.risk import PrRisk
from agents.models import Finding

Metrics = dict[str, float | int | str | None]


def release_metrics(ctx: DeliveryContext, findings: Sequence[Finding], risks: Sequence[PrRisk],
                    counts: Mapping[str, int], coverage_format: str | None) -> Metrics:
    return {
        **_finding_counts(findings),
        **_scope(ctx),
        **_risk(risks),
        "prs_merged": len(ctx.merged),
        "prs_not_merged": len(ctx.github.pull_requests) - len(ctx.merged) if ctx.github else None,
        "coverage_report": coverage_format or "none",
        "coverage_unmatched_files": counts.get("coverage_unmatched_files", 0),
        "coverage_unreadable_patches": counts.get("coverage_unreadable_patches", 0),
    }


def _finding_counts(findings: Sequence[Finding]) -> Metrics:
    by_kind = Counter(f.category for f in findings)
    metrics: Metrics = {f"findings.{kind}": by_kind[kind] for kind in KINDS}
    for group, kinds in GROUPS.items():
        metrics[f"findings_group.{group}"] = sum(by_kind[k] for k in kinds)
    return metrics


def _scope(ctx: DeliveryContext) -> Metrics:
    if ctx.jira is None:
        return {"issues_in_scope": None, "issues_done": None, "done_ratio": None}
    total = len(ctx.jira.issues)
    done = sum(1 for issue in ctx.jira.issues if issue.status_category == "done")
    return {
        "issues_in_scope": total,
        "issues_done": done,
        "done_ratio": round(done / total, 3) if total else None,
    }


def _risk(risks: Sequence[PrRisk]) -> Metrics:
    if not risks:
        return {"change_risk_scored": 0, "change_risk_full_model": 0,
                "change_risk_mean": None, "change_risk_max": None, "change_risk_max_pr": None}
    riskiest = max(risks, key=lambda r: (r.probability, -r.pr.number))
    return {
        "change_risk_scored": len(risks),
        "change_risk_full_model": sum(1 for r in risks if r.score.variant == "full"),
        "change_risk_mean": round(sum(r.probability for r in risks) / len(risks), 3),
        "change_risk_max": round(riskiest.probability, 3),
        "change_risk_max_pr": riskiest.pr.number,
    }
