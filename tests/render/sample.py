"""A realistic release report built in code: three agents (one unavailable), every severity,
an LLM-sourced finding, a likely false positive, gaps, 50-point trends, LLM usage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agents.aggregate import AggregationPolicy, ReleaseReport, Trend, aggregate
from agents.models import (
    AgentReport,
    AgentStatus,
    Confidence,
    Coverage,
    CoverageStatus,
    Evidence,
    EvidenceKind,
    Finding,
    FindingAnnotation,
    LlmUsage,
    RiskScore,
    ScoreFactor,
    Severity,
    fingerprint,
)
from connectors.provenance import Gap

SUBJECT = "acme/payments v2.14.0"
SNAPSHOT_HASH = "sha256:9f2c4e1ab7d35c0e8a41f6b2d9e07c3a5b18f4e6d2c9a07b3e5f1d8c6a4b2e09"
REPORT_ID = "rel-20250301-7c1e9a2b"
SCRIPT_TITLE = "Release notes render <script>alert(1)</script> unescaped"
FALSE_POSITIVE_TITLE = "Password literal in test fixture"
LLM_TITLE = "Refund amount not checked against the original charge"
MODEL = "claude-sonnet-4-5"
PROMPTS = {"security.annotate": "v3", "delivery.explain": "v2"}
GAPS = [
    Gap(source="jira", what="changelog of PAY-88", why="HTTP 403: the token cannot read PAY"),
    Gap(source="cloudwatch", what="payments-api metrics for the last 24 h",
        why="AccessDenied on GetMetricData"),
]


def _finding(agent: str, severity: Severity, title: str, ref: str, *,
             url: str | None = None, path: str | None = None, line: int | None = None,
             **extra: Any) -> Finding:
    kind = EvidenceKind.FILE if path else EvidenceKind.PULL_REQUEST
    return Finding(
        fingerprint=fingerprint(agent, title), agent=agent, category=title.split()[0].lower(),
        severity=severity, confidence=extra.pop("confidence", Confidence.HIGH), title=title,
        explanation=extra.pop("explanation", f"Found by the {agent} checks: {title.lower()}."),
        evidence=[Evidence(kind=kind, ref=ref, url=url, path=path, line=line)],
        recommendation=extra.pop("recommendation", "Fix it before the release."), **extra)


def security() -> AgentReport:
    findings = [
        _finding("security", Severity.CRITICAL, "AWS access key committed in settings",
                 "payments/settings.py:14", path="payments/settings.py", line=14,
                 url="https://github.com/acme/payments/blob/abc123/payments/settings.py#L14",
                 cwe=["CWE-798"], owasp=["A07:2021"],
                 annotation=FindingAnnotation(priority=1, rationale="Live credentials leak.",
                                              suggested_tests=["scan history for the key"],
                                              annotated_by="claude")),
        _finding("security", Severity.HIGH, "SQL built with string formatting",
                 "payments/db/queries.py:42", path="payments/db/queries.py", line=42,
                 cwe=["CWE-89"],
                 annotation=FindingAnnotation(
                     priority=2, rationale="Refund lookup takes request input.",
                     suggested_tests=["refund lookup with a quote in the id",
                                      "refund lookup with UNION SELECT"],
                     annotated_by="claude")),
        _finding("security", Severity.MEDIUM, LLM_TITLE, "acme/payments#128",
                 url="https://github.com/acme/payments/pull/128", source="llm",
                 confidence=Confidence.MEDIUM),
        _finding("security", Severity.LOW, FALSE_POSITIVE_TITLE, "tests/fixtures/users.py:8",
                 path="tests/fixtures/users.py", line=8,
                 annotation=FindingAnnotation(
                     priority=5, likely_false_positive=True,
                     false_positive_reason="A placeholder in a test fixture, never deployed.",
                     annotated_by="claude")),
        _finding("security", Severity.INFO, SCRIPT_TITLE, "docs/release-notes.md",
                 url="javascript:alert(1)", path="docs/release-notes.md"),
    ]
    return AgentReport(
        agent="security", status=AgentStatus.COMPLETE, findings=findings,
        score=RiskScore(value=78, factors=[
            ScoreFactor(name="critical findings", value=1, weight=40, contribution=40,
                        explanation="One critical deterministic finding."),
            ScoreFactor(name="high findings", value=1, weight=25, contribution=25,
                        explanation="One high deterministic finding."),
            ScoreFactor(name="vulnerable dependencies", value=0, weight=13, contribution=13,
                        explanation="OSV lookups pending review."),
        ]),
        coverage=[Coverage(source="github", status=CoverageStatus.AVAILABLE),
                  Coverage(source="osv", status=CoverageStatus.AVAILABLE)],
        llm=_usage(calls=4, input_tokens=12_480, output_tokens=1_930, cache_write=4_096,
                   cache_read=8_192, cost=0.0731, prompt="security.annotate"),
        summary="Two credentials-and-injection issues dominate the score.",
    )


def delivery() -> AgentReport:
    findings = [
        _finding("delivery", Severity.HIGH,
                 "Migration drops a column still read by the reporting job",
                 "payments/migrations/0042_drop_legacy_amount.py:9",
                 path="payments/migrations/0042_drop_legacy_amount.py", line=9,
                 recommendation="Split into expand/contract migrations."),
        _finding("delivery", Severity.MEDIUM, "Changed refund logic has no tests",
                 "payments/refunds.py:31", path="payments/refunds.py", line=31),
    ]
    return AgentReport(
        agent="delivery", status=AgentStatus.PARTIAL, findings=findings,
        score=RiskScore(value=46, factors=[
            ScoreFactor(name="change risk", value=0.71, weight=0.5, contribution=35.5,
                        explanation="Large, diffuse change (risk model 0.71)."),
            ScoreFactor(name="untested lines", value=46, weight=0.25, contribution=10.5,
                        explanation="46 changed lines without tests."),
        ], uncertainty=["The Jira changelog was unreadable."]),
        coverage=[Coverage(source="github", status=CoverageStatus.AVAILABLE),
                  Coverage(source="jira", status=CoverageStatus.PARTIAL,
                           detail="1 issue unreadable")],
        gaps=[GAPS[0]],
        llm=_usage(calls=2, input_tokens=5_210, output_tokens=880, cache_write=0,
                   cache_read=4_096, cost=0.0214, prompt="delivery.explain"),
    )


def platform() -> AgentReport:
    return AgentReport(
        agent="platform", status=AgentStatus.UNAVAILABLE, score=RiskScore(value=0),
        coverage=[Coverage(source="cloudwatch", status=CoverageStatus.MISSING,
                           detail="no permission")],
        gaps=[GAPS[1]], summary="Could not read CloudWatch.",
    )


def _usage(*, calls: int, input_tokens: int, output_tokens: int, cache_write: int,
           cache_read: int, cost: float, prompt: str) -> LlmUsage:
    return LlmUsage(provider="anthropic", model=MODEL, calls=calls, input_tokens=input_tokens,
                    output_tokens=output_tokens, cache_creation_input_tokens=cache_write,
                    cache_read_input_tokens=cache_read, cost_usd=cost,
                    prompt_versions={prompt: PROMPTS[prompt]})


def trends(points: int = 50) -> list[Trend]:
    start = datetime(2025, 2, 27, tzinfo=UTC)
    stamps = [start + timedelta(hours=i) for i in range(points)]
    latency = [180 + (i % 7) * 12 + (140 if i == 37 else 0) for i in range(points)]
    errors = [0.3 + (i % 5) * 0.05 for i in range(points)]
    return [Trend(label="payments-api p99 latency", unit="ms", timestamps=stamps,
                  values=[float(v) for v in latency]),
            Trend(label="payments-api 5xx rate", unit="%", timestamps=stamps, values=errors)]


def release_report(**update: Any) -> ReleaseReport:
    agents = [security(), delivery(), platform()]
    report = aggregate(SUBJECT, agents, AggregationPolicy(), snapshot_hash=SNAPSHOT_HASH)
    total = LlmUsage(provider="anthropic", model=MODEL)
    for agent in agents:
        total = total.add(agent.llm)
    defaults: dict[str, Any] = {"report_id": REPORT_ID, "trends": trends(), "llm": total,
                                "summary": "Hold until the AWS key is rotated."}
    return report.model_copy(update={**defaults, **update})


def titles(report: ReleaseReport) -> list[str]:
    return [f.title for a in report.agents for f in a.findings]


DECISIONS = {
    "pending_signoff": ({}, "Pending sign-off — nothing is approved until a named human "
                            "signs off"),
    "approved": ({"signoff_status": "approved", "signed_off_by": "dana",
                  "signed_off_at": "2025-03-02T09:15:00.000000Z"},
                 "Approved by dana on 2025-03-02 09:15 UTC"),
    "rejected": ({"signoff_status": "rejected", "signed_off_by": "lee",
                  "signed_off_at": "2025-03-02T10:30:00.000000Z"},
                 "Rejected by lee on 2025-03-02 10:30 UTC"),
}
