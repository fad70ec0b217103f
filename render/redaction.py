"""Every format renders a redacted copy: a report is published text (docs/security.md).

Identifiers a reader needs to check the report against the registry, the audit log and
the snapshot (report id, snapshot hash, the signer, timestamps, prompt versions, the
decision's audit entry and the stored content's hash) are kept verbatim:
a login such as an e-mail address is the named human the sign-off is about.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from agents.aggregate import ReleaseReport
from governance.redact import Redactor, default_redactor

ModelT = TypeVar("ModelT", bound=BaseModel)

_VERBATIM = (
    "schema_version", "kind", "generated_at", "report_id", "signoff_status",
    "signed_off_by", "signed_off_at", "snapshot_hash", "prompt_versions",
    "decision_audit_seq", "decision_audit_hash", "content_hash",
)


def redact_report(report: ReleaseReport, redactor: Redactor | None = None) -> ReleaseReport:
    """A copy with secrets and PII masked in every string value (idempotent).

    Trend timestamps (thousands of dates) are kept as they are.
    """
    stamps = [trend.timestamps for trend in report.trends]
    bare = report.model_copy(update={"trends": [t.model_copy(update={"timestamps": []})
                                                for t in report.trends]})
    masked = redact_model(bare, redactor, verbatim=_VERBATIM)
    trends = [t.model_copy(update={"timestamps": times})
              for t, times in zip(masked.trends, stamps, strict=True)]
    return masked.model_copy(update={"trends": trends})


def redact_model(model: ModelT, redactor: Redactor | None, *, verbatim: Sequence[str]
                 ) -> ModelT:
    """A copy of ``model`` with every string value masked, but the ``verbatim`` fields.

    Keys are field names (or metric names), not data, so only values are scanned, each
    distinct string once: reports repeat the same words a lot.
    """
    active = redactor or default_redactor()
    data = model.model_dump(mode="json")
    kept = {name: data.pop(name) for name in verbatim if name in data}
    masked = _walk(data, functools.cache(lambda text: active.redact(text).text))
    return type(model).model_validate({**masked, **kept})


def _walk(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: _walk(item, mask) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, mask) for item in value]
    return value
