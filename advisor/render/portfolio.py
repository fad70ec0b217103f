"""The portfolio summary for people and machines: terminal, Markdown, HTML, JSON, Confluence.

``PortfolioSummary`` is what the ``portfolio_summary`` graph records and every format
renders: the portfolio agent's tables (``PortfolioView``) and report, the executive
summary, the context other agents gave, and the sign-off. Every format renders a
redacted copy, carries the advisory banner and says who signed it off (or that nobody
has). Charts are hand-drawn SVG (``advisor.render.charts``); standalone copies carry
their own stylesheet so Confluence can show them as attachments.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from advisor.render.charts import Bar, bar_chart, nice_ticks
from advisor.render.common import PENDING, clip, format_timestamp, safe_url
from agents.aggregate import ADVISORY_BANNER
from agents.models import AgentReport, Finding, LlmUsage
from agents.portfolio import EpicRow, PortfolioView, TeamRow
from connectors.provenance import Gap
from governance.redact import Redactor, default_redactor

FORMATS = ("terminal", "md", "html", "json")
TOP_FINDINGS = 10
SIGNOFF_COMMAND = 'advisor signoff {report_id} --approve|--reject --comment "why"'


class ContextNote(BaseModel):
    """What another agent contributed as context (or why it did not)."""

    agent: str
    origin: str = Field(description="'snapshot', 'report <id>' or 'not run'.")
    status: str
    findings: int = 0
    note: str = ""


class PortfolioSummary(BaseModel):
    """The recorded portfolio summary: what is signed off and what is published."""

    schema_version: str = "1.0"
    kind: Literal["portfolio"] = "portfolio"
    advisory_banner: str = ADVISORY_BANNER
    subject: str
    generated_at: datetime
    report_id: str | None = None
    signoff_status: str = "pending_signoff"
    signed_off_by: str | None = None
    signed_off_at: str | None = None
    snapshot_hash: str | None = None
    projects: list[str]
    epics_jql: str | None = None
    overall_score: float
    summary: str
    view: PortfolioView
    portfolio: AgentReport
    context: list[ContextNote] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    llm: LlmUsage = Field(default_factory=LlmUsage)


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
        return f"{status.capitalize()} by {summary.signed_off_by} on {when}"
    if status == "superseded":
        return "Superseded by a newer summary — nothing was approved"
    return PENDING


def signoff_command(summary: PortfolioSummary) -> str | None:
    if summary.signoff_status != "pending_signoff" or not summary.report_id:
        return None
    return SIGNOFF_COMMAND.format(report_id=summary.report_id)


# --- redaction ------------------------------------------------------------------------

_VERBATIM = ("schema_version", "kind", "generated_at", "report_id", "signoff_status",
             "signed_off_by", "signed_off_at", "snapshot_hash")


def redact_summary(summary: PortfolioSummary,
                   redactor: Redactor | None = None) -> PortfolioSummary:
    """A copy with secrets and PII masked in every string value (idempotent)."""
    active = redactor or default_redactor()
    data = summary.model_dump(mode="json")
    kept = {name: data.pop(name) for name in _VERBATIM}
    masked = _walk(data, functools.cache(lambda text: active.redact(text).text))
    return PortfolioSummary.model_validate({**masked, **kept})


def _walk(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: _walk(item, mask) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, mask) for item in value]
    return value


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


def top_findings(summary: PortfolioSummary, limit: int = TOP_FINDINGS) -> list[Finding]:
    ranked = sorted(summary.portfolio.findings, key=lambda f: (-f.severity.rank, f.title))
    return ranked[:limit]


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


# --- Markdown ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")


def _md(text: str, limit: int = 600) -> str:
    return _MD_SPECIAL.sub(r"\\\1", clip(text, limit))


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    marks = ["---:" if a == "r" else "---" for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(_md(c, 200) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(summary: PortfolioSummary, *, redactor: Redactor | None = None) -> str:
    s = redact_summary(summary, redactor)
    parts = [f"# {_md(page_title(s))}: {_md(s.subject)}",
             f"> **{_md(s.advisory_banner)}**  \n> Sign-off: {_md(signoff_text(s))}"]
    if command := signoff_command(s):
        parts.append(f"To decide: `{command}`")
    parts += [f"Period: {_md(period_text(s))} · generated {format_timestamp(s.generated_at)}",
              "## Executive summary", _md(s.summary, 4000), "## Epics",
              _md_table(EPIC_HEADER, [epic_cells(e) for e in s.view.epics], EPIC_ALIGN)
              if s.view.epics else "_No epics in scope._", "## Teams",
              _md_table(TEAM_HEADER, [team_cells(t) for t in s.view.teams], TEAM_ALIGN)
              if s.view.teams else "_No teams in scope._", "## Findings",
              "\n".join(f"- **{f.severity.value}** {_md(f.title, 200)} — "
                        f"{_md(f.recommendation, 300)}" for f in top_findings(s))
              or "_No findings._", "## Data coverage and gaps",
              _md_table(("Source", "Status", "Detail"), coverage_rows(s), "lll")]
    if s.gaps:
        parts.append(_md_table(("Source", "What is missing", "Why"), gap_rows(s), "lll"))
    parts.append(f"---\nReport {s.report_id or 'not registered'} · snapshot "
                 f"{s.snapshot_hash or 'none'} · narrator {s.llm.provider}")
    return "\n\n".join(parts) + "\n"


# --- HTML -------------------------------------------------------------------------------

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'")
_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;color:#1d1d1f;margin:0 auto;max-width:1100px;"
    "padding:0 1.5rem 2rem}.banner{border:3px solid #c62828;background:#fff4f4;"
    "padding:.8rem 1rem;margin-top:1rem}table{border-collapse:collapse;width:100%;"
    "margin:.5rem 0 1rem;font-size:.92rem}th,td{border:1px solid #d0d4d9;padding:.3rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#f3f4f6}td.num{text-align:right}"
    ".charts{display:flex;flex-wrap:wrap;gap:1rem}svg{max-width:100%;height:auto}"
    "svg text{font:11px system-ui,sans-serif;fill:#1d1d1f}svg .tick{fill:#5f6368}"
    "svg .inside{fill:#fff;font-weight:700}svg .grid{stroke:#e5e7eb}svg .axis{stroke:#5f6368}"
    ".band-low{fill:#2e7d32}.band-elevated{fill:#b26a00}.band-high{fill:#c62828}"
    ".band-unassessed{fill:#757575;stroke:#000;stroke-dasharray:4 3}"
)


def _html_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    kinds = align.ljust(len(header), "l")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{html.escape(c)}</td>' if kinds[i] == "r"
                         else f"<td>{html.escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(summary: PortfolioSummary, *, redactor: Redactor | None = None) -> str:
    s = redact_summary(summary, redactor)
    e = html.escape
    title = e(f"{page_title(s)}: {s.subject}")
    command = signoff_command(s)
    findings = "".join(f"<li><strong>{e(f.severity.value)}</strong> {e(f.title)} — "
                       f"{e(f.recommendation)}</li>" for f in top_findings(s))
    body = [
        f'<section class="banner"><p><strong>{e(s.advisory_banner)}</strong></p>'
        f"<p>Sign-off: {e(signoff_text(s))}</p>"
        + (f"<p>To decide: <code>{e(command)}</code></p>" if command else "") + "</section>",
        f"<h1>{title}</h1><p>Period: {e(period_text(s))} · generated "
        f"{e(format_timestamp(s.generated_at))}</p>",
        f"<h2>Executive summary</h2><p>{e(s.summary)}</p>",
        "<h2>Epics</h2>" + _html_table(EPIC_HEADER, map(epic_cells, s.view.epics), EPIC_ALIGN),
        "<h2>Teams</h2>" + _html_table(TEAM_HEADER, map(team_cells, s.view.teams), TEAM_ALIGN),
        '<div class="charts">' + "".join(f"<figure>{c.svg}</figure>" for c in charts(s))
        + "</div>",
        f"<h2>Findings</h2><ul>{findings or '<li>No findings.</li>'}</ul>",
        "<h2>Data coverage and gaps</h2>"
        + _html_table(("Source", "Status", "Detail"), coverage_rows(s))
        + (_html_table(("Source", "What is missing", "Why"), gap_rows(s)) if s.gaps else ""),
        f"<footer><p>Report {e(s.report_id or 'not registered')} · snapshot "
        f"{e(s.snapshot_hash or 'none')} · narrator {e(s.llm.provider)}</p></footer>",
    ]
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


# --- JSON and terminal ------------------------------------------------------------------


def render_json(summary: PortfolioSummary, *, redactor: Redactor | None = None) -> str:
    data = redact_summary(summary, redactor).model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_terminal(summary: PortfolioSummary, console: Console, *,
                    written: Mapping[str, Path] | None = None,
                    redactor: Redactor | None = None) -> None:
    s = redact_summary(summary, redactor)
    frame = box.ROUNDED if console.is_terminal else box.ASCII
    lines = [Text(s.advisory_banner, style="bold"), Text("Sign-off: " + signoff_text(s))]
    if command := signoff_command(s):
        lines.append(Text("To decide: " + command, style="cyan"))
    console.print(Panel(Group(*lines), title=Text(f"ADVISORY — {page_title(s)}"), box=frame,
                        border_style="red"))
    console.print(Text(f"{s.subject} · {period_text(s)}", style="bold"))
    console.print(Text(s.summary))
    epics = ([c for i, c in enumerate(epic_cells(e)) if i in _TERMINAL_EPIC] for e in s.view.epics)
    console.print(_rich_table("Epics", [EPIC_HEADER[i] for i in _TERMINAL_EPIC], epics, frame))
    console.print(_rich_table("Teams", TEAM_HEADER, map(team_cells, s.view.teams), frame))
    if s.gaps:
        console.print(_rich_table("Gaps", ("Source", "What is missing", "Why"), gap_rows(s),
                                  frame))
    console.print(Text(f"Report id: {s.report_id or 'not registered'}  ·  snapshot: "
                       f"{s.snapshot_hash or 'none'}", style="dim"))
    for fmt, path in (written or {}).items():
        console.print(Text(f"wrote {fmt}: {path}"))


_TERMINAL_EPIC = (0, 1, 4, 5, 9, 10, 11)  # the rest is in md/html: this must fit 80 columns


def _rich_table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]],
                frame: box.Box) -> Table:
    table = Table(*header, title=title, box=frame, title_justify="left")
    table.columns[0].no_wrap = True  # keys and team names stay readable
    for row in rows:
        table.add_row(*(Text(c) for c in row))  # Text: data is never read as markup
    return table


# --- Confluence storage format ------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text as XHTML storage format: escaped, without characters XML cannot hold."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _panel(kind: str, title: str, text: str) -> str:
    return (f'<ac:structured-macro ac:name="{kind}" ac:schema-version="1">'
            f'<ac:parameter ac:name="title">{xml_text(title)}</ac:parameter>'
            f"<ac:rich-text-body><p>{xml_text(text)}</p></ac:rich-text-body>"
            "</ac:structured-macro>")


def storage_panel(summary: PortfolioSummary) -> str:
    generated = format_timestamp(summary.generated_at)
    if summary.signoff_status == "approved" and summary.signed_off_by:
        when = format_timestamp(summary.signed_off_at or "unknown date")
        return _panel("info", "Advisory", f"Advisory — generated on {generated}, signed off by "
                      f"{summary.signed_off_by} on {when}. {summary.advisory_banner}")
    return _panel("note", "Draft — pending sign-off",
                  f"Draft — pending sign-off. Advisory — generated on {generated}; nothing "
                  "here is approved until a named portfolio approver signs it off.")


def storage_withdrawn(summary: PortfolioSummary) -> str:
    """What a rejected draft's page becomes: the decision, none of the content."""
    when = format_timestamp(summary.signed_off_at or "unknown date")
    return _panel("warning", "Rejected — withdrawn",
                  f"This portfolio summary ({period_text(summary)}) was rejected by "
                  f"{summary.signed_off_by or 'an approver'} on {when}. Its content has been "
                  "withdrawn; do not rely on earlier versions of this page.")


def _storage_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return _raw_table(header, ([xml_text(c) for c in row] for row in rows))


def _storage_link(epic: EpicRow) -> str:
    url = safe_url(epic.url)
    if not url:
        return xml_text(epic.key)
    return f'<a href="{xml_text(url)}">{xml_text(epic.key)}</a>'


def _image(chart: Chart) -> str:
    return (f'<p><ac:image ac:alt="{xml_text(chart.title)}" ac:title="{xml_text(chart.title)}">'
            f'<ri:attachment ri:filename="{xml_text(chart.filename)}" /></ac:image></p>')


def render_storage(summary: PortfolioSummary, *, redactor: Redactor | None = None
                   ) -> tuple[str, list[Chart]]:
    """The page body in Confluence storage format and the charts it shows as attachments."""
    s = redact_summary(summary, redactor)
    found = charts(s)
    by_name = {c.name: c for c in found}
    epic_rows = [[_storage_link(e), *(xml_text(c) for c in epic_cells(e)[1:])]
                 for e in s.view.epics]
    parts = [storage_panel(s),
             f"<p><strong>{xml_text(s.subject)}</strong> · {xml_text(period_text(s))}</p>",
             "<h2>Executive summary</h2>", f"<p>{xml_text(s.summary)}</p>",
             "<h2>Epics</h2>", _raw_table(EPIC_HEADER, epic_rows)]
    if "portfolio-epics" in by_name:
        parts.append(_image(by_name["portfolio-epics"]))
    parts += ["<h2>Teams</h2>", _storage_table(TEAM_HEADER, map(team_cells, s.view.teams))]
    if "portfolio-teams" in by_name:
        parts.append(_image(by_name["portfolio-teams"]))
    findings = "".join(f"<li><p><strong>{xml_text(f.severity.value)}</strong> "
                       f"{xml_text(f.title)} — {xml_text(f.recommendation)}</p></li>"
                       for f in top_findings(s))
    parts += ["<h2>Findings</h2>", f"<ul>{findings}</ul>" if findings else
              "<p>No findings.</p>", "<h2>Data coverage and gaps</h2>",
              _storage_table(("Source", "Status", "Detail"), coverage_rows(s))]
    if s.gaps:
        parts.append(_storage_table(("Source", "What is missing", "Why"), gap_rows(s)))
    parts.append(f"<p><em>Report {xml_text(s.report_id or 'not registered')} · snapshot "
                 f"{xml_text(s.snapshot_hash or 'none')} · narrator "
                 f"{xml_text(s.llm.provider)}</em></p>")
    return "".join(parts), found


def _raw_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Cells arrive as storage markup, already escaped."""
    head = "".join(f"<th><p>{xml_text(h)}</p></th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td><p>{c}</p></td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tbody><tr>{head}</tr>{body}</tbody></table>"


# --- files ------------------------------------------------------------------------------

_WRITERS: dict[str, Callable[..., str]] = {
    "md": render_markdown, "html": render_html, "json": render_json}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_portfolio_reports(summary: PortfolioSummary, formats: Sequence[str],
                            output_dir: Path, *,
                            redactor: Redactor | None = None) -> dict[str, Path]:
    """Write ``<report id>.<md|html|json>`` atomically; returns format → path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", summary.report_id or "").strip("._") or "portfolio-summary"
    written: dict[str, Path] = {}
    for fmt in dict.fromkeys(formats):
        if fmt in _WRITERS:
            path = output_dir / f"{stem}.{fmt}"
            _write_atomically(path, _WRITERS[fmt](summary, redactor=redactor))
            written[fmt] = path
    return written


def _write_atomically(path: Path, text: str) -> None:
    """Temp file beside it, then rename: a reader never sees half a report."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # a report is meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
