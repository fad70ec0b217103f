"""The portfolio summary on the terminal (rich): it must fit 80 columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.portfolio.common import (
    EPIC_HEADER,
    TEAM_HEADER,
    epic_cells,
    findings_line,
    gap_rows,
    page_title,
    period_text,
    redact_summary,
    signoff_command,
    signoff_text,
    team_cells,
    verdict_text,
)


def render_terminal(summary: PortfolioSummary, console: Console, *,
                    written: Mapping[str, Path] | None = None,
                    redactor: Redactor | None = None, who_decides: str | None = None) -> None:
    """``who_decides``: the role a decision needs and who holds it, under the command."""
    s = redact_summary(summary, redactor)
    frame = box.ROUNDED if console.is_terminal else box.ASCII
    lines = [Text(s.advisory_banner, style="bold"), Text("Sign-off: " + signoff_text(s))]
    if command := signoff_command(s):
        lines.append(Text("To decide: " + command, style="cyan"))
        if who_decides:
            lines.append(Text(who_decides))
    console.print(Panel(Group(*lines), title=Text(f"ADVISORY — {page_title(s)}"), box=frame,
                        border_style="red"))
    console.print(Text(f"{s.subject} · {period_text(s)}", style="bold"))
    if verdict := verdict_text(s):
        console.print(Text(verdict, style="bold"))
    console.print(Text(s.summary))
    console.print(Text("Findings: " + findings_line(s, 0)))
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
