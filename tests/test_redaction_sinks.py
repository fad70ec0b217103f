"""Every shape redaction used to miss, through every place text is kept or shown (#17):
stored columns, the audit log, LangGraph checkpoints, rendered reports, `advisor`
output, logs and crash reports — on SQLite and PostgreSQL. (What reaches the LLM is
checked in tests/advisory/test_safety.py.)"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import create_engine, inspect, text

from tests.inprocess import run_advisor
from tests.render import sample
from tests.test_redact_shapes import ANTHROPIC, AWS_SECRET, GOOGLE, OPENAI_PROJECT

LEAKS = {
    "anthropic": ANTHROPIC,
    "google": GOOGLE,
    "openai": OPENAI_PROJECT,
    "aws-secret": AWS_SECRET,
    "email-colon": "jane@acme.com:Hunter2Secret!",
    "path-email": "notes/jane@acme.com.py:1",
    "card-dots": "4111.1111.1111.1111",
    "full-width-email": "ｊａｎｅ＠ａｃｍｅ．ｃｏｍ",
    "zero-width-key": "AKIA\u200bQX4Z7RWM2KJ5TNPB",
}
# What must never be found anywhere the advisor keeps or shows text.
CORES = [ANTHROPIC[8:40], GOOGLE[4:], OPENAI_PROJECT[8:40], AWS_SECRET, "Hunter2Secret",
         "jane@acme.com", "4111.1111", "ａｃｍｅ", "QX4Z7RWM"]
TEXT = "; ".join(f"{name} {value}" for name, value in LEAKS.items())

DIFF = f'''diff --git a/app/notes.py b/app/notes.py
new file mode 100644
--- /dev/null
+++ b/app/notes.py
@@ -0,0 +1,2 @@
+"""Contacts."""
+OWNER = "{LEAKS['email-colon']}"
'''
ROLES = "roles:\n  admin: [ada]\n  security-reviewer: [sec-lead]\n"


def leaked(blob: str | bytes) -> list[str]:
    haystack = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return [core for core in CORES if core in haystack]


def as_user(monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    for name in ("USER", "LOGNAME"):
        monkeypatch.setenv(name, user)


def everything_stored(url: str, home: Path) -> str:
    """Every row of every table: the governance store and the checkpoints."""
    engine = create_engine(url)
    dumped: list[str] = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                dumped.append(repr(tuple(bytes(v).decode("utf-8", "replace")
                                         if isinstance(v, bytes | memoryview) else v
                                         for v in row)))
    engine.dispose()
    checkpoints = home / "checkpoints.db"
    if checkpoints.exists():
        with sqlite3.connect(checkpoints) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    dumped.append(repr(tuple(v.decode("utf-8", "replace")
                                             if isinstance(v, bytes) else v for v in row)))
    return "\n".join(dumped)


def test_leaks_reach_no_stored_column_checkpoint_or_output(
        store_url: str, isolated_environment: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    monkeypatch.setenv("ADVISOR_DATABASE_URL", store_url)
    diff = tmp_path / "change.diff"
    diff.write_text(DIFF)
    outputs: list[str] = []

    as_user(monkeypatch, "ada")
    for args in (("killswitch", "on", "--reason", f"incident: {TEXT}"),
                 ("killswitch", "status"), ("killswitch", "off", "--reason", "over")):
        outputs += run_advisor(capsys, *args)[1:]
    as_user(monkeypatch, "dev")
    code, out, err = run_advisor(capsys, "security-review", "--diff", str(diff), "--format", "json",
                                 "-o", "-", "--quiet")
    assert code == 0, err
    report_id = json.loads(out)["report_id"]
    outputs += [out, err]
    as_user(monkeypatch, "sec-lead")
    code, out, err = run_advisor(capsys, "signoff", report_id, "--approve", "--comment",
                         f"accepted: {TEXT}")
    assert code == 0, err
    outputs += [out, err]
    for args in (("reports", "show", report_id), ("reports", "list"), ("runs", "list"),
                 ("audit", "export")):
        outputs += run_advisor(capsys, *args)[1:]
    assert "[REDACTED:" in "".join(outputs)  # the leaks were there, masked
    assert leaked("\n".join(outputs)) == []
    stored = everything_stored(store_url, isolated_environment)
    assert "[REDACTED:anthropic-api-key]" in stored  # the reason and the comment, masked
    assert leaked(stored) == []


def test_leaks_reach_no_rendered_report(tmp_path: Path) -> None:
    from render.release import render_terminal, write_reports

    report = sample.release_report(summary=f"Hold: {TEXT}")
    files = write_reports(report, ["md", "html", "json"], tmp_path)
    console = Console(record=True, width=200, file=io.StringIO())
    render_terminal(report, console)
    for path in files.values():
        assert leaked(path.read_text()) == [], path.suffix
    assert leaked(console.export_text()) == []


def test_leaks_reach_no_log_line() -> None:
    from advisor.logs import JsonFormatter, RedactingFormatter

    try:
        raise RuntimeError(f"boom {TEXT}")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("advisor", logging.ERROR, __file__, 1, "failed: %s", (TEXT,),
                               exc_info)
    record.reason = TEXT
    for formatter in (JsonFormatter(), RedactingFormatter("%(message)s")):
        line = formatter.format(record)
        assert "[REDACTED:" in line and leaked(line) == [], type(formatter).__name__


def test_leaks_reach_no_crash_report(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from advisor import cli as cli_module

    def crash(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError(f"unexpected: {TEXT}")

    monkeypatch.setattr(cli_module, "build_app", lambda only=None: crash)
    with pytest.raises(SystemExit) as done:
        cli_module.main()
    err = capsys.readouterr().err
    assert done.value.code == 70
    assert "internal error" in err and leaked(err) == []
    report = Path(err.strip().rsplit(" ", 1)[-1]).read_text()  # the file the line names
    assert "Traceback" in report and "[REDACTED:" in report
    assert leaked(report) == []
