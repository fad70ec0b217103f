"""Render a ``ReleaseReport`` for people and machines: terminal, Markdown, HTML, JSON.

Every format renders a redacted copy and carries the advisory banner and the sign-off
status. ``docs/report-formats.md`` says which format goes where.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agents.aggregate import ReleaseReport
from governance.redact import Redactor
from render import base
from render.base import Renderer, UnknownFormatError
from render.release.html import render_html
from render.release.json import render_json, report_json_schema
from render.release.markdown import render_markdown
from render.release.terminal import render_terminal

__all__ = [
    "FORMATS", "RENDERERS", "UnknownFormatError", "parse_formats", "render_html",
    "render_json", "render_markdown", "render_terminal", "report_json_schema", "write_reports",
]

FORMATS = ("terminal", "md", "html", "json")
# The file formats; "terminal" is printed by the caller, never written.
RENDERERS: dict[str, Renderer[ReleaseReport]] = {
    "md": render_markdown, "html": render_html, "json": render_json}


def parse_formats(text: str) -> list[str]:
    """``"md,html"`` → ``["md", "html"]``: in order, without repeats, each one known."""
    return base.parse_formats(text, FORMATS)


def write_reports(
    report: ReleaseReport,
    formats: Sequence[str],
    output_dir: Path,
    *,
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Write ``<report-id or 'report'>.<md|html|json>``; returns format → path written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UnknownFormatError(f"unknown report format(s): {', '.join(unknown)}")
    stem = base.file_stem(report.report_id, "report")
    return base.write_files(report, RENDERERS, formats, output_dir, stem, redactor=redactor)
