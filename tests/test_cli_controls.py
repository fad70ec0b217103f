"""The controls under attack, as a user runs the commands (separate processes), on SQLite
and PostgreSQL: a lost store stops everything (exit 3), the kill switch stops sign-off and
resumption, and `audit verify` names rows changed behind the advisor's back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROLES = """
roles:
  admin: [ada]
  release-approver: [rita]
"""


@pytest.fixture
def run(tmp_path: Path, isolated_environment: Path, store_url: str):  # type: ignore[no-untyped-def]
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)

    def _run(*args: str, user: str = "ada", env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "ADVISOR_ROLES_FILE": str(roles), "USER": user,
                    "LOGNAME": user, "COLUMNS": "200", "ADVISOR_DATABASE_URL": store_url,
                    **(env or {})}
        return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True,
                              text=True, env=full_env, timeout=300, check=False)

    return _run


def sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def lose_the_store(url: str, home: Path) -> None:
    """Truncate the SQLite file; drop every table on PostgreSQL."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in path.parent.glob(path.name + "-*"):
            leftover.unlink()
        path.write_bytes(b"")
        return
    from governance.db import REQUIRED_TABLES

    sql(url, "DROP TABLE " + ", ".join(REQUIRED_TABLES) + " CASCADE")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_db_init_then_a_lost_store_stops_every_command(run, store_url: str,
                                                       isolated_environment: Path) -> None:
    init = run("db", "init")
    assert init.returncode == 0 and "initialised" in init.stdout, init.stderr
    assert run("db", "init").stdout.strip().endswith("ready (schema 2)")
    assert run("killswitch", "on", "--reason", "incident 7").returncode == 0
    lose_the_store(store_url, isolated_environment)
    for args in (("killswitch", "status"), ("audit", "verify"),
                 ("release-report", "--demo", "--quiet", "--format", "json",
                  "--output", str(isolated_environment / "out"))):
        result = run(*args)
        assert result.returncode == 3, (args, result.stderr)
        assert "initialised before" in one_line(result)
    out = isolated_environment / "out"
    assert not (out.exists() and any(out.iterdir())), "no report from a lost store"
    refused = run("db", "init", "--recreate", user="rita")
    assert refused.returncode == 3 and "admin" in one_line(refused)
    assert "re-created" in run("db", "init", "--recreate").stdout
    export = run("audit", "export")
    [entry] = [json.loads(line) for line in export.stdout.splitlines()]
    assert (entry["action"], entry["payload"]["recreated"]) == ("store.initialised", True)


def test_production_refuses_first_use_without_db_init(run) -> None:
    result = run("killswitch", "status", env={"ADVISOR_DB_AUTO_INIT": "false"})
    assert result.returncode == 3 and "run `advisor db init`" in one_line(result)


def test_signoff_under_the_kill_switch_is_refused_and_audited(run, isolated_environment: Path
                                                              ) -> None:
    out = isolated_environment / "out"
    report = run("release-report", "--demo", "--quiet", "--format", "json", "--output", str(out))
    assert report.returncode == 0, report.stderr
    [written] = out.glob("*.json")
    report_id = json.loads(written.read_text())["report_id"]
    assert run("killswitch", "on", "--reason", "incident 7").returncode == 0
    refused = run("signoff", report_id, "--approve", "--comment", "ship it", user="rita")
    assert refused.returncode == 3 and "incident 7" in one_line(refused)
    shown = json.loads(run("reports", "show", report_id).stdout)
    assert shown["status"] == "pending_signoff"
    export = [json.loads(line) for line in run("audit", "export").stdout.splitlines()]
    [entry] = [e for e in export if e["action"] == "signoff.refused"]
    assert entry["actor"] == "rita" and "kill switch 'global' is on" in entry["payload"]["why"]


def test_a_report_approved_by_update_is_not_approved(run, store_url: str,
                                                     isolated_environment: Path) -> None:
    out = isolated_environment / "out"
    report = run("release-report", "--demo", "--quiet", "--format", "json", "--output", str(out))
    [written] = out.glob("*.json")
    report_id = json.loads(written.read_text())["report_id"]
    sql(store_url, f"UPDATE reports SET status = 'approved', decided_by = 'rita' "
                   f"WHERE id = '{report_id}'")
    shown = json.loads(run("reports", "show", report_id).stdout)
    assert shown["status"].startswith("approved (NOT ON THE AUDIT RECORD")
    assert shown["decision_on_record"] is False
    verify = run("audit", "verify")
    assert verify.returncode == 1
    assert f"TAMPERED: reports '{report_id}': status approved has no audited decision" in (
        verify.stderr)
    assert report.returncode == 0
