"""The exit codes mean one thing each, for every command, and say so in --help and README:
0 success, 1 a gate tripped, 2 usage or bad input, 3 refused, 4 a source or publisher
failed, 70 internal error. Also: publishing that can be seen and retried, copyable
listings, and the first sign-off's hints."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from advisor.cli import app
from advisor.context import open_controls
from advisor.errors import EXIT_CODES, ExitCode
from advisor.settings import load_settings
from governance.audit import AuditFilter
from graphs.context import GraphContext
from publishers.confluence import ConfluencePublisher
from tests.cli import ROLES, run_cli
from tests.portfolio.sample import SITE, TITLE, FakeConfluence, snapshot_file

ROOT = Path(__file__).resolve().parent.parent
CONFLUENCE = {"CONFLUENCE_URL": "https://acme.atlassian.net", "CONFLUENCE_EMAIL": "bot@acme.test",
              "CONFLUENCE_API_TOKEN": "not-a-real-token"}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_environment: Path) -> Path:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    monkeypatch.setenv("COLUMNS", "200")
    as_user(monkeypatch, "ada")
    return isolated_environment


def as_user(monkeypatch: pytest.MonkeyPatch, login: str) -> None:
    monkeypatch.setenv("LOGNAME", login)
    monkeypatch.setenv("USER", login)


def advisor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *argv: str) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, *argv)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- 1: a gate tripped -----------------------------------------------------------------------


def test_fail_on_is_exit_1_in_its_own_words_and_the_report_is_recorded(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet",
                           "--fail-on", "low")
    assert code == ExitCode.GATE
    [record] = open_controls(load_settings()).registry.list()
    assert re.fullmatch(rf"advisor: gate --fail-on low tripped: \d+ findings: .* at or above "
                        rf"low \(report {record.id}\)", one_line(err))


def test_tampering_is_exit_1_and_says_tampered(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert advisor(monkeypatch, capsys, "killswitch", "on", "--reason", "drill")[0] == 0
    with sqlite3.connect(home / "advisor.db") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    code, _, err = advisor(monkeypatch, capsys, "audit", "verify")
    assert code == ExitCode.GATE
    assert one_line(err).startswith("advisor: TAMPERED: first broken seq 1")


def test_an_empty_logs_head_verifies_and_a_garbage_head_is_bad_input(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, empty_head, _ = advisor(monkeypatch, capsys, "audit", "head")
    code, out, err = advisor(monkeypatch, capsys, "audit", "verify", "--expect-head",
                             empty_head.strip())
    assert code == 0 and "OK: 0 entries" in out, err
    assert advisor(monkeypatch, capsys, "audit", "verify", "--expect-head", "oops")[0] == 2


# -- 3: refused ------------------------------------------------------------------------------


def test_a_missing_role_is_refused_and_the_hint_names_who_holds_it(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    [record] = open_controls(load_settings()).registry.list()
    as_user(monkeypatch, "mallory")
    code, _, err = advisor(monkeypatch, capsys, "signoff", record.id, "--approve", "--comment",
                           "lgtm")
    line = one_line(err)
    assert code == ExitCode.REFUSED
    assert "mallory does not hold the 'release-approver' role" in line
    assert "held by rita" in line and "roles.yaml" in line


def test_an_approver_who_merged_part_of_the_release_under_another_login_is_exit_3(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """rita holds the role; on GitHub she is qa-rlopez, who merged the demo's bug fixes."""
    (tmp_path / "roles.yaml").write_text(ROLES + "identities:\n  rita: [qa-rlopez]\n")
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    controls = open_controls(load_settings())
    [record] = controls.registry.list()
    as_user(monkeypatch, "rita")
    code, out, _ = advisor(monkeypatch, capsys, "whoami")
    assert out.startswith("rita (GitHub: qa-rlopez): release-approver (roles file ")
    code, _, err = advisor(monkeypatch, capsys, "signoff", record.id, "--approve", "--comment",
                           "verified")
    assert code == ExitCode.REFUSED
    assert "rita (GitHub login qa-rlopez) authored or merged a pull request" in one_line(err)
    [refusal] = controls.audit.entries(AuditFilter(action="signoff.refused"))
    assert (refusal.actor, refusal.subject) == ("rita", record.id)
    assert controls.registry.get(record.id).status.value == "pending_signoff"


def test_a_superseded_report_names_the_one_that_replaced_it(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    newer, older = open_controls(load_settings()).registry.list()
    as_user(monkeypatch, "rita")
    code, _, err = advisor(monkeypatch, capsys, "signoff", older.id, "--approve", "--comment",
                           "ok")
    assert code == ExitCode.REFUSED
    assert f"superseded by {newer.id}" in one_line(err) and f"decide {newer.id}" in err


def test_a_broken_policy_file_is_caught_before_the_decision_is_recorded(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    controls = open_controls(load_settings())
    [record] = controls.registry.list()
    entries = controls.audit.count()
    broken = tmp_path / "config"
    broken.mkdir()
    (broken / "policy.yaml").write_text("scoring:\n\tweights: {}\n")
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(broken))
    as_user(monkeypatch, "rita")
    code, _, err = advisor(monkeypatch, capsys, "signoff", record.id, "--approve",
                           "--comment", "ok")
    assert code == ExitCode.USAGE and "policy.yaml:2:1:" in one_line(err)
    assert controls.registry.get(record.id).status.value == "pending_signoff"
    assert controls.audit.count() == entries


def test_the_kill_switch_refuses_a_run(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ADVISOR_KILL_SWITCH", "on")
    code, _, err = advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    assert code == ExitCode.REFUSED and "kill switch 'global' is on" in one_line(err)
    assert open_controls(load_settings()).registry.list() == []


def test_turning_the_switch_off_while_the_environment_forces_it_on_warns(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ADVISOR_KILL_SWITCH", "on")
    code, out, err = advisor(monkeypatch, capsys, "killswitch", "off", "--reason", "fixed")
    assert code == 0 and "is now off" in out
    assert "ADVISOR_KILL_SWITCH forces the global switch on" in one_line(err)


# -- 4: a publisher failed, and publishing again -----------------------------------------------


def _publishing_summary(home: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    for key, value in CONFLUENCE.items():
        monkeypatch.setenv(key, value)
    code, _, err = advisor(monkeypatch, capsys, "portfolio-summary", "--snapshot",
                           str(snapshot_file(tmp_path)), "--projects", "PAY", "--quiet",
                           "--publish", "--space", "ENG", "--parent", "Portfolio summaries")
    assert code == 0, err
    [record] = open_controls(load_settings()).registry.list()
    return record.id


def _with_fake_confluence(monkeypatch: pytest.MonkeyPatch) -> FakeConfluence:
    import advisor.context as advisor_context

    fake, real = FakeConfluence(), advisor_context.graph_context

    def with_fake(settings: Any, controls: Any) -> GraphContext:
        ctx: GraphContext = real(settings, controls)
        ctx.publishers = [ConfluencePublisher(fake, controls.kill_switch, site=SITE)]
        return ctx

    monkeypatch.setattr(advisor_context, "graph_context", with_fake)
    return fake


def test_a_failed_publish_is_exit_4_visible_in_runs_and_retried_by_advisor_publish(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    report_id = _publishing_summary(home, monkeypatch, capsys, tmp_path)
    for key in CONFLUENCE:  # the credentials are gone by the time the approver decides
        monkeypatch.delenv(key)
    as_user(monkeypatch, "paula")
    code, out, err = advisor(monkeypatch, capsys, "signoff", report_id, "--approve",
                             "--comment", "numbers checked")
    line = one_line(err)
    assert code == ExitCode.FAILED and f"report {report_id} is now approved" in out
    assert "publishing failed: cannot publish to Confluence" in line
    assert f"advisor publish {report_id}" in line

    code, listing, _ = advisor(monkeypatch, capsys, "runs", "list")
    assert code == 0 and "approved · publish failed (cannot publish to Confluence" in listing
    code, listed, _ = advisor(monkeypatch, capsys, "runs", "list", "--format", "json")
    [run] = json.loads(listed)
    assert (run["status"], run["report_id"]) == ("approved", report_id)

    fake = _with_fake_confluence(monkeypatch)
    as_user(monkeypatch, "ada")
    code, out, err = advisor(monkeypatch, capsys, "publish", report_id)
    assert code == 0, err
    assert "published: confluence:" in out and fake.by_title(TITLE) is not None
    controls = open_controls(load_settings())
    assert controls.runs.get(run["run_id"]).status.value == "published"
    published = list(controls.audit.entries(AuditFilter(action="report.published")))
    assert [e.actor for e in published] == ["ada"]  # on the record as who retried


def test_publish_refuses_an_unapproved_report_and_obeys_the_kill_switch(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    report_id = _publishing_summary(home, monkeypatch, capsys, tmp_path)
    fake = _with_fake_confluence(monkeypatch)
    code, _, err = advisor(monkeypatch, capsys, "publish", report_id)
    assert code == ExitCode.REFUSED and "only an approved report is published" in one_line(err)
    controls = open_controls(load_settings())
    assert [e.subject for e in controls.audit.entries(AuditFilter(action="publish.refused"))
            ] == [report_id]

    as_user(monkeypatch, "paula")
    assert advisor(monkeypatch, capsys, "signoff", report_id, "--approve", "--comment",
                   "ok")[0] == 0
    as_user(monkeypatch, "ada")
    assert advisor(monkeypatch, capsys, "killswitch", "on", "--publishing", "--reason",
                   "freeze")[0] == 0
    code, _, err = advisor(monkeypatch, capsys, "publish", report_id)
    assert code == ExitCode.REFUSED and "kill switch 'publishing' is on" in one_line(err)
    assert len(fake.writes()) > 0  # the approval published once; the retry wrote nothing more
    blocked = controls.audit.entries(AuditFilter(action="report.publish_blocked"))
    assert [e.payload["mode"] for e in blocked] == ["retry"]


def test_a_report_with_nowhere_to_publish_is_bad_input(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    [record] = open_controls(load_settings()).registry.list()
    code, _, err = advisor(monkeypatch, capsys, "publish", record.id)
    assert code == ExitCode.USAGE and "nowhere to be published" in one_line(err)


# -- 70: an internal error ----------------------------------------------------------------------


def test_a_crash_is_one_line_naming_a_redacted_crash_report(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

    def broken() -> str:
        raise RuntimeError(f"unexpected state, token {token}")

    monkeypatch.setattr("governance.identity.current_identity", broken)
    code, _, err = advisor(monkeypatch, capsys, "whoami")
    line = one_line(err)
    assert code == ExitCode.INTERNAL and "Traceback" not in err
    match = re.fullmatch(r"advisor: internal error \(RuntimeError\); the details are in (\S+)",
                         line)
    assert match is not None, line
    report = Path(match.group(1))
    assert report.parent == home / "crash"
    text = report.read_text()
    assert "Traceback" in text and "RuntimeError" in text and "advisor whoami" in text
    assert token not in text and "[REDACTED:" in text
    assert report.stat().st_mode & 0o077 == 0  # private to its owner


# -- --help and README say the same ---------------------------------------------------------


def _commands() -> list[list[str]]:
    from typer.main import get_command

    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if not children:
            found.append(path)
        for name, child in (children or {}).items():
            walk(child, [*path, name])

    walk(get_command(app), [])
    return found


def test_every_commands_help_shows_the_exit_codes_and_no_python_types(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for path in [[], *_commands()]:
        code, out, _ = advisor(monkeypatch, capsys, *path, "--help")
        assert code == 0, path
        for exit_code, meaning in EXIT_CODES:
            assert f"{int(exit_code):>2}  {meaning}" in out, (path, exit_code)
        assert not re.search(r"<(str|int|bool|path|list\[\w+\]|int range)>", out), (path, out)
        assert "{" not in out.splitlines()[0], out  # REPORT_ID, not {REPORT_ID}


def test_required_options_are_marked(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = advisor(monkeypatch, capsys, "signoff", "--help")
    assert re.search(r"--comment TEXT\s+Why .*\[required\]", " ".join(out.split()))
    _, out, _ = advisor(monkeypatch, capsys, "killswitch", "on", "--help")
    assert re.search(r"--reason TEXT\s+Why .*\[required\]", " ".join(out.split()))


def test_readme_documents_the_same_exit_codes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", readme, re.MULTILINE))
    assert sorted(int(c) for c in rows) == sorted(int(c) for c, _ in EXIT_CODES)


# -- listings: JSON for scripts, whole ids for people ------------------------------------------


def test_listings_speak_json(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    for argv, key in ((["reports", "list"], "id"), (["runs", "list"], "run_id"),
                      (["audit", "list"], "seq"), (["killswitch", "status"], "scope")):
        code, out, err = advisor(monkeypatch, capsys, *argv, "--format", "json")
        assert code == 0, err
        rows = json.loads(out)
        assert rows and all(key in row for row in rows), argv


def test_ids_are_never_cut_at_80_columns(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    controls = open_controls(load_settings())
    [report] = controls.registry.list()
    [run] = controls.runs.list()
    _, reports, _ = advisor(monkeypatch, capsys, "reports", "list")
    _, runs, _ = advisor(monkeypatch, capsys, "runs", "list")
    _, entries, _ = advisor(monkeypatch, capsys, "audit", "list")
    assert report.id in reports
    assert run.run_id in runs and report.id in runs
    assert "report.registered" in entries and "…" not in entries
    assert max(len(line) for line in (reports + runs + entries).splitlines()) <= 80


# -- the first sign-off -------------------------------------------------------------------------


def test_the_banner_says_which_role_decides_and_who_holds_it(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = advisor(monkeypatch, capsys, "release-report", "--demo", "--quiet")
    flat = " ".join(out.split())
    assert code == 0
    assert "Deciding needs the 'release-approver' role, held by rita; you are ada" in flat


def test_whoami_names_the_roles_file(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = advisor(monkeypatch, capsys, "whoami")
    assert code == 0 and out.startswith("ada: admin (roles file ")
    assert str(tmp_path / "roles.yaml") in out


# -- -o DIR for a snapshot ----------------------------------------------------------------------


def test_snapshot_writes_its_file_named_by_its_hash(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from connectors.snapshot import Snapshot, load_snapshot
    from tests.agents.portfolio.factories import snapshot as body
    from tests.portfolio.sample import issues

    sealed = Snapshot.seal(body(issues()))
    monkeypatch.setattr("connectors.build.build_snapshot", lambda request, factories: sealed)
    out = tmp_path / "snapshots"
    code, stdout, err = advisor(monkeypatch, capsys, "snapshot", "--jira-project", "PAY",
                                "-o", str(out))
    path = out / f"{sealed.content_hash}.json.gz"
    assert code == 0, err
    assert stdout.splitlines()[-1] == f"wrote {path}"
    assert load_snapshot(path).content_hash == sealed.content_hash
    code, _, _ = advisor(monkeypatch, capsys, "snapshot", "--jira-project", "PAY", "-o",
                         str(out), "--format", "json")
    assert code == 0 and (out / f"{sealed.content_hash}.json").exists()
