"""Findings from one Terraform plan: destructive changes, protection turned off, and
security-relevant attribute changes (the shared rules of ``agents.iac.terraform_rules``
run on ``change.after``; only what ``change.before`` did not already have is reported).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

from agents.base import Outcome
from agents.iac.terraform_rules import RuleHit, RuleSettings, evaluate, removed_protections, rule
from agents.models import Confidence, Finding, Severity
from agents.platform.evidence import Links
from agents.platform.findings import (
    DESTRUCTIVE_CHANGE,
    PROTECTION_REMOVED,
    SECURITY_RELEVANT_CHANGE,
    Findings,
    bump,
)
from agents.platform.plan_model import DESTRUCTIVE, Plan, ResourceChange
from agents.platform.policy import PlansPolicy

__all__ = ["PlanContext", "plan_findings"]

_REASONS = {
    "replace_because_cannot_update": "an attribute that cannot be updated in place changed",
    "replace_because_tainted": "the object is tainted",
    "replace_by_request": "replacement was requested (-replace)",
    "replace_by_triggers": "replace_triggered_by fired",
    "delete_because_no_resource_config": "its block is no longer in the configuration",
    "delete_because_wrong_repetition": "count/for_each changed form",
    "delete_because_count_index": "count no longer includes this index",
    "delete_because_each_key": "for_each no longer includes this key",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_no_move_target": "it was moved to an address not in the configuration",
}
_TITLES = {
    "delete": "Plan destroys {address}",
    "replace": "Plan replaces {address} (destroy first)",
    "create-before-destroy": "Plan replaces {address} (create first)",
}
_VERBS = {
    "delete": "destroy",
    "replace": "destroy and then re-create",
    "create-before-destroy": "create a replacement for, then destroy,",
}


@dataclass(frozen=True)
class PlanContext:
    findings: Findings
    links: Links
    policy: PlansPolicy
    # (type, name) whose prevent_destroy/deletion protection the release's .tf diff removes.
    unprotected_in_diff: Set[tuple[str, str]] = frozenset()


def _protection_off(change: ResourceChange, keys: tuple[str, ...]) -> list[str]:
    before, after = change.before or {}, change.after or {}
    return [
        key
        for key in keys
        if before.get(key) is True and change.after is not None and after.get(key) is False
    ]


def _still_protected(change: ResourceChange, keys: tuple[str, ...]) -> list[str]:
    before = change.before or {}
    return [key for key in keys if change.action == "delete" and before.get(key) is True]


def _destructive_severity(
    change: ResourceChange, policy: PlansPolicy, unprotected: bool
) -> Severity:
    stateful = policy.stateful(change.type)
    if change.deposed:
        return Severity.LOW  # cleanup of an object an earlier replace left behind
    if stateful:
        severity = policy.stateful_severity
    elif change.action == "create-before-destroy":
        severity = policy.create_before_destroy_severity
    else:
        severity = policy.stateless_severity
    return bump(severity) if unprotected else severity


def _why(change: ResourceChange) -> str:
    reason = _REASONS.get(change.action_reason or "", change.action_reason or "")
    paths = ", ".join(change.replace_paths)
    parts = [
        f"because {reason}" if reason else "",
        f"(replacement forced by: {paths})" if paths else "",
    ]
    return " ".join(p for p in parts if p)


def _destructive(change: ResourceChange, plan: Plan, ctx: PlanContext) -> Finding:
    policy = ctx.policy
    stateful = policy.stateful(change.type)
    keys_off = _protection_off(change, policy.protection_keys)
    in_diff = (change.type, change.name) in ctx.unprotected_in_diff
    severity = _destructive_severity(change, policy, bool(keys_off) or in_diff)
    verb = _VERBS.get(change.action, "destroy")
    explanation = (
        f"Terraform will {verb} {change.address} ({', '.join(change.actions)}) "
        f"{_why(change)}.".replace(" .", ".")
    )
    if change.deposed:
        explanation += f" This is the deposed object {change.deposed}, left by an earlier replace."
    if stateful:
        explanation += f" {change.type} holds data: it is gone once the object is destroyed" + (
            ", and the new object starts empty unless it is restored."
            if change.action != "delete"
            else "."
        )
    if keys_off:
        explanation += f" The same change turns {', '.join(keys_off)} from true to false."
    if in_diff:
        explanation += " The release's .tf diff also removes its deletion protection."
    if still := _still_protected(change, policy.protection_keys):
        explanation += (
            f" {', '.join(still)} is still true in the state, so the apply will "
            "fail until it is turned off in an earlier apply."
        )
    detail = f"actions: {', '.join(change.actions)}" + (
        f"; reason: {change.action_reason}" if change.action_reason else ""
    )
    return ctx.findings.new(
        DESTRUCTIVE_CHANGE,
        (plan.path.name, change.address, change.deposed or ""),
        severity=severity,
        confidence=Confidence.HIGH,
        title=_TITLES.get(change.action, _TITLES["delete"]).format(address=change.address),
        explanation=explanation,
        evidence=[ctx.links.plan(plan.path, change.address, detail)],
        recommendation=_destructive_advice(change, stateful),
    )


def _destructive_advice(change: ResourceChange, stateful: bool) -> str:
    if stateful:
        return (
            "Confirm the destroy is intended. Take a snapshot or backup first (final "
            "snapshot, point-in-time recovery, bucket versioning) and test the restore; "
            "if only the address changes, use a moved block or terraform state mv instead; "
            "if an immutable attribute forces the replace, consider a blue/green migration "
            "(e.g. RDS Blue/Green Deployments) in a maintenance window."
        )
    if change.action == "replace":
        return (
            "Confirm the replace is intended; add lifecycle { create_before_destroy = true } "
            "so the new object exists before the old one goes, or schedule the gap."
        )
    if change.action == "create-before-destroy":
        return (
            "Confirm the replace is intended, and that the old object drains before it is "
            "destroyed (load balancer deregistration delay, connection draining); "
            "unique names or ports must not collide while both exist."
        )
    return (
        "Confirm the destroy is intended; for a rename use a moved block so Terraform "
        "keeps the object instead of destroying it."
    )


def _protection_finding(change: ResourceChange, key: str, plan: Plan, ctx: PlanContext) -> Finding:
    stateful = ctx.policy.stateful(change.type)
    return ctx.findings.new(
        PROTECTION_REMOVED,
        (plan.path.name, change.address, key),
        severity=Severity.HIGH if stateful else Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title=f"Deletion protection turned off: {change.address}",
        explanation=(
            f"The plan changes {key} of {change.address} from true to false. Nothing "
            "is destroyed yet, but the next plan can destroy it without a guard."
        ),
        evidence=[ctx.links.plan(plan.path, change.address, f"{key}: true -> false")],
        recommendation=(
            "Keep deletion protection on unless this release decommissions the "
            "resource; if it does, take a final backup and remove it in a "
            "separate, reviewed change."
        ),
    )


def _hit_key(hit: RuleHit) -> tuple[str, str, str]:
    return hit.rule_id, hit.attribute, hit.message


def _new_hits(change: ResourceChange, settings: RuleSettings) -> list[RuleHit]:
    after = change.after or {}
    before: Mapping[str, Any] = change.before or {}
    had = {_hit_key(h) for h in evaluate(change.type, before, settings)} if before else set()
    hits = [h for h in evaluate(change.type, after, settings) if _hit_key(h) not in had]
    hits += removed_protections(
        change.type, change.before, change.after, change.after_unknown, settings
    )
    return hits


def _security(
    change: ResourceChange, plan: Plan, ctx: PlanContext, settings: RuleSettings
) -> list[Finding]:
    found: list[Finding] = []
    for hit in _new_hits(change, settings):
        spec = rule(hit.rule_id)
        found.append(
            ctx.findings.new(
                SECURITY_RELEVANT_CHANGE,
                (plan.path.name, change.address, hit.rule_id, hit.attribute),
                severity=hit.severity,
                confidence=Confidence.HIGH if hit.certain else Confidence.MEDIUM,
                title=f"{spec.title}: {change.address}",
                explanation=(
                    f"After this plan, {hit.message} on {change.address} "
                    f"({hit.attribute}; shared IaC rule {spec.id}, "
                    "docs/agents/security.md)."
                ),
                evidence=[
                    ctx.links.plan(plan.path, change.address, f"{change.action}: {hit.attribute}")
                ],
                recommendation=spec.recommendation,
                cwe=spec.cwe,
                owasp=spec.owasp,
            )
        )
    return found


def plan_findings(plan: Plan, ctx: PlanContext) -> Outcome:
    out = Outcome()
    settings = RuleSettings(
        web_ports=frozenset(ctx.policy.web_ports),
        disabled=frozenset(ctx.policy.disabled_rules),
        origin="plan",
    )
    for change in plan.changes:
        out.counts[f"plan_{change.action.replace('-', '_')}"] += 1
        if not change.managed:
            continue
        if change.action in DESTRUCTIVE:
            out.findings.append(_destructive(change, plan, ctx))
        else:
            out.findings.extend(
                _protection_finding(change, key, plan, ctx)
                for key in _protection_off(change, ctx.policy.protection_keys)
            )
        if change.after is not None and change.action not in ("no-op", "read"):
            out.findings.extend(_security(change, plan, ctx, settings))
    return out
