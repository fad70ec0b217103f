"""A stored report rendered as it stands, with its decision beside it.

The registry keeps a report's content exactly as it was recorded (``pending_signoff``)
and its decision in the record and the audit log. An export renders that content with
the decision filled in: who decided, when, their comment, the audit entry that recorded
it (its seq and hash) and the stored content's hash, so the file can be checked against
``advisor audit show SEQ`` and ``advisor audit verify``. The stored content is never
changed: the decision is applied to a copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agents.aggregate import ReleaseReport
from agents.portfolio.report import PortfolioSummary
from agents.security.review_report import SecurityReviewReport
from governance.audit import AuditEntry
from governance.redact import Redactor
from governance.reports import ReportRecord, ReportStatus
from render import base
from render.portfolio import write_portfolio_reports
from render.release import write_reports

FILE_FORMATS = ("md", "html", "json")
# What each kind of report can be exported as.
EXPORTABLE: dict[str, tuple[str, ...]] = {
    "release": FILE_FORMATS, "portfolio": FILE_FORMATS, "security-review": ("json",)}


class ExportError(ValueError):
    """The report cannot be exported in a format asked for."""


def parse_export_formats(text: str, kind: str) -> list[str]:
    formats = base.parse_formats(text, FILE_FORMATS)
    unsupported = [f for f in formats if f not in EXPORTABLE.get(kind, ())]
    if unsupported:
        raise ExportError(f"a {kind} report exports as {', '.join(EXPORTABLE.get(kind, ()))}, "
                          f"not {', '.join(unsupported)}")
    return formats


def with_decision(content: dict[str, Any], record: ReportRecord,
                  entry: AuditEntry | None) -> dict[str, Any]:
    """A copy of the stored content with the record's decision (and its audit entry)."""
    decision: dict[str, Any] = {"report_id": record.id, "content_hash": record.content_hash}
    if record.status in (ReportStatus.APPROVED, ReportStatus.REJECTED):
        decision.update(signoff_status=record.status.value, signed_off_by=record.decided_by,
                        signed_off_at=record.decided_at,
                        decision_comment=record.decision_comment,
                        decision_audit_seq=entry.seq if entry else None,
                        decision_audit_hash=entry.entry_hash if entry else None)
    else:
        decision.update(signoff_status=record.status.value)
    return {**content, **decision}


def export_report(
    record: ReportRecord,
    content: dict[str, Any],
    entry: AuditEntry | None,
    formats: Sequence[str],
    output_dir: Path,
    *,
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Write the stored report with its decision as ``<report id>.<format>``."""
    data = with_decision(content, record, entry)
    if record.kind == "release":
        return write_reports(ReleaseReport.model_validate(data), formats, output_dir,
                             redactor=redactor)
    if record.kind == "portfolio":
        return write_portfolio_reports(PortfolioSummary.model_validate(data), formats,
                                       output_dir, redactor=redactor)
    review = SecurityReviewReport.model_validate(data)
    path = output_dir / f"{base.file_stem(record.id, 'security-review')}.json"
    output_dir.mkdir(parents=True, exist_ok=True)
    base.write_atomically(path, review.model_dump_json(indent=2) + "\n")
    return {"json": path}

