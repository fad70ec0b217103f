"""JSON: stable, redacted, and valid against the committed schema (which must not go stale)."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from agents.aggregate import ReleaseReport
from render.release import render_json, report_json_schema
from render.release.json import SCHEMA_DIALECT, report_json_schema_text
from tests.render import sample

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"


def test_committed_schema_is_current() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert json.loads(committed) == report_json_schema(), (
        "docs/report.schema.json is stale: run scripts/export_report_schema.py")
    assert committed == report_json_schema_text()


def test_schema_header() -> None:
    schema = report_json_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"]
    assert schema["title"]
    Draft202012Validator.check_schema(schema)


def test_rendered_report_validates() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for status in sample.DECISIONS:
        update, _ = sample.DECISIONS[status]
        data = json.loads(render_json(sample.release_report(**update)))
        errors = list(Draft202012Validator(schema).iter_errors(data))
        assert errors == [], [e.message for e in errors]


def test_schema_rejects_a_broken_report() -> None:
    data = json.loads(render_json(sample.release_report()))
    data["top_risks"][0]["severity"] = "catastrophic"
    del data["verdict"]
    errors = list(Draft202012Validator(report_json_schema()).iter_errors(data))
    assert len(errors) == 2


def test_stable_sorted_and_round_trips() -> None:
    report = sample.release_report()
    text = render_json(report)
    assert text == render_json(report)
    assert text.endswith("}\n")
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert ReleaseReport.model_validate_json(text) == report


def test_signoff_fields() -> None:
    update, _ = sample.DECISIONS["rejected"]
    data = json.loads(render_json(sample.release_report(**update)))
    assert data["signoff_status"] == "rejected"
    assert data["signed_off_by"] == "lee"
    assert data["signed_off_at"] == "2025-03-02T10:30:00.000000Z"
    assert data["advisory_banner"]
    llm_finding = next(f for f in data["agents"][0]["findings"] if f["source"] == "llm")
    assert llm_finding["title"] == sample.LLM_TITLE
    assert any(f["annotation"] and f["annotation"]["likely_false_positive"]
               for f in data["agents"][0]["findings"])
