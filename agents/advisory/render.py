"""What the model sees: redacted, delimited data, never text it could mistake for ours.

Every string is redacted before it is placed (secrets and PII become typed
placeholders). Untrusted text goes into ``<untrusted_data origin=… id=…>`` blocks;
inside any block, invisible characters are spelled out (``⟦U+202E⟧``) and anything that
looks like one of our tags has its ``<`` replaced by ``‹``, so a PR body cannot close
its block and continue as instructions.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from agents.advisory.models import ReportDigest, UntrustedText
from agents.injection import visible
from agents.models import Finding
from governance.redact import Redactor

DATA_TAG = "untrusted_data"
FINDINGS_TAG = "findings"
_TAG_LOOKALIKE = re.compile(r"<(\s*/?\s*)(untrusted[\s_-]*data|findings|notes)", re.IGNORECASE)


class Rendered(BaseModel):
    """The pieces a prompt template places, and what redaction and cutting did to them."""

    findings: str
    data: str = ""
    redactions: dict[str, int]
    truncated_chars: int = 0


def neutralise(text: str) -> str:
    return _TAG_LOOKALIKE.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", visible(text))


def _attr(value: str) -> str:
    return html.escape(neutralise(value), quote=True)


class _Redacting:
    """Redacts and keeps the counts (kinds and numbers only, never values)."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.counts: Counter[str] = Counter()

    def text(self, value: str) -> str:
        result = self.redactor.redact(value)
        self.counts.update(result.counts)
        return result.text

    def data(self, value: Any) -> Any:
        result, counts = self.redactor.redact_data(value)
        self.counts.update(counts)
        return result


def data_block(item: UntrustedText, text: str) -> str:
    attrs = f'origin="{item.origin.value}" id="{_attr(item.id)}"'
    if item.path:
        attrs += f' path="{_attr(item.path)}"'
    if item.line:
        attrs += f' line="{item.line}"'
    return f"<{DATA_TAG} {attrs}>\n{neutralise(text)}\n</{DATA_TAG}>"


def finding_view(finding: Finding) -> dict[str, Any]:
    """The fields the model needs to annotate a finding (no annotation, no internals)."""
    return {
        "fingerprint": finding.fingerprint,
        "source": finding.source,
        "agent": finding.agent,
        "category": finding.category,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "title": finding.title,
        "explanation": finding.explanation,
        "recommendation": finding.recommendation,
        "evidence": [e.model_dump(exclude_none=True, mode="json") for e in finding.evidence],
    }


def findings_block(findings: Iterable[Finding], redacting: _Redacting) -> str:
    views = redacting.data([finding_view(f) for f in findings])
    body = json.dumps(views, ensure_ascii=False, indent=1)
    return f"<{FINDINGS_TAG}>\n{neutralise(body)}\n</{FINDINGS_TAG}>"


def _cut(texts: list[UntrustedText], limit: int) -> tuple[list[str], int]:
    """Each text in order, cut once the shared character budget is spent."""
    kept: list[str] = []
    left, dropped = limit, 0
    for item in texts:
        text = item.text
        if len(text) > left:
            dropped += len(text) - left
            text = text[:left] + f"\n[… {len(item.text) - left} characters cut by the advisor]"
        left = max(0, left - len(item.text))
        kept.append(text)
    return kept, dropped


def render_annotation_input(
    findings: list[Finding], texts: list[UntrustedText], redactor: Redactor, max_chars: int,
) -> Rendered:
    redacting = _Redacting(redactor)
    cut, dropped = _cut(texts, max_chars)
    blocks = [data_block(item.model_copy(update={
                  "id": redacting.text(item.id),
                  "path": redacting.text(item.path) if item.path else None}),
              redacting.text(text))
              for item, text in zip(texts, cut, strict=True)]
    empty = f'<{DATA_TAG} origin="none" id="none">\n(no text supplied)\n</{DATA_TAG}>'
    return Rendered(findings=findings_block(findings, redacting),
                    data="\n\n".join(blocks) or empty,
                    redactions=dict(sorted(redacting.counts.items())), truncated_chars=dropped)


def render_summary_input(digest: ReportDigest, redactor: Redactor) -> Rendered:
    redacting = _Redacting(redactor)
    found = findings_block(digest.findings, redacting)
    lines = list(digest.notes)
    if digest.totals is not None:  # the findings given are the most severe, not all
        counts = ", ".join(f"{n} {s}" for s, n in digest.totals.items() if n)
        lines.insert(0, f"The report has {sum(digest.totals.values())} findings ({counts}); "
                        f"the {len(digest.findings)} most severe are listed.")
    notes = "\n".join(f"- {redacting.text(n)}" for n in lines) or "- none"
    return Rendered(findings=found, data=f"<notes>\n{neutralise(notes)}\n</notes>",
                    redactions=dict(sorted(redacting.counts.items())))


def final_pass(text: str, redactor: Redactor) -> tuple[str, dict[str, int]]:
    """A last redaction over the whole message: placeholders are left alone, so this only
    catches what splitting into pieces hid (it is idempotent)."""
    result = redactor.redact(text)
    return result.text, result.counts
