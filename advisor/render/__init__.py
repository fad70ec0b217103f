"""Render a ``ReleaseReport`` for people and machines: terminal, Markdown, HTML, JSON.

Every format renders a redacted copy and carries the advisory banner and the sign-off
status. ``docs/report-formats.md`` says which format goes where.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from advisor.render.html import render_html
from advisor.render.json import render_json, report_json_schema
from advisor.render.markdown import render_markdown
from advisor.render.terminal import render_terminal
from agents.aggregate import ReleaseReport
from governance.redact import Redactor

__all__ = [
    "FORMATS", "UnknownFormatError", "parse_formats", "render_html", "render_json",
    "render_markdown", "render_terminal", "report_json_schema", "write_reports",
]

FORMATS = ("terminal", "md", "html", "json")
# The file formats; "terminal" is printed by the caller, never written.
_WRITERS: dict[str, Callable[[ReleaseReport, Redactor | None], str]] = {
    "md": lambda report, redactor: render_markdown(report, redactor=redactor),
    "html": lambda report, redactor: render_html(report, redactor=redactor),
    "json": lambda report, redactor: render_json(report, redactor=redactor),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnknownFormatError(ValueError):
    pass


def parse_formats(text: str) -> list[str]:
    """``"md,html"`` → ``["md", "html"]``: in order, without repeats, each one known."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        what = f"unknown report format(s): {', '.join(unknown)}" if unknown else "no format"
        raise UnknownFormatError(f"{what}; choose from {', '.join(FORMATS)}, comma-separated")
    return list(dict.fromkeys(names))


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
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", report.report_id or "").strip("._") or "report"
    written: dict[str, Path] = {}
    for fmt in dict.fromkeys(formats):
        if fmt in _WRITERS:
            path = output_dir / f"{stem}.{fmt}"
            _write_atomically(path, _WRITERS[fmt](report, redactor))
            written[fmt] = path
    return written


def _write_atomically(path: Path, text: str) -> None:
    """Temp file in the same directory + rename: a reader never sees half a report."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it 0600; a report is meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
