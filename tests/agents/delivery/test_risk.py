"""high-change-risk, the riskiest-changes score factor and suggested tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agents.models import Confidence, Severity
from connectors.github.models import PullRequest
from connectors.jira.models import JiraIssue
from tests.agents.delivery.factories import changed, issue, of, pr, run, snapshot

BIG_PATCH = ("@@ -1,3 +1,300 @@ def refund(order, amount):\n"
             + "".join(f"+    step_{n}()\n" for n in range(290))
             + "+def capture(order):\n+    pass\n+class Ledger:\n+    pass\n")


def _risky(number: int = 7, keys: tuple[str, ...] = ("PAY-7",)) -> PullRequest:
    files = [changed("pay/refund.py", 294, 40, patch=BIG_PATCH),
             *(changed(f"pay/mod{i}/x.py", 150, 30) for i in range(8))]
    return pr(number, title="Rework refunds", keys=list(keys), files=files)


def _bug() -> list[JiraIssue]:
    return [issue("PAY-7", issue_type="Bug", summary="Refund crashes")]


def test_risky_pr_is_flagged_with_contributions_and_tests() -> None:
    report = run(snapshot(prs=[_risky()], issues=_bug()))
    [finding] = of(report, "high-change-risk")
    assert finding.severity == Severity.HIGH
    assert finding.confidence == Confidence.LOW  # diff-only model
    assert "la=+" in finding.explanation and "log-odds" in finding.explanation
    assert "size and diffusion only (no local clone" in finding.explanation
    tests = finding.suggested_tests  # from the change itself, not from an annotator
    assert tests[0].startswith("Regression: add `test_pay_7_refund` that reproduces PAY-7")
    assert any(t.startswith("Boundary: call `refund()` (pay/refund.py:") for t in tests)
    assert not any(finding.title in t for t in tests)
    assert any("`capture()`" in t for t in tests)
    assert any(t.startswith("Boundary: build `Ledger`") for t in tests)
    assert len(tests) <= 6
    assert "Suggested tests: 1. Regression" in finding.recommendation  # survives re-annotation


def test_small_pr_is_not_high_risk() -> None:
    report = run(snapshot(prs=[pr(files=[changed("pay/a.py", 3), changed("tests/t.py", 3)])]))
    assert of(report, "high-change-risk") == []
    assert report.metrics["change_risk_scored"] == 1


def test_riskiest_changes_factor_explains_the_points() -> None:
    body = snapshot(prs=[_risky(), pr(2, files=[changed("pay/a.py", 3)])], issues=_bug())
    report = run(body, {"change_risk": {"top_n": 1}})
    [factor] = [f for f in report.score.factors if f.name == "riskiest changes"]
    assert str(factor.value).startswith("#7 0.9")
    top = report.metrics["change_risk_max"]
    assert isinstance(top, float)
    assert factor.contribution == pytest.approx(10 * (top - 0.5) / 0.5, abs=0.1)
    assert "#7: la=+" in factor.explanation
    assert report.metrics["change_risk_max_pr"] == 7


def test_low_risk_release_gets_no_factor_points() -> None:
    report = run(snapshot(prs=[pr(files=[changed("pay/a.py", 2), changed("tests/t.py", 2)])]))
    [factor] = [f for f in report.score.factors if f.name == "riskiest changes"]
    assert factor.contribution == 0


def test_a_linked_bug_marks_the_change_as_a_fix() -> None:
    body_bug = snapshot(prs=[pr(keys=["PAY-7"])], issues=_bug())
    body_story = snapshot(prs=[pr(keys=["PAY-7"])], issues=[issue("PAY-7")])
    bug_risk, story_risk = (run(b).metrics["change_risk_max"] for b in (body_bug, body_story))
    assert isinstance(bug_risk, float) and isinstance(story_risk, float)
    assert bug_risk > story_risk


def test_thresholds_are_policy() -> None:
    report = run(snapshot(prs=[pr()]), {"change_risk": {"medium_threshold": 0.01,
                                                        "high_threshold": 0.99}})
    [finding] = of(report, "high-change-risk")
    assert finding.severity == Severity.MEDIUM


# -- with a local clone -----------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
           "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
           "GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("clone")
    _git(repo, "init", "-q", "-b", "main")
    (repo / "pay").mkdir()
    (repo / "pay" / "refund.py").write_text("a = 1\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    (repo / "pay" / "refund.py").write_text("a = 1\n" + "b = 2\n" * 10)
    _git(repo, "commit", "-q", "-am", "PAY-1 Add refunds")
    return repo, _git(repo, "rev-parse", "HEAD")


def test_clone_adds_history_and_the_full_model(clone: tuple[Path, str]) -> None:
    repo, sha = clone
    change = pr(files=[changed("pay/refund.py", 10)]).model_copy(
        update={"merge_commit_sha": sha})
    report = run(snapshot(prs=[change]), repo_path=repo)
    assert report.metrics["change_risk_full_model"] == 1
    [factor] = [f for f in report.score.factors if f.name == "riskiest changes"]
    assert f"diff and history (commit {sha[:12]})" in factor.explanation
    assert not any(g.source == "git" for g in report.gaps)


def test_commit_missing_from_the_clone_is_a_gap(clone: tuple[Path, str]) -> None:
    repo, _ = clone
    report = run(snapshot(prs=[pr()]), repo_path=repo)  # head sha is not in the clone
    assert report.metrics["change_risk_full_model"] == 0
    assert any(g.source == "git" and g.what == "history features of acme/pay#1"
               for g in report.gaps)
    assert report.status == "partial"


def test_history_is_bounded_by_policy(clone: tuple[Path, str]) -> None:
    repo, _ = clone
    report = run(snapshot(prs=[pr()]), {"change_risk": {"max_history_prs": 0}}, repo_path=repo)
    assert any(g.what == "history features of 1 PR(s)" for g in report.gaps)
