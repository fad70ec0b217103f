"""``-o/--output DIR``, the same for every command that writes files.

Files go to the directory, named ``<REPORT_ID>.<FORMAT>``, each written atomically
(temp file + rename). ``-o -`` prints the one file format asked for to stdout instead.
The target is checked before the run starts (``output_target``), so a bad one is refused
before anything is recorded; writing happens after (``OutputTarget.write``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from advisor.commands.inputs import STDOUT, writable_dir
from advisor.errors import UsageError

if TYPE_CHECKING:
    from governance.redact import Redactor
    from render.base import Renderer

ReportT = TypeVar("ReportT")


@dataclass(frozen=True)
class OutputTarget:
    """A checked ``--output``: a directory, or None for stdout."""

    directory: Path | None
    formats: tuple[str, ...]  # the file formats to write (not "terminal")
    option: str = "--output"

    def write(self, report: ReportT, renderers: Mapping[str, Renderer[ReportT]], stem: str,
              *, redactor: Redactor | None = None) -> dict[str, Path]:
        """Render and write each format; returns format → path (nothing for stdout)."""
        from render.base import write_files

        if not self.formats:
            return {}
        if self.directory is None:
            typer.echo(renderers[self.formats[0]](report, redactor=redactor), nl=False)
            return {}
        try:
            return write_files(report, renderers, self.formats, self.directory, stem,
                               redactor=redactor)
        except OSError as exc:  # checked before the run; the disk may still fill up
            raise UsageError(f"{self.option}: cannot write in {self.directory}: "
                             f"{exc.strerror or exc}",
                             hint=f"{stem} is recorded; run the command again to write "
                                  "its files") from None

    def write_text(self, name: str, text: str) -> Path | None:
        """One file of ready text (``name`` with its extension); None for stdout."""
        from render.base import write_atomically

        if self.directory is None:
            typer.echo(text, nl=False)
            return None
        path = self.directory / name
        try:
            write_atomically(path, text)
        except OSError as exc:
            raise UsageError(f"{self.option}: cannot write {path}: "
                             f"{exc.strerror or exc}") from None
        return path


def output_target(path: Path, file_formats: Sequence[str], *, terminal: bool = False,
                  option: str = "--output") -> OutputTarget:
    """Check ``--output`` for these formats: a writable directory, or ``-`` for one format.

    ``terminal``: the terminal view was asked for too, which ``-`` would garble.
    """
    chosen = tuple(file_formats)
    if str(path) == STDOUT:
        if len(chosen) != 1 or terminal:
            asked = ", ".join(["terminal"] * terminal + list(chosen)) or "none"
            raise UsageError(f"{option} -: prints exactly one file format to stdout "
                             f"(asked for: {asked})",
                             hint="choose one with --format, or give a directory")
        return OutputTarget(None, chosen, option)
    if chosen:  # nothing to write: leave the path alone
        writable_dir(path, option, file_suffixes=chosen)
    return OutputTarget(path, chosen, option)

