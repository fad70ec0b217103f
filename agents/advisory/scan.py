"""Deterministic injection scan of the advisory inputs, before any model sees them."""

from __future__ import annotations

from collections.abc import Sequence

from agents.advisory.models import AdvisoryContext, UntrustedText
from agents.injection import Detection, TextOrigin, detect, detect_in_diff, injection_findings
from agents.models import Finding


def scan_text(item: UntrustedText) -> list[Detection]:
    if item.origin is TextOrigin.DIFF and item.path is None:
        return detect_in_diff(item.text, ref=item.id)
    first = item.line or 1
    lines = range(first, first + item.text.count("\n") + 1)
    return detect(item.text, origin=item.origin, ref=item.id, path=item.path,
                  line_numbers=list(lines))


def scan_context(context: AdvisoryContext) -> list[Detection]:
    return [d for item in context.texts for d in scan_text(item)]


def with_injection_findings(findings: Sequence[Finding], context: AdvisoryContext) -> list[Finding]:
    """The given findings, then one deterministic finding per source with injection hits.

    A finding already present (same fingerprint, e.g. from the security agent, which
    uses the same detector) is not added twice.
    """
    present = {f.fingerprint for f in findings}
    extra = [f for f in injection_findings(scan_context(context), agent=context.agent or "security")
             if f.fingerprint not in present]
    return [*findings, *extra]
