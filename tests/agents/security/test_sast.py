"""sast: bandit's checks (ruff S) on post-change Python, only on changed lines; hunks when
no content."""

from __future__ import annotations

from agents.models import Severity
from tests.agents.security.builders import added, changed, files, hunk, pull, reviewer

HEAD = "\n".join([
    "import subprocess",
    "",
    "",
    "def old(cmd):",
    "    return subprocess.call(cmd, shell=True)",  # already there: not this PR's
    "",
    "",
    "def run(cmd):",
    "    return subprocess.check_output(cmd, shell=True)",
    "",
]) + "\n"
PATCH = hunk(6, 6, [" ", " ", "+def run(cmd):",
                    "+    return subprocess.check_output(cmd, shell=True)", "+"])


def _sast(review):  # type: ignore[no-untyped-def]
    return [f for f in review.findings if f.category == "sast"]


def test_issue_on_a_changed_line_is_reported_with_its_cwe() -> None:
    review = reviewer(content=files({"tools/run.py": HEAD})).review(
        pull(changed("tools/run.py", PATCH)))
    [finding] = _sast(review)
    assert finding.title.startswith("B602 ") and finding.rule_id == "B602"
    assert finding.severity is Severity.HIGH
    assert finding.cwe == ["CWE-78"] and finding.owasp == ["A03:2021-Injection"]
    assert finding.evidence[0].line == 9
    assert "shell=True" in (finding.evidence[0].detail or "")


def test_issue_on_an_unchanged_line_is_not_reported() -> None:
    patch = hunk(1, 1, ["+# a comment", " import subprocess"])
    text = "# a comment\n" + HEAD
    review = reviewer(content=files({"tools/run.py": text})).review(
        pull(changed("tools/run.py", patch)))
    assert _sast(review) == []


def test_without_content_the_hunks_are_scanned_on_their_own() -> None:
    review = reviewer().review(pull(changed("tools/run.py", PATCH)))
    [finding] = _sast(review)
    assert finding.evidence[0].line == 9
    assert review.metrics["python_hunk_only_files"] == 1
    assert not review.gaps


def test_a_hunk_that_does_not_parse_is_a_coverage_gap() -> None:
    patch = hunk(20, 20, ["     if x:", "+        y = eval(data)", "     else:"])
    review = reviewer().review(pull(changed("tools/calc.py", patch)))
    [gap] = review.gaps
    assert gap.source == "repository" and "tools/calc.py" in gap.what
    assert "post-change content not available" in gap.why


def test_new_files_are_read_whole_from_the_patch() -> None:
    review = reviewer().review(pull(added("tools/load.py", [
        "import pickle", "", "def load(blob):", "    return pickle.loads(blob)"])))
    assert [f.title.split(" (")[0] for f in _sast(review)] == ["B301"]


def test_unparsable_python_is_named_and_the_hunks_still_scanned() -> None:
    review = reviewer(content=files({"tools/run.py": HEAD.replace("def old", "def old(")})).review(
        pull(changed("tools/run.py", PATCH)))
    assert [f.category for f in review.findings if f.category != "sast"] == ["input-unreadable"]
    assert len(_sast(review)) == 1


def test_hardcoded_password_tests_never_repeat_the_value() -> None:
    review = reviewer(sast_min_severity="low", sast_min_confidence="low").review(
        pull(added("tools/conf.py", ['secret_token = "zq81Lr"'])))
    # detect-secrets flags the same line: one finding, both reasons.
    [finding] = [f for f in review.findings if any(r.rule_id == "B105" for r in f.reasons)]
    assert finding.categories == ["secret", "sast"]
    assert "zq81Lr" not in finding.model_dump_json()
