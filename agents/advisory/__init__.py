"""The Claude advisory layer: explains, prioritises and suggests tests; never decides.

One interface, three providers (``config/llm.yaml``; docs/llm.md)::

    advisor = build_advisor(gate=kill_switch, audit=audit_log)
    annotated = advisor.annotate(findings, AdvisoryContext(subject="acme/pay#12", texts=[...]))
    summary = advisor.summarise(ReportDigest(subject="acme/pay#12", findings=annotated.findings))

Whatever the provider says, every deterministic finding comes back unchanged but for
its annotation (``merge.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from agents.advisory.models import (
    AdvisoryContext,
    AnnotationResult,
    ReportDigest,
    SummaryResult,
    TextOrigin,
    UntrustedText,
)
from agents.advisory.offline import OfflineAdvisor
from agents.advisory.settings import AdvisorySettings, load_advisory_settings
from agents.models import Finding

if TYPE_CHECKING:
    from agents.advisory.providers import build_advisor


def __getattr__(name: str) -> Any:
    # The providers import the anthropic SDK (about a second): only when one is built.
    if name == "build_advisor":
        from agents.advisory.providers import build_advisor

        return build_advisor
    raise AttributeError(name)

__all__ = [
    "Advisor",
    "AdvisoryContext",
    "AdvisorySettings",
    "AnnotationResult",
    "OfflineAdvisor",
    "ReportDigest",
    "SummaryResult",
    "TextOrigin",
    "UntrustedText",
    "build_advisor",
    "load_advisory_settings",
]


class Advisor(Protocol):
    provider: str

    def annotate(self, findings: list[Finding], context: AdvisoryContext) -> AnnotationResult:
        """Every finding back with an annotation, plus injection and accepted LLM findings."""
        ...

    def summarise(self, report: ReportDigest) -> SummaryResult:
        """A short summary for the human who signs off."""
        ...
