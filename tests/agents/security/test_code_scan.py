"""The code scanners in the review: our engine rules and bandit's checks through ruff."""

from __future__ import annotations

import pytest

from agents.models import Severity
from agents.security import engine
from tests.agents.security.builders import added, changed, files, hunk, pull, reviewer

VIEW = [
    "from flask import request",
    "",
    "",
    "def orders(db):",
    '    customer = request.args.get("c")',
    "    return db.execute(\"SELECT * FROM o WHERE c = '\" + customer + \"'\")",
]


def _code(review):  # type: ignore[no-untyped-def]
    return [f for f in review.findings if f.category in ("sast", "iac")]


def test_a_taint_rule_follows_request_data_and_names_its_rule() -> None:
    [finding] = _code(reviewer().review(pull(added("app/views.py", VIEW))))
    assert finding.rule_id == "RRA-PY-SQLI" and finding.severity is Severity.HIGH
    assert finding.cwe == ["CWE-89"] and finding.evidence[0].line == 6
    assert "SQL built from request data" in finding.title


def test_the_source_above_the_hunk_is_seen_with_the_whole_file() -> None:
    text = "\n".join([*VIEW[:5], '    db.execute("SELECT 1")', VIEW[5]]) + "\n"
    patch = hunk(6, 6, ['     db.execute("SELECT 1")', "+" + VIEW[5]])
    review = reviewer(content=files({"app/views.py": text})).review(
        pull(changed("app/views.py", patch)))
    assert [f.rule_id for f in _code(review)] == ["RRA-PY-SQLI"]
    assert [f.evidence[0].line for f in _code(review)] == [7]


def test_hits_on_lines_the_pr_did_not_change_are_not_reported() -> None:
    text = "\n".join([*VIEW, "", "", "def other():", "    return 1"]) + "\n"
    patch = hunk(8, 8, [" ", "+def other():", "+    return 1"])
    review = reviewer(content=files({"app/views.py": text})).review(
        pull(changed("app/views.py", patch)))
    assert _code(review) == []


def test_nosec_is_honoured_for_bandit_checks_and_our_python_rules() -> None:
    lines = ["import subprocess", "", "", "def run(cmd):",
             "    subprocess.call(cmd, shell=True)  # nosec B602",
             "    subprocess.call(cmd, shell=True)  # nosec",
             "    subprocess.call(cmd, shell=True)  # nosec B301",
             "    subprocess.call(cmd, shell=True)"]
    found = _code(reviewer().review(pull(added("tools/run.py", lines))))
    assert [(f.rule_id, f.evidence[0].line) for f in found] == [("B602", 7), ("B602", 8)]
    assert found[0].rule_aliases == ["S602"]


def test_one_finding_per_weakness_and_line_bandit_or_taint() -> None:
    lines = ["import os", "from flask import request", "", "",
             "def convert():", '    os.system("convert " + request.args["f"])']
    found = _code(reviewer().review(pull(added("app/convert.py", lines))))
    # bandit's B605 and our shell rule are the same weakness as the taint rule here.
    assert [f.rule_id for f in found] == ["RRA-PY-COMMAND-INJECTION"]


def test_other_languages_dockerfiles_and_manifests_are_scanned() -> None:
    pr = pull(added("web/routes.js", [
        'app.get("/go", (req, res) => res.redirect(req.query.to));']),
        added("Dockerfile", ["FROM node:latest", "USER node"]),
        added("deploy/pod.yaml", ["apiVersion: v1", "kind: Pod", "metadata:", "  name: p",
                                  "spec:", "  hostNetwork: true", "  containers:",
                                  "    - name: c", "      image: nginx:1.27.0",
                                  "      resources:", "        limits:",
                                  "          memory: 64Mi"]))
    found = {(f.category, f.rule_id) for f in _code(reviewer().review(pr))}
    assert found == {("sast", "RRA-JS-OPEN-REDIRECT"), ("iac", "RRA-DOCKER-FLOATING-IMAGE"),
                     ("iac", "RRA-K8S-HOST-ACCESS")}


def test_a_release_is_one_engine_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = engine.run_engine

    def counting(targets, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(targets))
        return real(targets, *args, **kwargs)

    monkeypatch.setattr("agents.security.code_scan.run_engine", counting)
    prs = [pull(added(f"app/v{n}.py", VIEW), number=n) for n in range(1, 4)]
    reviews = reviewer().review_many(prs)
    assert calls == [3]
    assert [[f.rule_id for f in _code(r)] for r in reviews] == [["RRA-PY-SQLI"]] * 3


def test_without_the_engine_the_files_are_a_gap_and_a_notice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "engine_binary", lambda: None)
    review = reviewer().review(pull(added("web/routes.js", ["const a = 1;"])))
    assert any("web/routes.js" in g.what and "code rules did not run" in g.why
               for g in review.gaps)
    assert any("code rules did not run" in n for n in review.llm.notices)
