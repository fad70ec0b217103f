"""No evidence is never "low risk": the live report without network says "cannot assess"
and fails the gate; a snapshot whose requested source yielded nothing is not written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from agents.aggregate import AggregationPolicy, ReleaseReport, aggregate, gate_failure
from agents.models import (
    AgentReport,
    AgentStatus,
    CheckCoverage,
    Confidence,
    DataLevel,
    Evidence,
    EvidenceKind,
    Finding,
    RiskScore,
    Severity,
)
from connectors.transport import RetryPolicy
from tests.cli import run_cli

LIVE = ["--repo", "acme/x", "--base", "v1", "--head", "v2"]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing answers (the network is cut by tests/conftest.py); retry without waiting."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> Callable[..., tuple[int, str, str]]:
    """``advisor ARGS…`` as a user runs it: exit code, stdout, stderr."""
    return lambda *args: run_cli(monkeypatch, capsys, *args)


def test_the_live_report_without_network_cannot_assess_and_fails_the_gate(
        offline: None, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("release-report", *LIVE, "--quiet", "--fail-on", "high",
                          "--format", "terminal,json", "--output", str(tmp_path))
    assert code == 1
    assert "Verdict: cannot assess" in out and "low" not in out.split("Score by agent")[0]
    assert "gate --fail-on high tripped: cannot assess: github:" in err
    [written] = tmp_path.glob("*.json")
    report = json.loads(written.read_text())
    assert report["verdict"] == "cannot assess"
    assert report["verdict_rule"] == "no github data ⇒ cannot assess"
    assert report["counts"]["total"] == 0
    github = [g for g in report["gaps"] if g["source"] == "github" and g["what"] == "all data"]
    assert len(github) == 1  # once, not once per agent


def test_allow_gaps_accepts_the_missing_data_but_still_says_so(
        offline: None, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = cli("release-report", *LIVE, "--quiet", "--fail-on", "high",
                        "--allow-gaps", "--output", str(tmp_path))
    assert code == 0 and "Verdict: cannot assess" in out


def test_a_snapshot_whose_source_yielded_nothing_is_not_written(
        offline: None, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    target = tmp_path / "snapshots"
    code, _, err = cli("snapshot", *LIVE, "-o", str(target))
    assert code == 4 and not list(target.glob("*.json*"))
    assert "github yielded nothing" in err and "--allow-gaps" in err
    code, out, _ = cli("snapshot", *LIVE, "-o", str(target), "--allow-gaps")
    [written] = target.glob("*.json.gz")
    assert code == 0 and f"wrote {written}" in out


# -- the gate, rule by rule ----------------------------------------------------------------


def _finding(severity: Severity) -> Finding:
    return Finding(fingerprint=f"fp-{severity.value}", agent="delivery", category="large-pr",
                   severity=severity, confidence=Confidence.HIGH, title=f"a {severity} one",
                   explanation="e", evidence=[Evidence(kind=EvidenceKind.PULL_REQUEST, ref="#1")],
                   recommendation="r")


def _report(*findings: Finding, unchecked: Severity | None = None) -> ReleaseReport:
    checks = [CheckCoverage(check="alarms", data=DataLevel.NONE, sources=["cloudwatch"],
                            worst=unchecked, detail="not in the snapshot: cloudwatch")
              ] if unchecked else []
    agent = AgentReport(agent="delivery", status=AgentStatus.COMPLETE, findings=list(findings),
                        score=RiskScore(value=10), checks=checks)
    return aggregate("r", [agent], AggregationPolicy())


def test_the_gate_fails_on_findings_at_the_level_and_only_then() -> None:
    assert gate_failure(_report(_finding(Severity.MEDIUM)), Severity.HIGH) is None
    why = gate_failure(_report(_finding(Severity.HIGH)), Severity.HIGH)
    assert why == "1 finding: 1 high at or above high"


def test_the_gate_fails_when_a_check_that_could_reach_the_level_had_no_data() -> None:
    blind = _report(unchecked=Severity.HIGH)
    assert blind.verdict == "proceed with care"
    why = gate_failure(blind, Severity.HIGH)
    assert why is not None and why.startswith("cannot rule out a high finding: delivery alarms")
    assert gate_failure(blind, Severity.HIGH, allow_gaps=True) is None
    assert gate_failure(blind, Severity.CRITICAL) is None  # it could not have been critical
