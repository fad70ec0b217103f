"""What goes into the advisory layer, what the model may answer, and what comes out.

The model's answer schemas (``AnnotationOutput``, ``SummaryOutput``) are deliberately
narrow: priorities, rationales, false-positive flags, tests, a summary, and proposed
findings. No field can express approval, a verdict, a severity change or a deletion.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.injection import TextOrigin
from agents.models import Finding, LlmUsage

__all__ = [
    "AdvisoryContext",
    "AnnotationOutput",
    "AnnotationResult",
    "FindingNote",
    "ProposedFinding",
    "ReportDigest",
    "SummaryOutput",
    "SummaryResult",
    "TextOrigin",
    "UntrustedText",
]


class UntrustedText(BaseModel):
    """Text written by someone else: always data, never instructions."""

    model_config = ConfigDict(frozen=True)

    origin: TextOrigin
    id: str = Field(description="Where it came from, e.g. 'acme/pay#12', 'PAY-7', a commit SHA.")
    text: str
    path: str | None = Field(default=None, description="File, for diffs and code excerpts.")
    line: int | None = Field(default=None, ge=1, description="First line of a code excerpt.")
    url: str | None = None


class AdvisoryContext(BaseModel):
    subject: str = Field(description="What is being advised on, e.g. 'acme/pay#12'.")
    agent: str | None = Field(
        default=None, description="The agent whose findings these are (kill-switch scope).")
    texts: list[UntrustedText] = Field(default_factory=list)


class ReportDigest(BaseModel):
    subject: str
    agent: str | None = None
    score: float | None = Field(default=None, ge=0, le=100)
    findings: list[Finding] = Field(default_factory=list)
    totals: dict[str, int] | None = Field(
        default=None, description="Findings by severity over the whole report, when "
        "``findings`` holds only the most severe of them.")
    notes: list[str] = Field(
        default_factory=list, description="Coverage gaps and caveats to carry into the summary.")


Narrator = str  # "llm:<model>" or "offline"


class AnnotationResult(BaseModel):
    findings: list[Finding] = Field(
        description="Every deterministic finding, unchanged but for its annotation, then "
                    "injection findings and accepted LLM findings.")
    summary: str
    narrator: Narrator
    fallback: str | None = Field(
        default=None, description="Why the offline narrator wrote this section, if it did.")
    merge_notes: list[str] = Field(
        default_factory=list, description="Model output that was ignored, and why.")
    usage: LlmUsage = Field(default_factory=LlmUsage)


class SummaryResult(BaseModel):
    summary: str
    top_risks: list[str] = Field(default_factory=list,
                                 description="Fingerprints, most urgent first.")
    suggested_tests: list[str] = Field(default_factory=list)
    narrator: Narrator
    fallback: str | None = None
    usage: LlmUsage = Field(default_factory=LlmUsage)


# -- what the model may answer ------------------------------------------------------
# extra="allow": keys outside the schema (say, "severity") are kept only so the merge
# can name the attempt in its notes; they never reach a finding.

SeverityName = Literal["info", "low", "medium", "high", "critical"]


class FindingNote(BaseModel):
    model_config = ConfigDict(extra="allow")

    fingerprint: str = Field(description="Fingerprint of a finding from the findings block.")
    priority: int = Field(ge=1, le=5, description="1 = look at this first, 5 = last.")
    rationale: str = Field(description="Why this priority, in one or two sentences.")
    likely_false_positive: bool
    false_positive_reason: str | None = Field(
        description="Required when likely_false_positive is true; else null.")
    suggested_tests: list[str] = Field(description="At most 3 concrete tests.")


class ProposedFinding(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str
    category: str = Field(description="Short kebab-case category, e.g. 'missing-authorization'.")
    severity: SeverityName
    explanation: str
    recommendation: str
    evidence_id: str = Field(description="The id attribute of the data block it is based on.")
    path: str | None = Field(description="File path, when the evidence is code; else null.")
    line: int | None = Field(description="Line in that file, when known; else null.")


class AnnotationOutput(BaseModel):
    model_config = ConfigDict(extra="allow")

    summary: str = Field(description="Three to six sentences for the human who signs off.")
    notes: list[FindingNote]
    extra_findings: list[ProposedFinding] = Field(
        description="Issues visible in the data but missing from the findings; often empty.")


class SummaryOutput(BaseModel):
    model_config = ConfigDict(extra="allow")

    summary: str = Field(description="Three to six sentences for the human who signs off.")
    top_risks: list[str] = Field(description="Up to 5 fingerprints, most urgent first.")
    suggested_tests: list[str] = Field(description="Up to 5 tests across the findings.")


Task = Literal["annotate_findings", "summarise_report"]
