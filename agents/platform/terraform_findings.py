"""Findings from ``.tf`` diffs, for what no plan already reports.

A removed ``resource`` block will be destroyed on the next apply; a removed
``prevent_destroy = true`` or ``deletion_protection = true`` (or one set to false)
takes the guard away. A plan of the same resource is more precise, so resources a
plan already reports are skipped here.
"""

from __future__ import annotations

from collections.abc import Set

from agents.models import Confidence, Finding, Severity
from agents.platform.evidence import Links
from agents.platform.findings import DESTRUCTIVE_CHANGE, PROTECTION_REMOVED, Findings, bump
from agents.platform.policy import PlansPolicy
from agents.platform.terraform_diff import (
    PREVENT_DESTROY,
    ProtectionChange,
    RemovedResource,
    TerraformChanges,
)

__all__ = ["diff_findings"]


def _removed(item: RemovedResource, findings: Findings, links: Links,
             policy: PlansPolicy) -> Finding:
    block, file = item.block, item.file
    stateful = policy.stateful(block.type)
    severity = policy.stateful_severity if stateful else policy.stateless_severity
    explanation = (f"{file.path} removes the block of {block.address}; unless it moved to an "
                   "address this diff does not show, the next apply destroys it.")
    if stateful:
        explanation += f" {block.type} holds data, which is lost with it."
    if item.protected:
        severity = bump(severity)
        explanation += (" The removed block held prevent_destroy or deletion protection, "
                        "so removing it also removes the guard.")
    return findings.new(
        DESTRUCTIVE_CHANGE, ("diff", file.pr.number, file.path, block.address),
        severity=severity, confidence=Confidence.MEDIUM,
        title=f"Resource block removed: {block.address} ({file.path})",
        explanation=explanation,
        evidence=[links.removed(file.pr, file.path, item.old_line, f"resource {block.address}"),
                  links.pr(file.pr)],
        recommendation=("Run terraform plan and confirm the destroy is intended. For a rename "
                        "or a move to another module add a moved block; to stop managing it "
                        "without destroying it use a removed block with destroy = false; for "
                        "data stores take a final backup first."))


def _guard(change: ProtectionChange, findings: Findings, links: Links,
           policy: PlansPolicy) -> Finding:
    block, file = change.block, change.file
    where = block.address if block else "a block this hunk does not name"
    stateful = block is not None and policy.stateful(block.type)
    how = ("removes the line" if change.removed_line else "sets it to false")
    evidence = (links.removed(file.pr, file.path, change.line, f"{change.key} = true")
                if change.removed_line else
                links.file(file.pr, file.path, change.line, f"{change.key} = false"))
    lifecycle = (" prevent_destroy is a lifecycle setting: plans never show it, so only "
                 "this diff does." if change.key == PREVENT_DESTROY else "")
    return findings.new(
        PROTECTION_REMOVED, ("diff", file.pr.number, file.path, where, change.key),
        severity=Severity.HIGH if stateful else Severity.MEDIUM,
        confidence=Confidence.HIGH if block else Confidence.MEDIUM,
        title=f"{change.key} turned off: {where} ({file.path})",
        explanation=(f"{file.path} {how} {change.key} = true for {where}; a later change "
                     f"can then destroy it without a guard.{lifecycle}"),
        evidence=[evidence, links.pr(file.pr)],
        recommendation=("Keep the protection unless this release decommissions the resource; "
                        "if it does, take a final backup and remove it in a separate, "
                        "reviewed change."))


def diff_findings(tf: TerraformChanges, planned: Set[tuple[str, str]], findings: Findings,
                  links: Links, policy: PlansPolicy) -> list[Finding]:
    """``planned``: (type, name) a plan already reports as destructive or unprotected."""
    found = [_removed(r, findings, links, policy) for r in tf.removed
             if (r.block.type, r.block.name) not in planned]
    found += [_guard(p, findings, links, policy) for p in tf.protections
              if p.block is None or (p.block.type, p.block.name) not in planned]
    return found
