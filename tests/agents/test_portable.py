"""Portable evidence: no absolute path of the machine that ran an agent in its report."""

from __future__ import annotations

from pathlib import Path

from agents.base import AgentInput, portable
from agents.models import AgentReport, AgentStatus, RiskScore, Severity
from connectors.provenance import Gap
from tests.agents.test_missing_data import demo
from tests.agents.test_scoring import finding


def test_clone_and_input_paths_become_repository_paths_and_file_names(tmp_path: Path) -> None:
    clone, plans = tmp_path / "checkout", tmp_path / "plans"
    clue = finding(1, Severity.HIGH)
    clue = clue.model_copy(update={
        "explanation": f"{clone}/src/pay/fees.py changed; see {plans}/prod.json",
        "evidence": [clue.evidence[0].model_copy(update={"path": f"{clone}/src/pay/fees.py"})]})
    report = AgentReport(agent="delivery", status=AgentStatus.PARTIAL, findings=[clue],
                         score=RiskScore(value=1),
                         gaps=[Gap(source="git", what="history", why=f"git failed in {clone}")])
    inputs = AgentInput(snapshot=demo(), repo_path=clone, plan_files=[plans / "prod.json"])
    moved = portable(report, inputs)
    text = moved.model_dump_json()
    assert str(tmp_path) not in text
    assert moved.findings[0].evidence[0].path == "src/pay/fees.py"
    assert moved.findings[0].explanation == "src/pay/fees.py changed; see prod.json"
    assert moved.gaps[0].why == "git failed in checkout"


def test_a_report_without_local_inputs_is_left_alone() -> None:
    report = AgentReport(agent="delivery", status=AgentStatus.COMPLETE, score=RiskScore(value=0))
    assert portable(report, AgentInput(snapshot=demo())) is report
