"""What every format of the portfolio summary shares: texts, table cells, charts, redaction.

Charts are hand-drawn SVG (``render.charts``); standalone copies carry their own stylesheet
so Confluence can show them as attachments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from agents.aggregate import FindingCounts
from agents.models import Finding
from agents.portfolio import EpicRow, TeamRow
from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.charts import Bar, bar_chart, nice_ticks
from render.common import PENDING, SIGNOFF_COMMAND, clip, format_timestamp
from render.redaction import redact_model

TOP_FINDINGS = 10

def page_title(summary: PortfolioSummary) -> str:
    """One page per period, named after the day the period ends."""
    return f"Portfolio summary — {summary.view.as_of:%Y-%m-%d}"


def period_text(summary: PortfolioSummary) -> str:
    view = summary.view
    return f"{view.period_days} days, {view.period_start:%Y-%m-%d} to {view.as_of:%Y-%m-%d}"


def signoff_text(summary: PortfolioSummary) -> str:
    status = summary.signoff_status
    if status in ("approved", "rejected") and summary.signed_off_by:
        when = format_timestamp(summary.signed_off_at) if summary.signed_off_at else "unknown date"
        text = f"{status.capitalize()} by {summary.signed_off_by} on {when}"
        if summary.decision_comment:
            text += f" — “{summary.decision_comment}”"
        if summary.decision_audit_seq is not None:
            text += (f" (audit entry #{summary.decision_audit_seq}, entry hash "
                     f"{summary.decision_audit_hash or 'unknown'})")
        return text
    if status == "superseded":
        return "Superseded by a newer summary — nothing was approved"
    return PENDING


def signoff_command(summary: PortfolioSummary) -> str | None:
    if summary.signoff_status != "pending_signoff" or not summary.report_id:
        return None
    return SIGNOFF_COMMAND.format(report_id=summary.report_id)



# --- redaction ------------------------------------------------------------------------

_VERBATIM = ("schema_version", "kind", "generated_at", "report_id", "signoff_status",
             "signed_off_by", "signed_off_at", "snapshot_hash", "decision_audit_seq",
             "decision_audit_hash", "content_hash")


def redact_summary(summary: PortfolioSummary,
                   redactor: Redactor | None = None) -> PortfolioSummary:
    """A copy with secrets and PII masked in every string value (idempotent)."""
    return redact_model(summary, redactor, verbatim=_VERBATIM)


# --- table cells, shared by every format ------------------------------------------------

EPIC_HEADER = ("Epic", "Title", "Team", "Status", "Done", "Progress", "Scope +/−", "Blocked",
               "Stale", "Target", "85% forecast", "Outlook")
EPIC_ALIGN = "llllrrlrrlll"
TEAM_HEADER = ("Team", "Open", "Resolved", "Per week", "Trend", "Bugs", "Tech debt",
               "Late dependencies")
TEAM_ALIGN = "lrrrrrrr"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def outlook(epic: EpicRow) -> str:
    if epic.slipping is None:
        return "unknown"
    return "likely late" if epic.slipping else "on track"


def _forecast(epic: EpicRow) -> str:
    if epic.forecast is None:
        return clip(epic.forecast_note or "no forecast", 40)
    if epic.forecast.beyond_horizon or epic.forecast.p85 is None:
        return "beyond the horizon"
    return f"{epic.forecast.p85:%Y-%m-%d}"


def epic_cells(epic: EpicRow) -> list[str]:
    removed = "?" if epic.removed_in_period is None else str(epic.removed_in_period)
    return [epic.key, clip(epic.title, 60), epic.team, epic.status or "—",
            f"{epic.items_done}/{epic.items_total}", _pct(epic.progress_pct),
            f"+{epic.added_in_period}/−{removed}", str(epic.blocked_items),
            str(epic.stale_items), f"{epic.target:%Y-%m-%d}" if epic.target else "—",
            _forecast(epic), outlook(epic)]


def team_cells(team: TeamRow) -> list[str]:
    slope = "—" if team.throughput_slope is None else f"{team.throughput_slope:+.2f}/wk"
    return [team.team, str(team.open_items), str(team.resolved_in_window),
            f"{team.throughput_mean:.1f}", slope, _pct(team.bug_share_pct),
            _pct(team.tech_debt_share_pct), str(team.late_dependencies)]


def top_findings(summary: PortfolioSummary, limit: int | None = TOP_FINDINGS) -> list[Finding]:
    """Most severe first; ``limit=None``: every finding (the files carry them all)."""
    ranked = sorted(summary.portfolio.findings, key=lambda f: (-f.severity.rank, f.title))
    return ranked if limit is None else ranked[:limit]


def verdict_text(summary: PortfolioSummary) -> str | None:
    """'Verdict: cannot assess — jira: … (rule: no jira data ⇒ cannot assess)'."""
    if summary.verdict is None:
        return None
    detail = f" — {summary.verdict_detail}" if summary.verdict_detail else ""
    return f"Verdict: {summary.verdict}{detail} (rule: {summary.verdict_rule})"


def findings_line(summary: PortfolioSummary, shown: int | None = None) -> str:
    """Totals over every finding, and how many a format shows when it shows fewer."""
    counts = FindingCounts.of(summary.portfolio.findings)
    more = ""
    if shown == 0 and counts.total:
        more = "; the report files list them"
    elif shown is not None and shown < counts.total:
        more = f"; the {shown} most severe are shown here, the report files list all"
    return f"{counts.text()}{more}."


def gap_rows(summary: PortfolioSummary) -> list[list[str]]:
    return [[g.source, g.what, g.why] for g in summary.gaps]


def coverage_rows(summary: PortfolioSummary) -> list[list[str]]:
    rows = [[c.source, c.status.value, c.detail or "—"] for c in summary.portfolio.coverage]
    for note in summary.context:
        detail = f"{note.findings} finding(s) from {note.origin}" + (
            f"; {note.note}" if note.note else "")
        rows.append([f"{note.agent} (context)", note.status, detail])
    return rows


# --- charts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str  # inline form: CSS classes from the page's stylesheet

    @property
    def filename(self) -> str:
        """Content-addressed, so a changed chart is a new attachment, never an overwrite."""
        digest = hashlib.sha256(self.svg.encode("utf-8")).hexdigest()[:10]
        return f"{self.name}-{digest}.svg"

    def standalone(self) -> bytes:
        return standalone_svg(self.svg).encode("utf-8")


_CHART_CSS = (
    "text{font:11px sans-serif;fill:#1d1d1f}.tick{fill:#5f6368}.inside{fill:#fff;"
    "font-weight:700}.grid{stroke:#e5e7eb}.axis{stroke:#5f6368}.band-low{fill:#2e7d32}"
    ".band-elevated{fill:#b26a00}.band-high{fill:#c62828}"
    ".band-unassessed{fill:#757575;stroke:#000;stroke-dasharray:4 3}"
)


def standalone_svg(svg: str) -> str:
    """An SVG file that renders alone: its namespace and its own stylesheet."""
    end = svg.index(">") + 1  # attribute values are escaped: the first '>' ends the tag
    opening = svg[:end].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{opening}<style>{_CHART_CSS}</style>' + (
        svg[end:])


def charts(summary: PortfolioSummary) -> list[Chart]:
    found = []
    if summary.view.epics:
        found.append(_epic_chart(summary.view.epics))
    if summary.view.teams:
        found.append(_team_chart(summary.view.teams))
    return found


def _epic_chart(epics: Sequence[EpicRow]) -> Chart:
    title = "Progress per epic (items done)"
    bars = [Bar(label=e.key, value=e.progress_pct or 0.0,
                text=f"{_pct(e.progress_pct)} ({e.items_done}/{e.items_total}), {outlook(e)}",
                css=_epic_css(e)) for e in epics]
    return Chart("portfolio-epics", title,
                 bar_chart("portfolio-epics", "epic-progress", title, bars, nice_ticks(100)))


def _epic_css(epic: EpicRow) -> str:
    if epic.slipping is None:
        return "band-unassessed"
    return "band-high" if epic.slipping else "band-low"


def _team_chart(teams: Sequence[TeamRow]) -> Chart:
    title = "Items resolved per week, per team"
    bars = [Bar(label=t.team, value=t.throughput_mean, text=f"{t.throughput_mean:.1f}/week",
                css="band-elevated" if (t.throughput_slope or 0) < 0 else "band-low")
            for t in teams]
    top = max((t.throughput_mean for t in teams), default=1.0)
    return Chart("portfolio-teams", title,
                 bar_chart("portfolio-teams", "team-throughput", title, bars, nice_ticks(top)))
