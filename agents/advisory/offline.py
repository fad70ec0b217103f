"""The offline narrator: template-based, deterministic, no network.

It is the default without an API key and the fallback whenever a model call is not
allowed or not trusted. It never claims more than the findings say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agents.advisory.models import (
    AdvisoryContext,
    AnnotationResult,
    ReportDigest,
    SummaryResult,
)
from agents.advisory.scan import with_injection_findings
from agents.injection import CATEGORY as INJECTION
from agents.models import EvidenceKind, Finding, FindingAnnotation, LlmUsage, Severity

OFFLINE = "offline"
SIGN_OFF = "Advisory only: a named human reviews and signs off this report."

_PRIORITY = {Severity.CRITICAL: 1, Severity.HIGH: 2, Severity.MEDIUM: 3, Severity.LOW: 4,
             Severity.INFO: 5}

# Category keyword → tests worth running. First match wins; order is most specific first.
_TESTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    ((INJECTION, "injection-attempt"), (
        "Render the flagged text and diff it against its raw source to expose hidden content.",
        "Run a bidi/zero-width character check (e.g. a pre-commit hook) over the changed files.")),
    (("secret", "credential", "password", "token", "key"), (
        "Run a secret scan over the full branch history, not only the diff.",
        "Rotate the credential and confirm the old value is rejected.")),
    (("sql", "injection", "xss", "ssrf", "deserial", "path-traversal"), (
        "Add a test that sends a malicious payload to {where} and asserts it is rejected.",)),
    (("auth", "permission", "access", "iam"), (
        "Add a test that calls {where} as an unprivileged user and asserts it is refused.",)),
    (("dependency", "vulnerab", "cve", "osv"), (
        "Upgrade to a fixed version, run the test suite and confirm the advisory no longer "
        "matches.",)),
    (("migration", "schema", "database"), (
        "Run the migration forward and back against a production-sized copy of the data.",)),
    (("alarm", "error-rate", "latency", "incident", "deploy"), (
        "Compare the service's error rate and latency before and after a canary deployment.",)),
    (("coverage", "test"), (
        "Add tests for the changed code paths in {where}.",)),
)


def _code_location(finding: Finding) -> str | None:
    for evidence in finding.evidence:
        if evidence.path and evidence.kind is EvidenceKind.FILE:
            return f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path
    return None


def _where(finding: Finding) -> str:
    return _code_location(finding) or finding.evidence[0].ref


def suggested_tests(finding: Finding) -> list[str]:
    """Tests worth running, from the finding's kind and where the change is; none when
    the check already derived tests from the change, or there is no code to test."""
    if finding.suggested_tests:
        return []
    category = finding.category.lower()
    for keywords, tests in _TESTS:
        if any(k in category for k in keywords):
            return [t.format(where=_where(finding)) for t in tests]
    where = _code_location(finding)
    return [f"Add a test that exercises the changed lines at {where} and fails if the "
            "problem described here comes back."] if where else []


def annotation(finding: Finding) -> FindingAnnotation:
    return FindingAnnotation(
        priority=_PRIORITY[finding.severity],
        rationale=(f"{finding.severity.value.capitalize()} {finding.category} finding from the "
                   f"{finding.agent} analyzer ({finding.confidence.value} confidence); "
                   f"evidence: {_where(finding)}."),
        suggested_tests=suggested_tests(finding),
        annotated_by=OFFLINE,
    )


def annotate_all(findings: Sequence[Finding]) -> list[Finding]:
    return [f.model_copy(update={"annotation": annotation(f)}) for f in findings]


def by_urgency(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first, deterministic findings before LLM ones, then by title."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.source != "deterministic", f.title))


SUMMARY_NOTES = 5


def summary_text(subject: str, findings: Sequence[Finding], notes: Sequence[str] = (),
                 score: float | None = None, totals: dict[str, int] | None = None) -> str:
    counts = Counter(totals) if totals is not None else Counter(
        f.severity.value for f in findings)
    total = sum(counts.values())
    if not total:
        head = f"No findings for {subject}."
    else:
        parts = [f"{counts[s.value]} {s.value}" for s in sorted(Severity, key=lambda s: -s.rank)
                 if counts[s.value]]
        head = f"{total} finding(s) for {subject}: {', '.join(parts)}."
    lines = [head]
    if score is not None:
        lines.append(f"Risk score {score:.0f}/100.")
    top = by_urgency(findings)[:3]
    if top:
        lines.append("Look first at: " + "; ".join(f"{f.title} ({_where(f)})" for f in top) + ".")
    if any(f.category == INJECTION for f in findings):
        lines.append("The inputs contain a prompt-injection attempt; read them with care.")
    lines += [f"Not covered: {n}" for n in notes[:SUMMARY_NOTES]]
    if len(notes) > SUMMARY_NOTES:  # a summary is read at a glance; the coverage lists all
        lines.append(f"...and {len(notes) - SUMMARY_NOTES} more gap(s): see the coverage "
                     "section.")
    lines.append(SIGN_OFF)
    return " ".join(lines)


class OfflineAdvisor:
    """The ``Advisor`` that never leaves the process."""

    provider = OFFLINE

    def __init__(self, notices: Sequence[str] = ()) -> None:
        self.notices = list(notices)

    def _usage(self) -> LlmUsage:
        return LlmUsage(provider=OFFLINE, notices=list(self.notices))

    def annotate(self, findings: list[Finding], context: AdvisoryContext) -> AnnotationResult:
        base = with_injection_findings(findings, context)
        return AnnotationResult(findings=annotate_all(base),
                                summary=summary_text(context.subject, base),
                                narrator=OFFLINE, usage=self._usage())

    def summarise(self, report: ReportDigest) -> SummaryResult:
        ranked = by_urgency(report.findings)
        tests = [t for f in ranked[:3] for t in suggested_tests(f)]
        return SummaryResult(
            summary=summary_text(report.subject, report.findings, report.notes, report.score,
                                 report.totals),
            top_risks=[f.fingerprint for f in ranked[:5]],
            suggested_tests=list(dict.fromkeys(tests))[:5],
            narrator=OFFLINE, usage=self._usage())
