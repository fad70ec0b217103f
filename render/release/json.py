"""The report as JSON for archives and CI gates, and the JSON Schema that describes it.

Keys are sorted so two renders of the same report are byte-identical (diffable, hashable).
``docs/report.schema.json`` is generated from ``ReleaseReport`` by
``scripts/export_report_schema.py``; a test fails when the committed copy is stale.
"""

from __future__ import annotations

import json
from typing import Any

from agents.aggregate import ReleaseReport
from governance.redact import Redactor
from render.redaction import redact_report

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:release-risk-advisor:schema:release-report"
SCHEMA_TITLE = "Release Risk Advisor report"


def render_json(report: ReleaseReport, *, redactor: Redactor | None = None) -> str:
    data = redact_report(report, redactor).model_dump(mode="json")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_json_schema() -> dict[str, Any]:
    schema = ReleaseReport.model_json_schema()
    header = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, "title": SCHEMA_TITLE}
    return {**header, **{k: v for k, v in schema.items() if k not in header}}


def report_json_schema_text() -> str:
    """The exact text of docs/report.schema.json."""
    return json.dumps(report_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
