"""The contract every agent returns: findings with evidence, a scored risk, coverage.

Deterministic analyzers create findings; the advisory layer may only *annotate* them
(priority, rationale, a false-positive flag, suggested tests) or add findings marked
``source="llm"``. It can never remove or downgrade a deterministic finding.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.provenance import Gap

SCHEMA_VERSION = "1.0"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    # str would compare alphabetically ("high" < "low"); severities compare by rank.
    def __lt__(self, other: object) -> bool:
        return self.rank < _rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= _rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > _rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= _rank(other)


def _rank(other: object) -> int:
    if not isinstance(other, Severity):
        raise TypeError(f"cannot compare Severity with {type(other).__name__}")
    return other.rank


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EvidenceKind(StrEnum):
    PULL_REQUEST = "pr"
    COMMIT = "commit"
    FILE = "file"
    ISSUE = "issue"
    ALARM = "alarm"
    METRIC = "metric"
    PAGE = "page"
    DEPLOYMENT = "deployment"
    CHECK = "check"
    DEPENDENCY = "dependency"
    PLAN = "plan"
    CONFIG = "config"


class Evidence(BaseModel):
    """Where a human can check a finding: a PR, file:line, issue, alarm, page…"""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind
    ref: str = Field(description="Human-readable reference, e.g. 'acme/pay#12' or 'app.py:42'.")
    url: str | None = None
    path: str | None = None
    line: int | None = None
    detail: str | None = None


def distinct_evidence(items: list[Evidence]) -> list[Evidence]:
    """Each place once: evidence pointing at the same place (kind, ref, link, path, line)
    is one item, its details joined (say, three characters flagged on one line)."""
    places: dict[tuple[object, ...], Evidence] = {}
    for item in items:
        place = (item.kind, item.ref, item.url, item.path, item.line)
        seen = places.get(place)
        if seen is None:
            places[place] = item
        elif item.detail and item.detail not in (seen.detail or ""):
            detail = f"{seen.detail}; {item.detail}" if seen.detail else item.detail
            places[place] = seen.model_copy(update={"detail": detail})
    return list(places.values())


class FindingAnnotation(BaseModel):
    """What the advisory layer (Claude or the offline narrator) adds to a finding."""

    priority: int | None = Field(default=None, ge=1, le=5, description="1 = look first")
    rationale: str | None = None
    likely_false_positive: bool = False
    false_positive_reason: str | None = None
    suggested_tests: list[str] = Field(default_factory=list)
    annotated_by: str = "offline"


class Reason(BaseModel):
    """One check's view of a problem that several checks saw (one root cause)."""

    model_config = ConfigDict(frozen=True)

    category: str
    severity: Severity
    title: str
    fingerprint: str = Field(description="The fingerprint this check gives the problem alone.")
    rule_id: str | None = Field(default=None, description="The rule of this check, if any.")


class Finding(BaseModel):
    fingerprint: str = Field(description="Stable across re-runs for the same underlying issue.")
    agent: str
    category: str
    severity: Severity
    confidence: Confidence
    title: str
    explanation: str
    evidence: list[Evidence] = Field(min_length=1)
    recommendation: str
    source: Literal["deterministic", "llm"] = "deterministic"
    cwe: list[str] = Field(default_factory=list)
    owasp: list[str] = Field(default_factory=list)
    reasons: list[Reason] = Field(
        default_factory=list,
        description="Every check that saw this root cause, most severe first; empty when "
        "only one did (then ``category`` is the one reason).",
    )
    suggested_tests: list[str] = Field(
        default_factory=list,
        description="Tests derived from the change itself (changed functions and files, the "
        "risky lines), by the deterministic check.",
    )
    rule_id: str | None = Field(
        default=None, description="The rule that produced it (B602, RRA-PY-SQLI…): SARIF's ruleId.")
    rule_aliases: list[str] = Field(
        default_factory=list, description="Other names of the same rule (ruff's S602 for B602).")
    annotation: FindingAnnotation | None = None
    llm_rejected_reason: str | None = Field(
        default=None, description="Set when an LLM finding failed re-checking; it stays visible."
    )

    @property
    def categories(self) -> list[str]:
        """Every finding type this finding stands for (its reasons', or its own)."""
        return [r.category for r in self.reasons] or [self.category]

    @field_validator("evidence")
    @classmethod
    def _has_evidence(cls, value: list[Evidence]) -> list[Evidence]:
        if not value:
            raise ValueError("a finding needs at least one piece of evidence")
        return distinct_evidence(value)


class ScoreFactor(BaseModel):
    """One reason the score is what it is: ``contribution`` risk points (docs/policy.md)."""

    name: str
    value: float | int | str
    weight: float
    contribution: float
    explanation: str


class RiskScore(BaseModel):
    value: float = Field(ge=0, le=100)
    points: float = Field(default=0.0, ge=0, description="Risk points R, the factors' sum.")
    half_risk_points: float = Field(
        default=100.0, gt=0, description="value = 100 × R ÷ (R + half_risk_points).")
    worst_case: bool = Field(
        default=False, description="A check had no data: the value is the worst case, 100.")
    factors: list[ScoreFactor] = Field(default_factory=list)
    uncertainty: list[str] = Field(
        default_factory=list,
        description="Why the score may be too low: missing data never lowers it.",
    )


class CoverageStatus(StrEnum):
    AVAILABLE = "available"
    PARTIAL = "partial"
    MISSING = "missing"


class Coverage(BaseModel):
    source: str
    status: CoverageStatus
    detail: str = ""


class DataLevel(StrEnum):
    """What a check ran on."""

    COMPLETE = "complete"
    PARTIAL = "partial"  # its sources are there, with gaps
    NONE = "none"  # a source it needs is not in the snapshot: it could not run


class CheckCoverage(BaseModel):
    """One check of an agent and the data it ran on."""

    check: str
    data: DataLevel
    sources: list[str] = Field(default_factory=list)
    worst: Severity = Field(
        description="The most severe finding this check can report: what a check that "
        "could not run may be hiding.")
    detail: str = ""


class AgentStatus(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"  # ran, but a source it needs had gaps
    UNAVAILABLE = "unavailable"  # crashed or could not run; the report says so
    HALTED = "halted"  # stopped by a kill switch


class LlmUsage(BaseModel):
    provider: str = "offline"
    model: str | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    request_ids: list[str] = Field(default_factory=list)
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    notices: list[str] = Field(default_factory=list)

    def add(self, other: LlmUsage) -> LlmUsage:
        # A total that made real calls names the provider and model that made them.
        named = other if other.calls and (not self.calls or self.provider == "offline") else self
        return self.model_copy(
            update={
                "provider": named.provider,
                "model": named.model,
                "calls": self.calls + other.calls,
                "input_tokens": self.input_tokens + other.input_tokens,
                "output_tokens": self.output_tokens + other.output_tokens,
                "cache_creation_input_tokens": self.cache_creation_input_tokens
                + other.cache_creation_input_tokens,
                "cache_read_input_tokens": self.cache_read_input_tokens
                + other.cache_read_input_tokens,
                "cost_usd": round(self.cost_usd + other.cost_usd, 6),
                "latency_ms": self.latency_ms + other.latency_ms,
                "request_ids": [*self.request_ids, *other.request_ids],
                "prompt_versions": {**self.prompt_versions, **other.prompt_versions},
                "notices": list(dict.fromkeys([*self.notices, *other.notices])),
            }
        )


class AgentReport(BaseModel):
    schema_version: str = SCHEMA_VERSION
    agent: str
    status: AgentStatus
    findings: list[Finding] = Field(default_factory=list)
    metrics: dict[str, float | int | str | None] = Field(default_factory=dict)
    score: RiskScore
    coverage: list[Coverage] = Field(default_factory=list)
    checks: list[CheckCoverage] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    llm: LlmUsage = Field(default_factory=LlmUsage)
    summary: str | None = None

    @property
    def unchecked(self) -> list[CheckCoverage]:
        """Checks that could not run for lack of data."""
        return [c for c in self.checks if c.data is DataLevel.NONE]


def fingerprint(*parts: object) -> str:
    """A stable id from the parts that identify an issue (never from volatile text)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class SignOffRecord(BaseModel):
    """Who decided a report and where that decision is on the record. Stored reports say
    ``pending_signoff``; the decision is rendered beside them (``render/export.py``),
    never written into what was stored."""

    signoff_status: str = "pending_signoff"
    signed_off_by: str | None = None
    signed_off_at: str | None = None
    decision_comment: str | None = None
    decision_audit_seq: int | None = Field(
        default=None, description="The audit entry that recorded the decision.")
    decision_audit_hash: str | None = Field(
        default=None, description="That entry's hash: `advisor audit show SEQ` prints it.")
    content_hash: str | None = Field(
        default=None, description="SHA-256 of the stored report this rendering is of.")
