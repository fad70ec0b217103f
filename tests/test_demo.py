"""The demo organisation (docs/demo.md): a sound snapshot, built through the connectors,
in which every agent finds every risk planted for it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from advisor.demo import demo_plan_path, demo_snapshot_path
from advisor.demo.planted import PLANTED, PlantedRisk, markdown_table
from agents.base import AgentInput
from agents.models import AgentReport
from agents.registry import agent_factory
from connectors.snapshot import SOURCES, Snapshot, load_snapshot
from tests.configs import agent_config
from tests.replay import SHARED

ROOT = Path(__file__).resolve().parents[1]
DEMO_CASSETTES = ROOT / "cassettes" / "demo"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def snapshot() -> Snapshot:
    return load_snapshot(demo_snapshot_path())


@cache
def report(agent: str) -> AgentReport:
    inputs = AgentInput(snapshot=snapshot().body, plan_files=[demo_plan_path()])
    return agent_factory(agent, agent_config())().analyse(inputs, agent_config().policy)


# -- the snapshot ------------------------------------------------------------------------------


def test_committed_snapshot_loads_and_verifies() -> None:
    loaded = snapshot()  # load_snapshot checks format, version and content hash
    body = loaded.body
    assert body.subject == "acme-pay/payments-api@v2.3.0...v2.4.0"
    assert body.created_at.isoformat() == "2025-03-18T09:00:00+00:00"
    assert body.asked.jira_project == "PAY" and body.asked.fix_version == "2.4.0"
    assert body.asked.aws_region == "eu-west-1"
    assert body.github is not None and len(body.github.pull_requests) == 31
    assert body.jira is not None and len(body.jira.issues) == 42
    assert body.confluence is not None and len(body.confluence.pages) == 11
    assert body.cloudwatch is not None and body.cloudwatch.alarms is not None
    assert {len(s.values) for s in body.cloudwatch.series} == {2016}  # 7 days of 5 minutes
    assert body.osv is not None


def test_every_source_went_through_its_connector_at_the_minimum_cost() -> None:
    from scripts.demo_org.minimum import minimum

    body = snapshot().body
    assert body.gaps() == []
    assert [p.source for p in body.provenance] == list(SOURCES)
    assert body.osv is not None
    least = minimum([(p.package.name, p.package.version) for p in body.osv.packages])
    for provenance in body.provenance:
        assert provenance.requests > 0, provenance.source
        assert provenance.gaps == [], provenance.source
        assert (provenance.retries, provenance.rate_limit_wait_s) == (0, 0.0)
        pages = sum(n for _, n in least[provenance.source])
        assert provenance.requests == pages, f"{provenance.source}: {least[provenance.source]}"
    github = body.provenance_of("github")
    assert github is not None and github.requests > 30  # pages of 10, compares of merges
    assert {state.resource for state in github.rate_limits} == {"core", "graphql"}


def test_the_plan_is_terraform_show_json() -> None:
    plan = json.loads(demo_plan_path().read_text(encoding="utf-8"))
    assert plan["format_version"] == "1.2"
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    db = changes["aws_db_instance.payments"]
    assert db["actions"] == ["delete", "create"]
    assert (db["before"]["deletion_protection"], db["after"]["deletion_protection"]) == (
        True, False)
    assert any(a == ["update"] for a in (c["actions"] for c in changes.values()))
    assert [d["address"] for d in plan["resource_drift"]] == ["aws_security_group.db"]


def test_committed_snapshot_equals_a_fresh_build() -> None:
    pytest.importorskip("moto")
    from scripts.demo_org.replay import build_demo_snapshot

    fresh, replays = build_demo_snapshot()
    assert replays.unplayed == {s: [] for s in ("github", "jira", "confluence", "osv")}
    assert fresh.content_hash == snapshot().content_hash, (
        "regenerate: .venv/bin/python scripts/build_demo.py")


# -- the cassettes have the services' shapes -----------------------------------------------------


def _cassette(service: str) -> list[dict[str, object]]:
    text = (DEMO_CASSETTES / service / "release.yaml").read_text(encoding="utf-8")
    return list(yaml.load(text, Loader=LOADER)["interactions"])  # noqa: S506 - a safe loader


@pytest.mark.shared
def test_github_cassette_matches_githubs_openapi_description() -> None:
    if not (SHARED / "api-specs" / "github").exists():
        pytest.skip("../shared/api-specs absent")
    import jsonschema

    from tests.contract import test_github_contract as contract

    for index, item in enumerate(_cassette("github")):
        request, response = item["request"], item["response"]
        assert isinstance(request, dict) and isinstance(response, dict)
        if str(request["uri"]).endswith("/graphql"):
            continue  # checked against the GraphQL schema (test_github_graphql_contract.py)
        recorded = contract.Recorded(
            "demo", index, str(request["method"]).lower(), urlsplit(str(request["uri"])).path,
            response["status"]["code"], response["headers"]["Content-Type"][0],
            response["body"]["string"])
        schema = {**contract.draft4(contract.response_schema(recorded)),
                  "definitions": contract.definitions()}
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.loads(recorded.body)))
        assert not errors, f"{recorded.id}: {errors[0].message[:200]}"


@pytest.mark.shared
def test_jira_cassette_matches_atlassians_openapi_description() -> None:
    if not (SHARED / "api-specs" / "jira").exists():
        pytest.skip("../shared/api-specs absent")
    from tests.contract import test_jira_contract as contract

    for index, item in enumerate(_cassette("jira")):
        request, response = item["request"], item["response"]
        assert isinstance(request, dict) and isinstance(response, dict)
        path = contract.api_path(str(request["uri"]))
        schema = contract.response_schema(str(request["method"]).lower(), path)
        errors = contract.validate(json.loads(response["body"]["string"]), schema)
        assert not errors, f"jira[{index}] {path}: {errors[:3]}"


# -- the planted risks -----------------------------------------------------------------------------


def test_the_doc_shows_the_planted_table() -> None:
    doc = (ROOT / "docs" / "demo.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "regenerate: .venv/bin/python scripts/build_demo.py"
    assert {r.agent for r in PLANTED} == {"security", "delivery", "platform", "portfolio"}
    assert len({r.id for r in PLANTED}) == len(PLANTED)


@pytest.mark.parametrize("risk", PLANTED, ids=lambda r: f"{r.id}-{r.agent}-{r.category}")
def test_planted_risk_is_found(risk: PlantedRisk) -> None:
    found = report(risk.agent)
    # A finding of several reasons (one root cause) carries every reason's category.
    of_category = [f for f in found.findings if risk.category in f.categories]
    assert of_category, f"{risk.agent} reported no {risk.category} finding"
    citing = [f for f in of_category if any(risk.evidence in e.ref for e in f.evidence)]
    assert citing, (f"no {risk.category} finding cites {risk.evidence!r}; cited: "
                    f"{[e.ref for f in of_category for e in f.evidence]}")
    assert all(f.agent == risk.agent and f.source == "deterministic" for f in citing)
