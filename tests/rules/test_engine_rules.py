"""Our engine rules, run by the engine's own test runner on their annotated test files.

Each rule file ``agents/security/rules/<lang>/<name>.yaml`` has a test file
``tests/rules/<lang>/<name>.<ext>`` whose ``ruleid:`` lines must be flagged and whose
``ok:`` lines must not (Semgrep's rule-testing convention). The rules are composed (shared
sources filled in) and put beside their test files in a temporary folder, as the runner
wants them. A second test shows the engine opens no socket.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.security.engine import (
    RULES,
    EngineTarget,
    compose_rules,
    engine_binary,
    engine_command,
    engine_env,
    run_engine,
    write_rules,
)

HERE = Path(__file__).resolve().parent
REQUIRED = ("title", "class", "cwe", "owasp", "confidence", "severity", "recommendation")
_ANNOTATION = re.compile(r"(?:#|//|<!--)\s*(?:ruleid|ok):\s*([\w\-, ]+)")

pytestmark = pytest.mark.skipif(engine_binary() is None, reason="semgrep is not installed")


def _suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suite"
    shutil.copytree(HERE, suite, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for test_file in HERE.rglob("*.py"):  # the Python rule tests, not this module
        if test_file.parent != HERE:
            target = suite / test_file.relative_to(HERE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(test_file, target)
    write_rules(suite)
    return suite


def _rules() -> list[dict[str, Any]]:
    return [rule for text in compose_rules().values() for rule in json.loads(text)["rules"]]


def test_every_rule_passes_its_test_file(tmp_path: Path) -> None:
    binary = engine_binary()
    assert binary is not None
    suite = _suite(tmp_path)
    done = subprocess.run(engine_command("test", "--experimental", "--json", str(suite)),
                          executable=str(binary), env=engine_env(tmp_path),
                          capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    checks = {rule_id: check for result in report["results"].values()
              for rule_id, check in result["checks"].items()}
    failed = {rule_id: check["matches"] for rule_id, check in checks.items()
              if not check["passed"]}
    assert failed == {}, done.stderr[-2000:]
    assert not report.get("config_with_errors"), report["config_with_errors"]
    assert set(checks) == {rule["id"] for rule in _rules()}  # every rule was tested


def test_every_rule_has_a_positive_and_the_metadata_findings_need() -> None:
    annotated = set()
    for test_file in HERE.rglob("*"):
        if test_file.is_file() and test_file.name != Path(__file__).name:
            for line in test_file.read_text(encoding="utf-8").splitlines():
                if "ruleid:" in line and (match := _ANNOTATION.search(line)):
                    annotated.update(r.strip(" -") for r in match.group(1).split(","))
    for rule in _rules():
        assert rule["id"] in annotated, f"{rule['id']} has no ruleid: line"
        missing = [key for key in REQUIRED if not rule.get("metadata", {}).get(key)]
        assert not missing, f"{rule['id']} lacks {missing}"
        assert all(c.startswith("CWE-") for c in rule["metadata"]["cwe"])


def test_rule_files_are_plain_yaml_with_unique_ids() -> None:
    ids = [r["id"] for path in RULES.rglob("*.yaml") if path.name != "sources.yaml"
           for r in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]]
    assert len(ids) == len(set(ids)) and all(i.startswith("RRA-") for i in ids)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_the_engine_runs_offline_and_opens_no_socket(tmp_path: Path) -> None:
    """Under strace: no socket of any family is created, by the engine or its children."""
    trace = tmp_path / "trace"
    target = EngineTarget(key="1/app.py", path="app.py", changed=frozenset({5}),
                          text="import os\nfrom flask import request\n\n\ndef f():\n"
                               "    os.system('x ' + request.args['q'])\n")
    binary = engine_binary()
    assert binary is not None
    osemgrep = tmp_path / "osemgrep"  # the name the engine answers to as a command line
    osemgrep.symlink_to(binary)
    write_rules(tmp_path / "rules")
    (tmp_path / "files" / "0").mkdir(parents=True)
    (tmp_path / "files" / "0" / "app.py").write_text(target.text)
    done = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace), "--",
         str(osemgrep), "scan", "--experimental", "--config", str(tmp_path / "rules"),
         "--json", "--metrics=off", "--disable-version-check", "--quiet",
         str(tmp_path / "files")],
        env=engine_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(done.stdout)["results"], done.stderr[-500:]
    calls = [line for line in trace.read_text().splitlines()
             if "socket(" in line or "connect(" in line]
    assert calls == []
    assert "RRA-PY-COMMAND-INJECTION" in {h.rule_id for h in run_engine([target]).hits}
