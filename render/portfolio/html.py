"""The portfolio summary as one self-contained HTML page (strict CSP, inline SVG charts)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.common import format_timestamp
from render.portfolio.common import (
    EPIC_ALIGN,
    EPIC_HEADER,
    TEAM_ALIGN,
    TEAM_HEADER,
    charts,
    coverage_rows,
    epic_cells,
    findings_line,
    gap_rows,
    page_title,
    period_text,
    redact_summary,
    signoff_command,
    signoff_text,
    team_cells,
    top_findings,
    verdict_text,
)

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
                       f"{e(f.recommendation)}</li>" for f in top_findings(s, None))
    verdict = verdict_text(s)
    body = [
        f'<section class="banner"><p><strong>{e(s.advisory_banner)}</strong></p>'
        f"<p>Sign-off: {e(signoff_text(s))}</p>"
        + (f"<p>To decide: <code>{e(command)}</code></p>" if command else "")
        + (f'<p class="verdict"><strong>{e(verdict)}</strong></p>' if verdict else "")
        + "</section>",
        f"<h1>{title}</h1><p>Period: {e(period_text(s))} · generated "
        f"{e(format_timestamp(s.generated_at))}</p>",
        f"<h2>Executive summary</h2><p>{e(s.summary)}</p>",
        "<h2>Epics</h2>" + _html_table(EPIC_HEADER, map(epic_cells, s.view.epics), EPIC_ALIGN),
        "<h2>Teams</h2>" + _html_table(TEAM_HEADER, map(team_cells, s.view.teams), TEAM_ALIGN),
        '<div class="charts">' + "".join(f"<figure>{c.svg}</figure>" for c in charts(s))
        + "</div>",
        f"<h2>Findings</h2><p>{e(findings_line(s))}</p>"
        f"<ul>{findings or '<li>No findings.</li>'}</ul>",
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
