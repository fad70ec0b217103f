"""The executive summary: a deterministic business-language headline from the tables,
then the advisory layer's narrative (the offline narrator unless Claude is enabled).

The headline states only what the view and the findings say; the narrative may explain
and prioritise, never change a figure or a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from agents.advisory import Advisor, ReportDigest
from agents.models import AgentReport, Finding, LlmUsage
from agents.portfolio.findings import (
    BLOCKED_WORK,
    HIGH_BUG_SHARE,
    HIGH_TECH_DEBT_SHARE,
    LATE_DEPENDENCY,
    SCOPE_CREEP,
    STALE_WORK,
    THROUGHPUT_DROP,
)
from agents.portfolio.view import EpicRow, PortfolioView

MAX_NAMED = 3


def executive_summary(view: PortfolioView, report: AgentReport,
                      advisor: Advisor) -> tuple[str, LlmUsage]:
    digest = ReportDigest(subject=view.subject, agent="portfolio", score=report.score.value,
                          findings=report.findings,
                          notes=[f"{g.source} {g.what} ({g.why})" for g in report.gaps])
    result = advisor.summarise(digest)
    return f"{headline(view, report.findings)} {result.summary}".strip(), result.usage


def headline(view: PortfolioView, findings: Sequence[Finding]) -> str:
    sentences = [_scope(view), _progress(view), _dates(view), _flow(view, findings),
                 _teams(findings), _risks(view)]
    return " ".join(s for s in sentences if s)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _scope(view: PortfolioView) -> str:
    subject = view.subject[:1].upper() + view.subject[1:]
    return (f"{subject}: {_n(len(view.epics), 'epic', 'epics')} across "
            f"{_n(len(view.teams), 'team', 'teams')}, over the {view.period_days} days to "
            f"{_long(view.as_of.date())}.")


def _progress(view: PortfolioView) -> str:
    total = sum(e.items_total for e in view.epics)
    if not total:
        return ""
    done = sum(e.items_done for e in view.epics)
    return (f"{done} of {_n(total, 'planned work item', 'planned work items')} "
            f"{'is' if done == 1 else 'are'} done ({100 * done / total:.0f}%).")


def _dates(view: PortfolioView) -> str:
    late = [e for e in view.epics if e.slipping]
    judged = [e for e in view.epics if e.slipping is not None]
    unknown = [e for e in view.epics if e.forecast is None and e.items_done < e.items_total]
    parts = []
    if late:
        named = "; ".join(_late(e) for e in late[:MAX_NAMED])
        more = f" and {len(late) - MAX_NAMED} more" if len(late) > MAX_NAMED else ""
        verb = "is" if len(late) == 1 else "are"
        parts.append(f"{_n(len(late), 'epic', 'epics')} {verb} likely to miss "
                     f"{'its' if len(late) == 1 else 'their'} target: {named}{more}.")
    elif judged:
        parts.append(f"{_n(len(judged), 'epic', 'epics')} with a target date "
                     f"{'is' if len(judged) == 1 else 'are'} on track (85% confidence).")
    if unknown:
        parts.append(f"{_n(len(unknown), 'epic has', 'epics have')} no delivery forecast for "
                     "lack of throughput history: unknown, not safe.")
    return " ".join(parts)


def _late(epic: EpicRow) -> str:
    target = f"target {_short(epic.target)}" if epic.target else "no target"
    if epic.forecast is None:
        return f"{epic.key} ({target} has passed)"
    when = _short(epic.forecast.p85) if epic.forecast.p85 else "beyond the forecast horizon"
    return f"{epic.key} (85% likely done by {when}, {target})"


def _flow(view: PortfolioView, findings: Sequence[Finding]) -> str:
    creep = _count(findings, SCOPE_CREEP)
    blocked = sum(e.blocked_items for e in view.epics)
    stale = sum(e.stale_items for e in view.epics)
    parts = []
    if creep:
        parts.append(f"scope grew beyond the agreed threshold in {_n(creep, 'epic', 'epics')}")
    if blocked and _count(findings, BLOCKED_WORK):
        parts.append(f"{_n(blocked, 'item is', 'items are')} blocked")
    if stale and _count(findings, STALE_WORK):
        parts.append(f"{_n(stale, 'item has', 'items have')} stalled")
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _teams(findings: Sequence[Finding]) -> str:
    parts = []
    if n := _count(findings, THROUGHPUT_DROP):
        parts.append(f"Delivery pace dropped in {_n(n, 'team', 'teams')}.")
    if n := _count(findings, HIGH_BUG_SHARE):
        parts.append(f"Bug fixing takes a large share of capacity in {_n(n, 'team', 'teams')}.")
    if n := _count(findings, HIGH_TECH_DEBT_SHARE):
        parts.append(f"Technical debt takes a large share of capacity in "
                     f"{_n(n, 'team', 'teams')}.")
    if n := _count(findings, LATE_DEPENDENCY):
        parts.append(f"{_n(n, 'cross-team dependency is', 'cross-team dependencies are')} "
                     "late.")
    return " ".join(parts)


def _risks(view: PortfolioView) -> str:
    touched = [e for e in view.epics if e.release_risks]
    if not touched:
        return ""
    total = sum(e.release_risks for e in touched)
    return (f"{_n(total, 'release risk', 'release risks')} found by other agents "
            f"{'touches' if total == 1 else 'touch'} {_n(len(touched), 'epic', 'epics')}.")


def _count(findings: Sequence[Finding], kind: str) -> int:
    return sum(1 for f in findings if f.category == kind)
