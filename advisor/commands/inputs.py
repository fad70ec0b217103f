"""Checking a command's input before anything is recorded, and the options every command
spells the same way.

Each check raises ``UsageError`` (exit code 2) with one line naming the option; a command
runs all of them before it opens a run, registers a report or writes an audit entry.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from advisor.errors import UsageError

STDOUT = "-"
LIST_FORMATS = ("table", "json")

OutputOption = Annotated[Path, typer.Option(
    "-o", "--output", metavar="DIR",
    help="Directory for the files, named REPORT_ID.FORMAT (created if missing); "
         "'-' prints the one file format asked for to stdout.")]
ListFormatOption = Annotated[str, typer.Option(
    "--format", metavar="FORMAT", help="table, or json for scripts.")]
LimitOption = Annotated[int, typer.Option(
    "--limit", metavar="N", min=1, max=10_000, help="How many, newest first.")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress display.")]


def one_of(value: str | None, allowed: Sequence[str], option: str) -> str | None:
    """``value`` if it is one of ``allowed`` (or None); otherwise one line naming them."""
    if value is None or value in allowed:
        return value
    raise UsageError(f"{option}: expected one of {', '.join(allowed)}, got {value!r}")


def formats(text: str, allowed: Sequence[str], option: str = "--format") -> list[str]:
    """``"md,html"`` → ``["md", "html"]``: in order, without repeats, each one allowed."""
    names = list(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise UsageError(f"{option}: unknown {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(allowed)} (comma-separated)")
    return names


def existing_file(path: Path | None, option: str) -> Path | None:
    if path is None:
        return None
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a directory, not a file")
    if path.exists() and not path.is_file():  # a device, a FIFO: never read into memory
        raise UsageError(f"{option}: {path} is not a regular file; refused")
    if not path.is_file():
        raise UsageError(f"{option}: no such file: {path}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option}: cannot read {path}")
    return path


def existing_dir(path: Path | None, option: str) -> Path | None:
    if path is None:
        return None
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option}: {path} is not a directory")
    if not path.is_dir():
        raise UsageError(f"{option}: no such directory: {path}")
    return path


def writable_dir(path: Path, option: str, file_suffixes: Sequence[str] = ()) -> Path:
    """``path`` as a directory this process can write in, created if missing.

    Tried for real (a probe file), not with ``os.access``: that says yes to root on a
    read-only file system and knows nothing of ``/proc``. A missing path named like one
    of the files (``report.json``) is refused rather than made a directory: that is
    someone who meant a file.
    """
    takes = f"{option} takes a directory; the files in it are named by id and format"
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option}: {path} is not a directory", hint=takes)
    if not path.exists() and any(path.name.endswith(f".{s}") for s in file_suffixes):
        raise UsageError(f"{option}: {path} looks like a file name", hint=takes)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option}: cannot create directory {path}: "
                         f"{exc.strerror or exc}") from None
    try:
        import tempfile  # (with random): only a command that writes files loads it

        handle, probe = tempfile.mkstemp(dir=path, prefix=".advisor-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{option}: cannot write in {path}: {exc.strerror or exc}") from None
    return path
