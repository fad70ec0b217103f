"""``advisor security-review`` without GitHub: a diff, stdin, a local clone; bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.context import open_controls
from advisor.settings import load_settings
from tests.inprocess import run_advisor

AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"
DIFF = f'''diff --git a/app/keys.py b/app/keys.py
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/app/keys.py
@@ -0,0 +1,2 @@
+"""Keys."""
+KEY = "{AWS_KEY}"
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..2222222
Binary files /dev/null and b/logo.png differ
'''


def run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return run_advisor(capsys, "security-review", *argv)


def nothing_recorded() -> bool:
    controls = open_controls(load_settings())
    return controls.registry.list() == [] and controls.runs.list() == []


@pytest.fixture
def diff_file(tmp_path: Path) -> Path:
    path = tmp_path / "change.diff"
    path.write_text(DIFF)
    return path


def test_a_diff_file_is_reviewed_and_recorded(home: Path, diff_file: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(["--diff", str(diff_file), "--format", "json,sarif", "--output",
                        str(out_dir), "--quiet"], capsys)
    assert code == 0
    [json_file] = out_dir.glob("sec-*.json")
    sarif = json_file.with_suffix(".sarif")
    report = json.loads(json_file.read_text())
    assert json_file.name == f"{report['report_id']}.json"
    assert f"wrote {json_file}" in out
    assert report["source"] == "diff" and report["signoff_status"] == "pending_signoff"
    assert [f["category"] for f in report["findings"]] == ["secret"]
    assert [u["path"] for u in report["unreviewed"]] == ["logo.png"]
    assert AWS_KEY not in json_file.read_text() and AWS_KEY not in sarif.read_text()
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["RRA-SECRET-AWS-ACCESS-KEY"]
    [record] = open_controls(load_settings()).registry.list()
    assert record.kind == "security-review" and record.id == report["report_id"]


EMPTY_AND_CRITICAL = '''diff --git a/app/__init__.py b/app/__init__.py
new file mode 100644
index 0000000..e69de29
diff --git a/infra/main.tf b/infra/main.tf
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/infra/main.tf
@@ -0,0 +1,3 @@
+resource "aws_s3_bucket" "logs" {
+  bucket = "logs"
+}
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..2222222
Binary files /dev/null and b/logo.png differ
'''


def test_a_diff_names_binary_files_as_such_and_empty_files_not_at_all(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: an empty file was 'binary' with a 'GitHub sent no patch' gap, and a
    critical path in a bare diff got a line-less high code-owner finding."""
    path = tmp_path / "change.diff"
    path.write_text(EMPTY_AND_CRITICAL)
    code, out, _ = run(["--diff", str(path), "--format", "json", "-o", "-", "--quiet"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["unreviewed"] == [{"path": "logo.png",
                                     "why": "binary file (no text diff to scan)"}]
    assert not any("GitHub" in g["why"] for g in report["gaps"])
    assert "critical-path-unreviewed" not in {f["category"] for f in report["findings"]}
    assert any("code-owner approval" in g["what"] for g in report["gaps"])


def test_a_diff_on_stdin_renders_markdown(home: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["--diff", "-", "--format", "md", "-o", "-", "--quiet"], capsys, DIFF,
                       monkeypatch)
    assert code == 0 and "Advisory only" in out and "diff stdin" in out


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "dev@example.com")
    _git(root, "config", "user.name", "Dev")
    (root / "app").mkdir()
    db = root / "app" / "db.py"
    db.write_text('"""DB."""\n\n\ndef one(db):\n    return db.execute("SELECT 1")\n')
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    _git(root, "tag", "base")
    db.write_text(db.read_text() + '\n\ndef find(db, name):\n'
                  '    return db.execute("SELECT * FROM t WHERE n = \'%s\'" % name)\n')
    _git(root, "commit", "-qam", "find")
    return root


def test_a_local_clone_range_is_reviewed(home: Path, clone: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--repo-path", str(clone), "--base", "base", "--head", "HEAD",
                        "--format", "json", "--output", "-", "--quiet"], capsys)
    assert code == 0, out
    report = json.loads(out)
    [finding] = report["findings"]
    assert finding["category"] == "sast" and "CWE-89" in finding["cwe"]
    assert finding["evidence"][0]["line"] == 9


def test_a_clone_with_codeowners_gets_the_code_owner_check(
        home: Path, clone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clone / ".github").mkdir()
    (clone / ".github" / "CODEOWNERS").write_text("infra/ @acme/platform\n")
    (clone / "infra").mkdir()
    (clone / "infra" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    _git(clone, "add", ".")
    _git(clone, "commit", "-qm", "queue")
    code, out, _ = run(["--repo-path", str(clone), "--base", "base", "--head", "HEAD",
                        "--format", "json", "-o", "-", "--quiet"], capsys)
    assert code == 0, out
    owners = [f for f in json.loads(out)["findings"]
              if f["category"] == "critical-path-unreviewed"]
    assert any("@acme/platform" in json.dumps(f["evidence"]) for f in owners)


@pytest.mark.parametrize(("argv", "message"), [
    ([], "choose a source"),
    (["--repo", "not a repo", "--pr", "1"], "OWNER/NAME"),
    (["--repo", "acme/shop", "--pr", "0"], "greater than or equal to 1"),
    (["--repo", "acme/shop"], "choose a source"),
    (["--diff", "/nonexistent.diff"], "no such file"),
    (["--diff", "{diff}", "--post"], "--post needs a GitHub pull request"),
    (["--diff", "{diff}", "--format", "html"], "--format"),
    (["--diff", "{diff}", "--repo-path", "."], "choose one source"),
    (["--diff", "{text}"], "changes no files"),
    (["--repo-path", "{clone}", "--base", "nope", "--head", "HEAD"], "no commit 'nope'"),
    (["--repo-path", "{clone}", "--base", "--evil", "--head", "HEAD"], "not a git ref"),
    (["--repo-path", "{clone}", "--base", "base"], "go together"),
    (["--diff", "{diff}", "--config", "/nonexistent.yaml"], "--config: no such file"),
    (["--diff", "{diff}", "--format", "json", "--output", "{diff}"], "is not a directory"),
    (["--diff", "{diff}", "--format", "json", "--output", "{tmp}/x.json"],
     "looks like a file name"),
    (["--diff", "{diff}", "--format", "json,md", "--output", "-"], "exactly one file format"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_recorded(
        home: Path, diff_file: Path, clone: Path, tmp_path: Path, argv: list[str],
        message: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    filled = [a.format(diff=diff_file, text=text, clone=clone, tmp=tmp_path) for a in argv]
    code, _, err = run(filled, capsys)
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1
    assert nothing_recorded()


def test_the_global_switch_stops_the_cli(home: Path, diff_file: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_KILL_SWITCH", "on")
    code, _, err = run(["--diff", str(diff_file), "--quiet"], capsys)
    assert code == 3 and "kill switch" in err  # refused
    assert open_controls(load_settings()).registry.list() == []


def test_terminal_output(home: Path, diff_file: Path, capsys: pytest.CaptureFixture[str]
                         ) -> None:
    code, out, _ = run(["--diff", str(diff_file), "--quiet"], capsys)
    assert code == 0 and "secret" in out and "not reviewed: logo.png" in out
    assert "advisor signoff sec-" in out
