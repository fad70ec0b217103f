"""Building security findings: evidence at file:line plus the PR, always redacted.

Every free-text field that may carry repository text (title, explanation, evidence
detail, recommendation) goes through the redactor here, so no scanner has to
remember to. Fingerprints are built from stable identifiers, never from secret values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agents.base import Check
from agents.findings import capped
from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity, fingerprint
from agents.rootcause import Key
from agents.security.taxonomy import DEFAULTS, Category
from agents.text import SafeText
from connectors.github.models import PullRequest
from governance.redact import Redactor

__all__ = ["AGENT", "FindingFactory", "PrRef", "checks", "default_rule_id", "root_keys"]

AGENT = "security"
_SNIPPET = 200


def checks(dependency_changes: bool) -> tuple[Check, ...]:
    """What each scanner reads, reports and can report at worst. OSV is read only when a
    PR changes dependencies."""
    content = ("github", "repository")
    return (
        Check("secrets", ("github",), (Category.SECRET,), Severity.CRITICAL),
        Check("static analysis", content, (Category.SAST,), Severity.HIGH),
        Check("dependencies", ("github", "osv") if dependency_changes else ("github",),
              (Category.VULNERABLE_DEPENDENCY,), Severity.CRITICAL),
        Check("infrastructure as code", content, (Category.IAC,), Severity.CRITICAL),
        Check("CI workflows", content, (Category.CI_SUPPLY_CHAIN,), Severity.CRITICAL),
        Check("Trojan Source", ("github",), (Category.TROJAN_SOURCE,), Severity.HIGH),
        Check("prompt injection", ("github",), (Category.PROMPT_INJECTION,), Severity.HIGH),
        Check("critical paths", ("github",), (Category.CRITICAL_PATH_UNREVIEWED,),
              Severity.HIGH),
        Check("inputs", content, (Category.INPUT_UNREADABLE,), Severity.LOW),
    )


def root_keys(finding: Finding) -> Iterator[Key]:
    """Which findings share a cause (agents/rootcause.py): one line of a PR flagged by
    several scanners for the same weakness; a PR's critical paths changed without their
    owners' approval. Two weaknesses on one line (a resource missing both encryption and
    TLS) stay two findings: each is fixed on its own."""
    if finding.category == Category.CRITICAL_PATH_UNREVIEWED:
        yield ("critical-path", finding.evidence[0].ref)
        return
    place = next((e for e in finding.evidence if e.path and e.line), None)
    if place is None:
        return
    for weakness in {_CWE_FAMILY.get(c, c) for c in finding.cwe} or {finding.category}:
        yield ("line", place.ref, weakness)


# Weaknesses that are one cause when they meet on a line: a hard-coded password
# (bandit's B105-B107) is the hard-coded credential detect-secrets sees there.
_CWE_FAMILY = {"CWE-259": "CWE-798", "CWE-321": "CWE-798"}


@dataclass(frozen=True)
class PrRef:
    """What a finding is about: a PR, or (``name`` set) the release as a whole."""

    number: int
    url: str
    repo: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.repo}#{self.number}" if self.repo else f"#{self.number}"

    @classmethod
    def of(cls, pr: PullRequest, repo: str | None = None) -> PrRef:
        return cls(number=pr.number, url=pr.html_url, repo=repo)


def default_rule_id(category: Category) -> str:
    """The rule id of checks that are one rule each (Trojan Source, critical paths...)."""
    return "RRA-" + category.value.upper()


class FindingFactory:
    def __init__(self, redactor: Redactor, *, max_evidence: int = 10) -> None:
        self.redactor = redactor
        self.max_evidence = max_evidence
        self.clean = SafeText(redactor)
        self.snippet = SafeText(redactor, _SNIPPET, one_line=True)

    def at(self, pr: PrRef, path: str, line: int | None, detail: str | None = None,
           kind: EvidenceKind = EvidenceKind.FILE) -> Evidence:
        ref = f"{path}:{line}" if line else path
        return Evidence(kind=kind, ref=f"{ref} ({pr.label})", url=pr.url, path=path, line=line,
                        detail=self.snippet(detail) if detail else None)

    def on_pr(self, pr: PrRef, detail: str | None = None) -> Evidence:
        return Evidence(kind=EvidenceKind.PULL_REQUEST, ref=pr.label, url=pr.url,
                        detail=self.snippet(detail) if detail else None)

    def finding(
        self,
        category: Category,
        pr: PrRef,
        key: Sequence[object],
        *,
        severity: Severity,
        confidence: Confidence,
        title: str,
        explanation: str,
        evidence: Sequence[Evidence],
        recommendation: str,
        cwe: Sequence[str] | None = None,
        owasp: Sequence[str] | None = None,
        rule_id: str | None = None,
        aliases: Sequence[str] = (),
    ) -> Finding:
        default_cwe, default_owasp = DEFAULTS[category]
        shown, explanation = capped(evidence, self.max_evidence, explanation,
                                    "more location(s) not listed")
        return Finding(
            fingerprint=fingerprint(category.value, pr.label, *key),
            agent=AGENT,
            category=category.value,
            severity=severity,
            confidence=confidence,
            title=self.clean(title, 300),
            explanation=self.clean(explanation),
            evidence=shown,
            recommendation=self.clean(recommendation),
            cwe=list(dict.fromkeys(cwe if cwe is not None else default_cwe)),
            owasp=list(dict.fromkeys(owasp if owasp is not None else default_owasp)),
            rule_id=rule_id or default_rule_id(category),
            rule_aliases=list(aliases),
        )

    def unreadable(self, pr: PrRef, path: str, what: str, error: str) -> Finding:
        """Malformed input: named, low severity, never a crash and never 'all clear'."""
        reason = (error.splitlines() or ["unknown error"])[0][:200]
        return self.finding(
            Category.INPUT_UNREADABLE, pr, (path, what),
            severity=Severity.LOW, confidence=Confidence.HIGH,
            title=f"Could not read {path} as {what}",
            explanation=(f"{path} could not be parsed as {what} ({reason}); "
                         "the checks that need it fell back to the diff lines or did not run "
                         "for this file."),
            evidence=[self.at(pr, path, None)],
            recommendation=f"Check that {path} is valid {what}; the build will likely fail too.",
        )
