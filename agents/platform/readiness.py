"""Release readiness in the field's terms: rollout strategy for risky releases, a rollback
runbook per service, and freeze windows.

``rollout-strategy`` is advice attached to the findings that make a release risky; it is
``info`` so the risk is not counted twice. Without Confluence in the snapshot the runbook
check cannot run: a gap, not a finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from agents.base import Outcome
from agents.models import Confidence, Evidence, EvidenceKind, Finding, Severity
from agents.platform.evidence import Links
from agents.platform.findings import (
    DESTRUCTIVE_CHANGE,
    FREEZE_WINDOW,
    GROUPS,
    INPUT_UNREADABLE,
    NO_ROLLBACK_RUNBOOK,
    PROTECTION_REMOVED,
    ROLLOUT_STRATEGY,
    SECURITY_RELEVANT_CHANGE,
    Findings,
)
from agents.platform.policy import WEEKDAYS, RolloutPolicy
from connectors.confluence.models import ConfluencePage, ConfluenceSpace
from connectors.provenance import Gap

__all__ = ["ReleaseFacts", "freeze_findings", "risky", "rollout_findings", "runbook_findings"]

_INFRA = frozenset({DESTRUCTIVE_CHANGE, PROTECTION_REMOVED, SECURITY_RELEVANT_CHANGE})
_SKIP = frozenset({*GROUPS["readiness"], INPUT_UNREADABLE})
_INFRA_ADVICE = (
    "Apply the infrastructure change on its own, after a verified backup and with the plan "
    "reviewed; for data stores prefer a blue/green cut-over (e.g. RDS Blue/Green "
    "Deployments, a new bucket with replication) to an in-place replace."
)
_APP_ADVICE = (
    "Roll the application out as a canary (5–10 % of traffic through at least one traffic "
    "peak, e.g. with Argo Rollouts, Flagger or CodeDeploy) with automatic rollback on the "
    "5xx-rate and p99-latency alarms, or blue/green with the old version kept warm until "
    "the new one has passed; keep the previous image deployable."
)


@dataclass(frozen=True)
class ReleaseFacts:
    services: Sequence[str]
    release_date: date
    date_basis: str  # where the date comes from, for the explanation


def risky(findings: Sequence[Finding]) -> list[Finding]:
    """What makes a release risky: destructive changes, and anything high or worse."""
    return [
        f
        for f in findings
        if f.category not in _SKIP
        and f.source == "deterministic"
        and (f.category == DESTRUCTIVE_CHANGE or f.severity >= Severity.HIGH)
    ]


def rollout_findings(findings: Sequence[Finding], factory: Findings) -> list[Finding]:
    triggers = risky(findings)
    if not triggers:
        return []
    kinds = sorted({f.category for f in triggers})
    infra = any(f.category in _INFRA for f in triggers)
    app = any(f.category not in _INFRA for f in triggers)
    advice = " ".join(a for a, wanted in ((_INFRA_ADVICE, infra), (_APP_ADVICE, app)) if wanted)
    return [
        factory.new(
            ROLLOUT_STRATEGY,
            ("release",),
            severity=Severity.INFO,
            confidence=Confidence.HIGH,
            title="Risky release: use a canary or blue/green rollout",
            explanation=(
                f"{len(triggers)} finding(s) make this release risky ({', '.join(kinds)}). "
                "A staged rollout limits the blast radius and makes rollback a routing "
                "change instead of a redeploy."
            ),
            evidence=[f.evidence[0] for f in triggers],
            recommendation=advice,
        )
    ]


def _normal(text: str) -> str:
    return re.sub(r"[-_\s]+", " ", text.casefold())


def _runbooks(space: ConfluenceSpace, labels: frozenset[str]) -> list[ConfluencePage]:
    return [p for p in space.pages if any(label.casefold() in labels for label in p.labels)]


def _mentions(page: ConfluencePage, service: str) -> bool:
    return _normal(service) in _normal(f"{page.title} {page.body_text}")


def _no_runbook(
    service: str,
    space: ConfluenceSpace,
    runbooks: Sequence[ConfluencePage],
    policy: RolloutPolicy,
    severe: bool,
    factory: Findings,
) -> Finding:
    labels = "/".join(sorted(policy.runbook_labels))
    searched = Evidence(
        kind=EvidenceKind.PAGE,
        ref=f"Confluence {space.space or 'query'}: {space.cql}",
        detail=f"{len(space.pages)} page(s) read, {len(runbooks)} labelled "
        f"{labels}; none mention {service}",
    )
    return factory.new(
        NO_ROLLBACK_RUNBOOK,
        (service,),
        severity=Severity.MEDIUM if severe else Severity.LOW,
        confidence=Confidence.MEDIUM,
        title=f"No rollback runbook for {service}",
        explanation=(
            f"No Confluence page labelled {labels} mentions {service} among the "
            f"{len(space.pages)} page(s) the snapshot read"
            + (", and this release is risky." if severe else ".")
            + " Pages outside the query are not seen."
        ),
        evidence=[
            searched,
            *(Links.page(p, "labelled runbook, other service") for p in runbooks[:3]),
        ],
        recommendation=(
            f"Write (or label) a runbook for {service}: how to roll back (command, "
            "previous version, data migrations that cannot be undone), who decides, "
            "and how to verify recovery; rehearse it before the release."
        ),
    )


def runbook_findings(
    space: ConfluenceSpace | None,
    facts: ReleaseFacts,
    policy: RolloutPolicy,
    severe: bool,
    factory: Findings,
) -> Outcome:
    out = Outcome()
    if space is None:
        out.gaps.append(
            Gap(
                source="confluence",
                what="rollback runbooks",
                why="Confluence is not in the snapshot",
            )
        )
        return out
    runbooks = _runbooks(space, policy.runbook_labels)
    for service in facts.services:
        if not any(_mentions(p, service) for p in runbooks):
            out.findings.append(_no_runbook(service, space, runbooks, policy, severe, factory))
    return out


def freeze_findings(
    facts: ReleaseFacts, policy: RolloutPolicy, factory: Findings, links: Links
) -> list[Finding]:
    found = []
    day = facts.release_date
    for window in policy.freeze.windows:
        if window.start <= day <= window.end:
            found.append(
                factory.new(
                    FREEZE_WINDOW,
                    ("window", window.start.isoformat(), window.end.isoformat()),
                    severity=window.severity,
                    confidence=Confidence.HIGH,
                    title=f"Release date {day} is in a freeze: {window.reason}",
                    explanation=(
                        f"The release date {day} ({facts.date_basis}) falls in the freeze "
                        f"{window.start} to {window.end} ({window.reason})."
                    ),
                    evidence=[
                        links.config(
                            "config/policy.yaml platform.rollout.freeze.windows",
                            f"{window.start} to {window.end}: {window.reason}",
                        )
                    ],
                    recommendation=(
                        "Move the release out of the freeze, or get a documented "
                        "exception from the freeze's owner with the rollback plan "
                        "attached."
                    ),
                )
            )
    weekday = WEEKDAYS[day.weekday()]
    if weekday in policy.freeze.weekdays:
        found.append(
            factory.new(
                FREEZE_WINDOW,
                ("weekday", weekday),
                severity=policy.freeze.weekday_severity,
                confidence=Confidence.HIGH,
                title=f"Release date {day} is a {weekday.capitalize()}, a no-deploy day",
                explanation=(
                    f"The release date {day} ({facts.date_basis}) is a "
                    f"{weekday.capitalize()}; the policy freezes deployments on "
                    f"{', '.join(sorted(policy.freeze.weekdays))}, when fewer people "
                    "are around to roll back."
                ),
                evidence=[
                    links.config(
                        "config/policy.yaml platform.rollout.freeze.weekdays",
                        ", ".join(sorted(policy.freeze.weekdays)),
                    )
                ],
                recommendation="Deploy on a working day with the owning team on hand.",
            )
        )
    return found
