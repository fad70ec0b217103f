"""The report's flat metrics: totals, finding counts, and a few figures per epic and team.

Keys are stable: every finding type appears, with 0 when nothing was found; a figure that
cannot be computed is None (unknown), never 0. The full tables are the ``PortfolioView``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agents.models import Finding
from agents.portfolio.findings import GROUPS, KINDS
from agents.portfolio.view import EpicRow, PortfolioView

Metrics = dict[str, float | int | str | None]


def portfolio_metrics(view: PortfolioView, findings: Sequence[Finding],
                      not_carried: Sequence[str]) -> Metrics:
    return {
        **_finding_counts(findings),
        **_totals(view),
        **{k: v for epic in view.epics for k, v in _epic(epic).items()},
        **{f"team.{t.team}.throughput_slope": t.throughput_slope for t in view.teams},
        "sensitive_fields_not_in_snapshot": ", ".join(not_carried) or None,
    }


def _finding_counts(findings: Sequence[Finding]) -> Metrics:
    by_kind = Counter(f.category for f in findings)
    metrics: Metrics = {f"findings.{kind}": by_kind[kind] for kind in KINDS}
    for group, kinds in GROUPS.items():
        metrics[f"findings_group.{group}"] = sum(by_kind[k] for k in kinds)
    return metrics


def _totals(view: PortfolioView) -> Metrics:
    total = sum(e.items_total for e in view.epics)
    done = sum(e.items_done for e in view.epics)
    return {
        "as_of": view.as_of.isoformat(),
        "period_days": view.period_days,
        "projects": ", ".join(view.projects),
        "epics": len(view.epics),
        "teams": len(view.teams),
        "epic_items_total": total,
        "epic_items_done": done,
        "done_ratio": round(done / total, 3) if total else None,
        "epics_forecast": sum(1 for e in view.epics if e.forecast is not None),
        "epics_slipping": sum(1 for e in view.epics if e.slipping),
        "epics_without_target": sum(1 for e in view.epics if e.target is None),
        "blocked_items": sum(e.blocked_items for e in view.epics),
        "stale_items": sum(e.stale_items for e in view.epics),
    }


def _epic(epic: EpicRow) -> Metrics:
    key, forecast = epic.key, epic.forecast
    return {
        f"epic.{key}.progress_pct": epic.progress_pct,
        f"epic.{key}.p50": forecast.p50.isoformat() if forecast and forecast.p50 else None,
        f"epic.{key}.p85": forecast.p85.isoformat() if forecast and forecast.p85 else None,
    }
