"""The optional second look by Claude (``security.llm_review``, off by default).

Pass 1 sends the redacted diff and the deterministic findings through the advisory
layer, which may propose findings of its own (``source="llm"``, capped severity, never
scored). Pass 2 re-checks each proposal in its own call with the whole post-change
file; a proposal the model then calls a false positive, or that cannot be re-checked,
stays in the report with ``llm_rejected_reason`` set. Deterministic findings are
never changed here.

``SecondOpinion`` is the slice of ``agents.advisory.Advisor`` this needs, so tests can
pass a fake and the agent does not depend on how the advisor is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agents.advisory.models import AdvisoryContext, AnnotationResult, UntrustedText
from agents.injection import TextOrigin
from agents.models import Finding, LlmUsage
from agents.security.findings import AGENT, PrRef
from governance.redact import Redactor

__all__ = ["LlmReview", "SecondOpinion", "llm_review"]


class SecondOpinion(Protocol):
    def annotate(self, findings: list[Finding], context: AdvisoryContext) -> AnnotationResult:
        ...


@dataclass
class LlmReview:
    findings: list[Finding] = field(default_factory=list)  # accepted and rejected proposals
    usage: LlmUsage = field(default_factory=LlmUsage)


def _text(redactor: Redactor, pr: PrRef, path: str, body: str, suffix: str = "") -> UntrustedText:
    return UntrustedText(origin=TextOrigin.DIFF, id=f"{pr.label}:{path}{suffix}",
                         text=redactor.redact(body).text, path=path, url=pr.url,
                         line=1 if suffix else None)


def _path(finding: Finding) -> str | None:
    return next((e.path for e in finding.evidence if e.path), None)


def _reject(finding: Finding, reason: str) -> Finding:
    return finding.model_copy(update={"llm_rejected_reason": reason})


def _recheck(advisor: SecondOpinion, redactor: Redactor, pr: PrRef, proposal: Finding,
             whole: Mapping[str, str]) -> tuple[Finding, LlmUsage]:
    path = _path(proposal)
    if path is None:
        return _reject(proposal, "not re-checked: the proposal names no file"), LlmUsage()
    if path not in whole:
        return _reject(proposal, "not re-checked: the whole file is not available"), LlmUsage()
    context = AdvisoryContext(subject=pr.label, agent=AGENT,
                              texts=[_text(redactor, pr, path, whole[path], ":whole")])
    result = advisor.annotate([proposal], context)
    if result.fallback is not None:
        return _reject(proposal, f"not re-checked: {result.fallback}"), result.usage
    checked = next((f for f in result.findings if f.fingerprint == proposal.fingerprint), None)
    note = checked.annotation if checked else None
    if note is None:
        return _reject(proposal, "not re-checked: no answer for it"), result.usage
    if note.likely_false_positive:
        reason = note.false_positive_reason or "the re-check with the whole file rejected it"
        return _reject(checked or proposal, f"rejected on re-check: {reason}"), result.usage
    return checked or proposal, result.usage


def llm_review(advisor: SecondOpinion, redactor: Redactor, pr: PrRef,
               findings: Sequence[Finding], patches: Mapping[str, str],
               whole: Mapping[str, str]) -> LlmReview:
    """``patches``: path -> unified-diff hunks; ``whole``: path -> post-change text."""
    context = AdvisoryContext(subject=pr.label, agent=AGENT,
                              texts=[_text(redactor, pr, p, t) for p, t in patches.items()])
    first = advisor.annotate(list(findings), context)
    review = LlmReview(usage=first.usage)
    for proposal in (f for f in first.findings if f.source == "llm"):
        if proposal.llm_rejected_reason:  # the merge already refused its evidence
            review.findings.append(proposal)
            continue
        checked, usage = _recheck(advisor, redactor, pr, proposal, whole)
        review.findings.append(checked)
        review.usage = review.usage.add(usage)
    return review
