"""The portfolio summary in Confluence storage format (XHTML), charts as attachments."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from agents.portfolio import EpicRow
from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.common import format_timestamp, safe_url
from render.portfolio.common import (
    EPIC_HEADER,
    TEAM_HEADER,
    Chart,
    charts,
    coverage_rows,
    epic_cells,
    findings_line,
    gap_rows,
    period_text,
    redact_summary,
    team_cells,
    top_findings,
    verdict_text,
)

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
             f"<p><strong>{xml_text(s.subject)}</strong> · {xml_text(period_text(s))}</p>"]
    if verdict := verdict_text(s):
        parts.append(f"<p><strong>{xml_text(verdict)}</strong></p>")
    parts += ["<h2>Executive summary</h2>", f"<p>{xml_text(s.summary)}</p>",
              "<h2>Epics</h2>", _raw_table(EPIC_HEADER, epic_rows)]
    if "portfolio-epics" in by_name:
        parts.append(_image(by_name["portfolio-epics"]))
    parts += ["<h2>Teams</h2>", _storage_table(TEAM_HEADER, map(team_cells, s.view.teams))]
    if "portfolio-teams" in by_name:
        parts.append(_image(by_name["portfolio-teams"]))
    findings = "".join(f"<li><p><strong>{xml_text(f.severity.value)}</strong> "
                       f"{xml_text(f.title)} — {xml_text(f.recommendation)}</p></li>"
                       for f in top_findings(s))
    parts += ["<h2>Findings</h2>",
              f"<p>{xml_text(findings_line(s, len(top_findings(s))))}</p>",
              f"<ul>{findings}</ul>" if findings else
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
