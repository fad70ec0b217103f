"""The platform agent's finding types, and the one way its checks create findings.

Every free-text field goes through the redactor here (file text, alarm reasons and page
titles can carry anything), so no check has to remember to. Fingerprints hash the type
and stable subject keys (file, address, alarm name), never titles or values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from agents.findings import capped, make_finding
from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity
from agents.rootcause import Key
from agents.text import SafeText
from governance.redact import Redactor

AGENT = "platform"

DESTRUCTIVE_CHANGE = "destructive-change"
PROTECTION_REMOVED = "protection-removed"
SECURITY_RELEVANT_CHANGE = "security-relevant-change"
DRIFT_HINT = "drift-hint"
CAPACITY_REDUCED = "capacity-reduced"
MISSING_RESOURCE_LIMITS = "missing-resource-limits"
MISSING_HEALTH_PROBE = "missing-health-probe"
PRIVILEGED_CONTAINER = "privileged-container"
UNPINNED_IMAGE = "unpinned-image"
ENVIRONMENT_DRIFT = "environment-drift"
DORA_REGRESSION = "dora-regression"
ALARM_ACTIVE = "alarm-active"
METRIC_REGRESSION = "metric-regression"
ROLLOUT_STRATEGY = "rollout-strategy"
NO_ROLLBACK_RUNBOOK = "no-rollback-runbook"
FREEZE_WINDOW = "freeze-window"
INPUT_UNREADABLE = "input-unreadable"

GROUPS: dict[str, tuple[str, ...]] = {
    "infrastructure": (
        DESTRUCTIVE_CHANGE,
        PROTECTION_REMOVED,
        SECURITY_RELEVANT_CHANGE,
        DRIFT_HINT,
    ),
    "workloads": (
        CAPACITY_REDUCED,
        MISSING_RESOURCE_LIMITS,
        MISSING_HEALTH_PROBE,
        PRIVILEGED_CONTAINER,
        UNPINNED_IMAGE,
    ),
    "environments": (ENVIRONMENT_DRIFT,),
    "deployment-health": (DORA_REGRESSION, ALARM_ACTIVE, METRIC_REGRESSION),
    "readiness": (ROLLOUT_STRATEGY, NO_ROLLBACK_RUNBOOK, FREEZE_WINDOW),
    "inputs": (INPUT_UNREADABLE,),
}
KINDS: tuple[str, ...] = tuple(kind for kinds in GROUPS.values() for kind in kinds)
# A planned change to one resource is one problem, however many rules it breaks.
_PLANNED_CHANGE = frozenset({DESTRUCTIVE_CHANGE, PROTECTION_REMOVED, SECURITY_RELEVANT_CHANGE})


def root_keys(finding: Finding) -> Iterator[Key]:
    """Which findings share a cause (agents/rootcause.py): one resource in one plan."""
    first = finding.evidence[0]
    if finding.category in _PLANNED_CHANGE and first.kind is EvidenceKind.PLAN and ":" in first.ref:
        yield ("plan", first.ref)


def bump(severity: Severity, steps: int = 1) -> Severity:
    """One (or more) severity levels up, capped at critical."""
    order = list(Severity)
    return order[min(len(order) - 1, severity.rank + steps)]


class Findings:
    """Creates redacted findings; ``max_evidence`` keeps long lists readable."""

    def __init__(self, redactor: Redactor, *, max_evidence: int = 10) -> None:
        self.redactor = redactor
        self.max_evidence = max_evidence
        self.clean = SafeText(redactor)
        self._snippet = SafeText(redactor, 300, one_line=True)

    def new(
        self,
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
    ) -> Finding:
        shown, explanation = capped(evidence, self.max_evidence, explanation)
        return make_finding(
            AGENT, kind, subject, severity=severity, confidence=confidence,
            title=self.clean(title, 300), explanation=self.clean(explanation),
            evidence=[self._evidence(e) for e in shown],
            recommendation=self.clean(recommendation), cwe=cwe, owasp=owasp,
        )

    def _evidence(self, evidence: Evidence) -> Evidence:
        if evidence.detail is None:
            return evidence
        return evidence.model_copy(update={"detail": self._snippet(evidence.detail)})

    def unreadable(
        self, subject: str, what: str, error: str, evidence: Sequence[Evidence]
    ) -> Finding:
        """Malformed input: named, never a crash, and never taken for 'nothing found'."""
        reason = (error.strip().splitlines() or ["unknown error"])[0][:200]
        return self.new(
            INPUT_UNREADABLE,
            (subject, what),
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            title=f"Could not read {subject} as {what}",
            explanation=(
                f"{subject} could not be read as {what} ({reason}). The checks "
                "that need it did not run on it, so its risks are unknown."
            ),
            evidence=evidence,
            recommendation=(
                f"Fix {subject} so it is valid {what} (the pipeline that applies "
                "it will likely fail too), then re-run the analysis."
            ),
        )
