"""The portfolio summary as Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.common import clip, format_timestamp
from render.portfolio.common import (
    EPIC_ALIGN,
    EPIC_HEADER,
    TEAM_ALIGN,
    TEAM_HEADER,
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
    if verdict := verdict_text(s):
        parts.append(f"**{_md(verdict)}**")
    parts += [f"Period: {_md(period_text(s))} · generated {format_timestamp(s.generated_at)}",
              "## Executive summary", _md(s.summary, 4000), "## Epics",
              _md_table(EPIC_HEADER, [epic_cells(e) for e in s.view.epics], EPIC_ALIGN)
              if s.view.epics else "_No epics in scope._", "## Teams",
              _md_table(TEAM_HEADER, [team_cells(t) for t in s.view.teams], TEAM_ALIGN)
              if s.view.teams else "_No teams in scope._", "## Findings",
              _md(findings_line(s)),
              "\n".join(f"- **{f.severity.value}** {_md(f.title)} — "
                        f"{_md(f.recommendation)}" for f in top_findings(s, None))
              or "_No findings._", "## Data coverage and gaps",
              _md_table(("Source", "Status", "Detail"), coverage_rows(s), "lll")]
    if s.gaps:
        parts.append(_md_table(("Source", "What is missing", "Why"), gap_rows(s), "lll"))
    parts.append(f"---\nReport {s.report_id or 'not registered'} · snapshot "
                 f"{s.snapshot_hash or 'none'} · narrator {s.llm.provider}")
    return "\n\n".join(parts) + "\n"
