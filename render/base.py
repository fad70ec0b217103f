"""What every report format shares: the renderer interface, format names, atomic files.

A renderer turns one kind of report into the text of one format, always from a redacted
copy. Each format lives in a module of its own under the package of its report kind
(``render.release``, ``render.portfolio``, ``render.review``).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:  # annotations only: writing a file needs no detectors loaded
    from governance.redact import Redactor

ReportT_contra = TypeVar("ReportT_contra", contravariant=True)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Renderer(Protocol[ReportT_contra]):
    """One file format of one kind of report."""

    def __call__(self, report: ReportT_contra, /, *, redactor: Redactor | None = None
                 ) -> str: ...


class UnknownFormatError(ValueError):
    pass


def parse_formats(text: str, known: Sequence[str]) -> list[str]:
    """``"md,html"`` → ``["md", "html"]``: in order, without repeats, each one known."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        what = f"unknown report format(s): {', '.join(unknown)}" if unknown else "no format"
        raise UnknownFormatError(f"{what}; choose from {', '.join(known)}, comma-separated")
    return list(dict.fromkeys(names))


def file_stem(report_id: str | None, fallback: str) -> str:
    """A report id made safe as a file name."""
    return _UNSAFE.sub("_", report_id or "").strip("._") or fallback


def write_files(
    report: ReportT_contra,
    renderers: Mapping[str, Renderer[ReportT_contra]],
    formats: Sequence[str],
    output_dir: Path,
    stem: str,
    *,
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Write ``<stem>.<format>`` for each file format asked for; returns format → path.

    Formats without a renderer here (``terminal``) are the caller's to print.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in dict.fromkeys(formats):
        if fmt in renderers:
            path = output_dir / f"{stem}.{fmt}"
            write_atomically(path, renderers[fmt](report, redactor=redactor))
            written[fmt] = path
    return written


def write_atomically(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Temp file in the same directory + rename: a reader never sees half a report.

    ``mode``: a report is meant to be shared (0644); pass 0o600 for a private file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
