"""Terraform: plans given as local files, and the ``.tf`` diffs of the release's PRs.

Plans are authoritative about what an apply would do; the diffs add what plans cannot
show (``prevent_destroy``) and stand in for a plan when none is given. A plan that
cannot be read is an ``input-unreadable`` finding, never a crash and never "no changes".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agents.base import Outcome
from agents.platform.changes import IacFile
from agents.platform.drift_hint import drift_findings
from agents.platform.evidence import Links
from agents.platform.findings import Findings
from agents.platform.plan_findings import PlanContext, plan_findings
from agents.platform.plan_model import DESTRUCTIVE, Plan, PlanError, load_plan
from agents.platform.policy import PlansPolicy
from agents.platform.terraform_diff import TerraformChanges, read_terraform_changes
from agents.platform.terraform_findings import diff_findings
from connectors.provenance import Gap

__all__ = ["infrastructure"]


def _unprotected(tf: TerraformChanges | None) -> frozenset[tuple[str, str]]:
    if tf is None:
        return frozenset()
    found = {
        (p.block.type, p.block.name)
        for p in tf.protections
        if p.block is not None and p.block.kind == "resource"
    }
    found |= {(r.block.type, r.block.name) for r in tf.removed if r.protected}
    return frozenset(found)


def _reported(plan: Plan, policy: PlansPolicy) -> set[tuple[str, str]]:
    """Resources the plan findings cover, so the diff does not report them again."""
    found = set()
    for change in plan.changes:
        before, after = change.before or {}, change.after or {}
        turned_off = any(
            before.get(k) is True and after.get(k) is False for k in policy.protection_keys
        )
        if change.action in DESTRUCTIVE or turned_off:
            found.add((change.type, change.name))
    return found


def _plan_gaps(plan: Plan) -> list[Gap]:
    gaps = []
    if plan.errored:
        gaps.append(
            Gap(
                source="terraform-plan",
                what=plan.path.name,
                why="terraform reported errors while planning: the plan is partial",
            )
        )
    elif not plan.complete:
        gaps.append(
            Gap(
                source="terraform-plan",
                what=plan.path.name,
                why="the plan is incomplete (deferred changes need another plan)",
            )
        )
    return gaps


def infrastructure(
    plan_files: Sequence[Path],
    files: Sequence[IacFile] | None,
    policy: PlansPolicy,
    findings: Findings,
    links: Links,
) -> Outcome:
    """``files`` is None when the snapshot has no GitHub data (no diffs to read)."""
    out = Outcome()
    tf = read_terraform_changes(files, policy.protection_keys) if files is not None else None
    tfvars = [f.path for f in files or () if f.kind == "tfvars"]
    context = PlanContext(findings, links, policy, _unprotected(tf))
    reported: set[tuple[str, str]] = set()
    for path in plan_files:
        try:
            plan = load_plan(path)
        except PlanError as exc:
            out.findings.append(
                findings.unreadable(
                    path.name,
                    "a Terraform plan (terraform show -json)",
                    str(exc).replace(str(path), path.name),
                    [links.local(path)],
                )
            )
            continue
        out.counts["plans_read"] += 1
        out.gaps.extend(_plan_gaps(plan))
        out.add(plan_findings(plan, context))
        reported |= _reported(plan, policy)
        out.findings.extend(drift_findings(plan, tf, tfvars, findings, links, policy))
        if tf is None:
            out.gaps.append(
                Gap(
                    source="github",
                    what=f"drift hints for {plan.path.name}",
                    why="no .tf diff to compare the plan with",
                )
            )
    if tf is not None:
        out.findings.extend(diff_findings(tf, reported, findings, links, policy))
        out.counts["removed_resource_blocks"] += len(tf.removed)
    return out
