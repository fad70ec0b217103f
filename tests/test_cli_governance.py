"""The governance commands end to end, as a user runs them (separate processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROLES = """
roles:
  admin: [ada]
  release-approver: [rita]
"""


@pytest.fixture
def run(tmp_path: Path, isolated_environment: Path):  # type: ignore[no-untyped-def]
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)

    def _run(
        *args: str, user: str = "ada", env: dict[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "ADVISOR_ROLES_FILE": str(roles),
            "USER": user,
            "LOGNAME": user,
            "COLUMNS": "200",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "advisor", *args],
            capture_output=True,
            text=True,
            env=full_env,
            input=input,
            timeout=120,
            check=False,
        )

    return _run


def test_status_and_verify_work_on_an_empty_data_directory(run, isolated_environment: Path) -> None:
    assert not isolated_environment.exists()
    status = run("killswitch", "status")
    assert status.returncode == 0, status.stderr
    assert "global" in status.stdout and "off" in status.stdout
    verify = run("audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "OK: 0 entries" in verify.stdout


def test_admin_flips_the_switch_and_everything_is_audited(run) -> None:
    assert run("killswitch", "on", "--reason", "incident 7").returncode == 0
    status = run("killswitch", "status")
    assert status.returncode == 3 and "ON" in status.stdout
    refused = run("killswitch", "off", "--reason", "me too", user="mallory")
    assert refused.returncode == 3  # refused, not bad input
    assert refused.stderr.strip().count("\n") == 0
    assert "admin" in refused.stderr
    export = run("audit", "export", "--format", "jsonl")
    actions = [json.loads(line)["action"] for line in export.stdout.splitlines()]
    assert actions == ["killswitch.on", "killswitch.refused"]


def test_a_reason_is_shown_as_written_never_as_markup(run) -> None:
    reason = "see [link=https://evil.example]the runbook[/link] [/] [bold]now"
    assert run("killswitch", "on", "--agent", "delivery", "--reason", reason).returncode == 0
    status = run("killswitch", "status")
    assert status.returncode == 0, status.stderr  # global is off; nothing crashed
    assert reason in status.stdout


def test_agent_switch_via_cli(run) -> None:
    assert run("killswitch", "on", "--agent", "security", "--reason", "x").returncode == 0
    assert run("killswitch", "status").returncode == 0  # global is still off
    assert run("killswitch", "status", "--agent", "security").returncode == 3
    unknown = run("killswitch", "on", "--agent", "finance", "--reason", "x")
    assert unknown.returncode == 2 and "--agent: expected one of" in unknown.stderr


def test_head_then_verify_expect_head(run) -> None:
    run("killswitch", "on", "--reason", "a")
    head = run("audit", "head").stdout.strip()
    assert head.startswith("1:")
    run("killswitch", "off", "--reason", "b")
    assert run("audit", "verify", "--expect-head", head).returncode == 0
    bad = run("audit", "verify", "--expect-head", "2:" + "a" * 64)
    assert bad.returncode == 1 and "TAMPERED" in bad.stderr


def test_audit_list_and_show(run) -> None:
    run("killswitch", "on", "--reason", "drill")
    listing = run("audit", "list")
    assert "killswitch.on" in listing.stdout
    shown = json.loads(run("audit", "show", "1").stdout)
    assert shown["payload"]["reason"] == "drill"
    missing = run("audit", "show", "99")
    assert missing.returncode == 2 and "no audit entry" in missing.stderr


def test_signoff_of_an_unknown_report(run) -> None:
    result = run("signoff", "rel-missing", "--approve", "--comment", "ok", user="rita")
    assert result.returncode == 2
    assert result.stderr.strip() == "advisor: error: unknown report id 'rel-missing'"


def test_signoff_flags_are_checked(run) -> None:
    both = run("signoff", "x", "--approve", "--reject", "--comment", "c")
    assert both.returncode == 2 and "exactly one" in both.stderr
    no_comment = run("signoff", "x", "--approve")
    assert no_comment.returncode == 2 and "--comment" in no_comment.stderr


def test_malformed_config_is_one_line_and_writes_nothing(
    run, tmp_path: Path, isolated_environment: Path
) -> None:
    bad = tmp_path / "bad-roles.yaml"
    bad.write_text("roles: [unclosed")
    result = run("killswitch", "on", "--reason", "x", env={"ADVISOR_ROLES_FILE": str(bad)})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (isolated_environment / "advisor.db").exists()


def test_bad_setting_value(run) -> None:
    result = run("audit", "verify", env={"ADVISOR_LOG_LEVEL": "LOUD"})
    assert result.returncode == 2 and "log_level" in result.stderr


def test_a_setting_that_is_not_json_is_one_line(run) -> None:
    result = run("killswitch", "status", env={"ADVISOR_REDACTION__PHONE_REGIONS": "[US"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == ('advisor: error: invalid setting: error parsing value for '
                                     'field "redaction" from source "EnvSettingsSource"')


def test_unreachable_database_is_one_line(run) -> None:
    result = run(
        "killswitch",
        "status",
        env={"ADVISOR_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unavailable" in result.stderr


def test_newer_schema_is_one_line(run, isolated_environment: Path) -> None:
    run("audit", "verify")
    import sqlite3

    with sqlite3.connect(isolated_environment / "advisor.db") as conn:
        conn.execute("UPDATE advisor_schema_version SET version = 42")
    result = run("audit", "verify")
    assert result.returncode == 2 and "newer" in result.stderr


def test_identity_inside_github_actions(run) -> None:
    result = run("whoami", env={"GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "rita"})
    assert result.stdout.startswith("rita: release-approver (roles file ")


def test_version(run) -> None:
    assert run("--version").stdout.startswith("advisor ")
