"""Crash reports: what an unexpected error leaves behind, redacted, for a bug report.

The person sees one line naming the file; the file holds the traceback, the command
line, the versions and the time, passed through the configured redactor (the one the
audit log uses), so a token in an argument or a local variable's repr does not leak.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

CRASH_DIR = "crash"


def write_crash_report(exc: BaseException, argv: Sequence[str]) -> Path:
    """Write the report under the data directory (the temp directory if that fails)."""
    text = _redacted(_report_text(exc, argv))
    name = f"crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.txt"
    last_error: OSError | None = None
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return _write(folder / name, text)
        except OSError as error:
            last_error = error
    assert last_error is not None
    raise last_error


def _report_text(exc: BaseException, argv: Sequence[str]) -> str:
    from importlib import metadata

    try:
        version = metadata.version("release-risk-advisor")
    except metadata.PackageNotFoundError:
        version = "unknown"
    lines = [
        "Release Risk Advisor crash report",
        f"time (UTC): {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"advisor: {version}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        f"command: advisor {' '.join(argv)}",
        "",
        *traceback.format_exception(exc),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def _redacted(text: str) -> str:
    """Through the configured redactor; the default one when the settings are the problem."""
    try:
        from advisor.context import configured_redactor
        from advisor.settings import load_settings

        redactor = configured_redactor(load_settings())
    except Exception:  # the settings may be what crashed
        from governance.redact import Redactor

        redactor = Redactor()
    return redactor.redact(text).text


def _folders() -> list[Path]:
    from advisor import paths

    folders = []
    try:
        from advisor.settings import load_settings

        folders.append(load_settings().home / CRASH_DIR)
    except Exception:  # an unreadable setting: fall back to the default data directory
        folders.append(paths.data_dir() / CRASH_DIR)
    folders.append(Path(tempfile.gettempdir()) / f"{paths.APP_NAME}-{CRASH_DIR}")
    return folders


def _write(path: Path, text: str) -> Path:
    from render.base import write_atomically

    write_atomically(path, text, mode=0o600)  # paths and names of this machine: private
    return path
