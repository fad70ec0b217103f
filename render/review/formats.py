"""The file formats of ``advisor security-review --format``: the summary comment's
Markdown, the report's JSON and SARIF 2.1.0, each from a redacted copy like every other
report format."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from agents.security.review_report import SecurityReviewReport
from render.base import Renderer
from render.redaction import redact_model

if TYPE_CHECKING:
    from governance.redact import Redactor

# Identifiers a reader checks against the registry, the PR and the audit log.
_VERBATIM = ("kind", "report_id", "head_sha", "generated_at", "signoff_status",
             "signed_off_by", "signed_off_at")


def _redacted(report: SecurityReviewReport, redactor: Redactor | None) -> SecurityReviewReport:
    return redact_model(report, redactor, verbatim=_VERBATIM)


def render_markdown(report: SecurityReviewReport, *, redactor: Redactor | None = None) -> str:
    """The summary comment the bot posts."""
    from render.review.comment import summary_comment

    return summary_comment(_redacted(report, redactor)) + "\n"


def render_json(report: SecurityReviewReport, *, redactor: Redactor | None = None) -> str:
    return _redacted(report, redactor).model_dump_json(indent=2) + "\n"


def render_sarif(report: SecurityReviewReport, *, redactor: Redactor | None = None) -> str:
    from render.review.sarif import to_sarif

    return json.dumps(to_sarif(_redacted(report, redactor)), indent=2) + "\n"


RENDERERS: dict[str, Renderer[SecurityReviewReport]] = {
    "md": render_markdown, "json": render_json, "sarif": render_sarif}
