"""The one way the delivery, platform and portfolio checks create findings.

Fingerprints hash the agent, the finding type and the subject's stable keys (issue key,
PR number and path, file and address, alarm name), never titles or values, so re-runs
keep them. The security agent keys its findings by category and PR instead
(``agents/security/findings.py``) and shares ``capped``.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.models import Confidence, Evidence, Finding, Severity, fingerprint


def capped(evidence: Sequence[Evidence], limit: int, explanation: str,
           noun: str = "more not listed") -> tuple[list[Evidence], str]:
    """At most ``limit`` pieces of evidence; the explanation says how many were left out."""
    shown = list(evidence[:limit])
    more = len(evidence) - len(shown)
    return shown, explanation + (f" ({more} {noun}.)" if more > 0 else "")


def make_finding(
    agent: str,
    kind: str,
    subject: Sequence[object],
    *,
    severity: Severity,
    confidence: Confidence,
    title: str,
    explanation: str,
    evidence: Sequence[Evidence],
    recommendation: str,
    cwe: Sequence[str] = (),
    owasp: Sequence[str] = (),
    suggested_tests: Sequence[str] = (),
) -> Finding:
    return Finding(
        fingerprint=fingerprint(agent, kind, *subject),
        agent=agent,
        category=kind,
        severity=severity,
        confidence=confidence,
        title=title,
        explanation=explanation,
        evidence=list(evidence),
        recommendation=recommendation,
        cwe=list(cwe),
        owasp=list(owasp),
        suggested_tests=list(suggested_tests),
    )
