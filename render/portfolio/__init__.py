"""The portfolio summary for people and machines: terminal, Markdown, HTML, JSON, Confluence.

Every format renders a redacted copy, carries the advisory banner and says who signed it
off (or that nobody has). ``render.portfolio.storage`` is the Confluence page body.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.base import Renderer, file_stem, write_files
from render.portfolio.html import render_html
from render.portfolio.json import render_json
from render.portfolio.markdown import render_markdown
from render.portfolio.terminal import render_terminal

__all__ = ["FORMATS", "RENDERERS", "render_html", "render_json", "render_markdown",
           "render_terminal", "write_portfolio_reports"]

FORMATS = ("terminal", "md", "html", "json")
RENDERERS: dict[str, Renderer[PortfolioSummary]] = {
    "md": render_markdown, "html": render_html, "json": render_json}


def write_portfolio_reports(summary: PortfolioSummary, formats: Sequence[str],
                            output_dir: Path, *,
                            redactor: Redactor | None = None) -> dict[str, Path]:
    """Write ``<report id>.<md|html|json>`` atomically; returns format → path."""
    stem = file_stem(summary.report_id, "portfolio-summary")
    return write_files(summary, RENDERERS, formats, output_dir, stem, redactor=redactor)
