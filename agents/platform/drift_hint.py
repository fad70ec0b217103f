"""drift-hint: plan changes the release's code does not explain.

Two signals, one finding each per plan: ``resource_drift`` (Terraform saw objects
changed outside it), and planned changes whose resource (or calling module) no ``.tf``
hunk of the release touches: drift, a provider upgrade, a changed variable, or a plan
made from another commit. A hint, not a verdict; hence low severity unless something
would be destroyed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.models import Confidence, Finding, Severity
from agents.platform.evidence import Links
from agents.platform.findings import DRIFT_HINT, Findings
from agents.platform.plan_model import DESTRUCTIVE, Plan, ResourceChange
from agents.platform.policy import PlansPolicy
from agents.platform.terraform_diff import TerraformChanges

__all__ = ["drift_findings", "untouched_changes"]

_MODULE = re.compile(r"^module\.([\w-]+)\.")


def _severity(changes: Sequence[ResourceChange], policy: PlansPolicy) -> Severity:
    if any(c.action in DESTRUCTIVE for c in changes):
        return Severity.MEDIUM
    return Severity.MEDIUM if any(policy.stateful(c.type) for c in changes) else Severity.LOW


def _outside(plan: Plan, findings: Findings, links: Links, policy: PlansPolicy) -> Finding:
    drifted = [c for c in plan.drift if c.managed]
    return findings.new(
        DRIFT_HINT, (plan.path.name, "resource_drift"),
        severity=_severity(drifted, policy), confidence=Confidence.HIGH,
        title=f"{len(drifted)} resource(s) changed outside Terraform ({plan.path.name})",
        explanation=(f"Terraform found {len(drifted)} object(s) that differ from its last "
                     "state (resource_drift): someone or something changed them outside "
                     "Terraform. Applying this plan may revert those changes."),
        evidence=[links.plan(plan.path, c.address, f"drift: {', '.join(c.actions)}")
                  for c in drifted],
        recommendation=("Find out who changed them and why (CloudTrail, the console audit "
                        "log); fold wanted changes into the code, or run a refresh-only plan "
                        "and review it before applying."))


def untouched_changes(plan: Plan, tf: TerraformChanges) -> list[ResourceChange]:
    found = []
    for change in plan.changes:
        if not change.managed or change.action in ("no-op", "read"):
            continue
        module = _MODULE.match(change.address)
        if module and module.group(1) in tf.modules:
            continue  # the module call changed
        if (change.type, change.name) in tf.touched:
            continue  # the block changed (at the root, or in a module's source here)
        found.append(change)
    return found


def _unexplained(plan: Plan, changes: Sequence[ResourceChange], tf: TerraformChanges,
                 tfvars: Sequence[str], findings: Findings, links: Links,
                 policy: PlansPolicy) -> Finding:
    indirect = [*tf.indirect, *tfvars]
    maybe = (f" The release also changes variables, locals or other blocks "
             f"({', '.join(sorted(set(indirect))[:5])}), which may explain them."
             if indirect else "")
    return findings.new(
        DRIFT_HINT, (plan.path.name, "unexplained"),
        severity=_severity(changes, policy),
        confidence=Confidence.LOW if indirect else Confidence.MEDIUM,
        title=f"{len(changes)} planned change(s) not touched by the release's .tf diff",
        explanation=("The plan changes resources whose blocks no .tf hunk of the release "
                     "touches. Usual causes: drift outside Terraform, a provider or module "
                     "upgrade, or a plan made from another commit." + maybe),
        evidence=[links.plan(plan.path, c.address, f"{c.action}") for c in changes],
        recommendation=("Re-run terraform plan from the release's head commit and compare; "
                        "explain each listed change in the PR, or fix the drift first."))


def drift_findings(plan: Plan, tf: TerraformChanges | None, tfvars: Sequence[str],
                   findings: Findings, links: Links, policy: PlansPolicy) -> list[Finding]:
    """``tf`` is None when there is no GitHub data to compare the plan with."""
    found = []
    if any(c.managed for c in plan.drift):
        found.append(_outside(plan, findings, links, policy))
    if tf is not None and (changes := untouched_changes(plan, tf)):
        found.append(_unexplained(plan, changes, tf, tfvars, findings, links, policy))
    return found
