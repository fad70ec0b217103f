"""The security-review report: what is recorded, rendered, posted and exported as SARIF."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agents.models import Finding, LlmUsage, RiskScore, Severity, SignOffRecord
from agents.security.checklist import SecurityChecklist
from connectors.provenance import Gap

Source = Literal["github", "diff", "local"]


class Unreviewed(BaseModel):
    """A changed file the review could not read in full: listed, never dropped."""

    path: str
    why: str


class SecurityReviewReport(SignOffRecord):
    kind: Literal["security-review"] = "security-review"
    report_id: str | None = None
    subject: str
    source: Source
    repo: str | None = None
    number: int | None = None
    title: str
    author: str | None = None
    url: str | None = None
    head_sha: str | None = None
    base_ref: str | None = None
    generated_at: str
    findings: list[Finding] = Field(default_factory=list)
    checklist: SecurityChecklist
    gaps: list[Gap] = Field(default_factory=list)
    unreviewed: list[Unreviewed] = Field(default_factory=list)
    # Files GitHub sent no patch for, diffed here from their base and head contents.
    diffed_from_contents: list[str] = Field(default_factory=list)
    score: RiskScore
    metrics: dict[str, int] = Field(default_factory=dict)
    llm: LlmUsage = Field(default_factory=LlmUsage)
    advisory_summary: str | None = None
    notices: list[str] = Field(default_factory=list)

    def counts(self) -> dict[Severity, int]:
        found = {s: 0 for s in reversed(Severity)}
        for finding in self.findings:
            found[finding.severity] += 1
        return found

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)
