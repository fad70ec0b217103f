"""End to end on the demo: the whole graph surfaces every planted risk it runs agents for."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from advisor.demo.planted import PLANTED
from tests.graphs.demo_run import RELEASE_AGENTS, run_demo_release

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_state(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    return run_demo_release(tmp_path_factory.mktemp("demo-home"))


def test_the_demo_run_pauses_for_signoff_offline(demo_state: dict) -> None:  # type: ignore[type-arg]
    assert demo_state["status"] == "pending_signoff"
    report = demo_state["report"]
    assert report["llm"]["provider"] == "offline"
    assert report["snapshot_hash"] == demo_state["snapshot_hash"]
    assert {a["agent"] for a in report["agents"]} == set(RELEASE_AGENTS)


@pytest.mark.parametrize("risk", [r for r in PLANTED if r.agent in RELEASE_AGENTS],
                         ids=lambda r: r.id)
def test_every_planted_release_risk_reaches_the_report(demo_state: dict, risk) -> None:  # type: ignore[no-untyped-def, type-arg]
    findings = [f for a in demo_state["report"]["agents"] if a["agent"] == risk.agent
                for f in a["findings"]]
    assert any(risk.category in [f["category"], *(r["category"] for r in f["reasons"])]
               and any(risk.evidence in e["ref"] for e in f["evidence"]) for f in findings), \
        f"{risk.id}: no {risk.category} finding citing {risk.evidence}"


def test_an_injection_attempt_is_reported_once(demo_state: dict) -> None:  # type: ignore[type-arg]
    refs = [f["evidence"][0]["ref"] for a in demo_state["report"]["agents"]
            for f in a["findings"] if f["category"] == "prompt-injection-attempt"]
    assert len(refs) == len(set(refs)) >= 1


def test_no_finding_lacks_evidence(demo_state: dict) -> None:  # type: ignore[type-arg]
    for agent in demo_state["report"]["agents"]:
        for finding in agent["findings"]:
            assert finding["evidence"], finding["title"]


def test_the_report_validates_against_the_published_schema(demo_state: dict) -> None:  # type: ignore[type-arg]
    from agents.aggregate import ReleaseReport
    from render.release import render_json

    schema = json.loads((ROOT / "docs/report.schema.json").read_text())
    rendered = json.loads(render_json(ReleaseReport.model_validate(demo_state["report"])))
    jsonschema.Draft202012Validator(schema).validate(rendered)
