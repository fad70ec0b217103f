"""7. scores: does the release score tell releases apart?

Each synthetic release (30, 200 and 1,000 PRs, from benchmark 1's snapshots) and the demo
is analysed by the release agents (delivery, platform, security, the demo's Terraform plan
for platform, as ``advisor release-report`` runs them) and scored. Then its planted risks
are taken away one kind at a time, cumulatively: the findings of that kind leave (a
finding with other reasons keeps those), every agent is scored again and the release
aggregated again, exactly as the product does. The scores must fall strictly at every
step, down to what is left when every planted kind is gone. A clean release (no finding,
complete data) scores 0.

The planted kinds are what ``bench/org.py`` plants (secrets, injection attempts, Trojan
Source, risky workflows, Terraform and requirements, failing checks, unapproved merges,
reopened issues, large PRs) and what the benchmark borrows from the demo (the Terraform
plan, CloudWatch alarms and metrics). A kind a release does not have is skipped for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.util import Section, verdict

# Most severe first, so the big steps come first and the small ones are tested late.
PLANTED = ("destructive-change", "secret", "prompt-injection-attempt", "trojan-source",
           "iac", "security-relevant-change", "alarm-active", "metric-regression",
           "merged-without-approval", "ci-supply-chain", "vulnerable-dependency",
           "failing-or-missing-checks", "reopened-issue", "protection-removed", "large-pr",
           "drift-hint")
AGENTS = ("delivery", "platform", "security")
_FIXED = ("partial data", "no data")


def analyse(snapshot: Path) -> tuple[str, list[Any]]:
    """The release agents' reports on a snapshot, as ``advisor release-report`` runs them."""
    from advisor.configuration import load_agent_config
    from agents.base import AgentInput
    from agents.registry import agent_factory
    from bench.analysis import _plans
    from connectors.snapshot import load_snapshot

    body = load_snapshot(snapshot).body
    config = load_agent_config()
    plans = _plans()
    reports = [agent_factory(name, config)().analyse(
        AgentInput(snapshot=body, plan_files=plans if name == "platform" else []),
        config.policy) for name in AGENTS]
    return body.subject, reports


def without(report: Any, kinds: set[str]) -> Any:
    """The agent's report had the planted ``kinds`` not been there, scored again."""
    from advisor.configuration import load_agent_config
    from agents.scoring import score_findings

    kept = []
    for finding in report.findings:
        reasons = [r for r in finding.reasons if r.category not in kinds]
        if not finding.reasons and finding.category not in kinds:
            kept.append(finding)
        elif reasons:
            lead = max(reasons, key=lambda r: r.severity.rank)
            kept.append(finding.model_copy(update={
                "category": lead.category, "severity": lead.severity,
                "reasons": reasons if len(reasons) > 1 else []}))
    categories = {f.category for f in report.findings}
    extra = [f for f in report.score.factors if f.name not in categories | set(_FIXED)]
    score = score_findings(kept, load_agent_config().policy.scoring,
                           missing_sources=report.gaps, extra_factors=extra,
                           unchecked=report.unchecked)
    return report.model_copy(update={"findings": kept, "score": score})


def ladder(subject: str, reports: Sequence[Any]) -> list[tuple[str, float]]:
    """(step, overall score): the release, then each planted kind it has taken away."""
    from advisor.configuration import load_agent_config
    from agents.aggregate import AggregationPolicy, aggregate

    policy = load_agent_config().policy.section("aggregate", AggregationPolicy)
    # Kinds that lead a finding: a reason of another finding's cause is not a risk of its
    # own (the cause stays while its other reasons do), and info findings carry no points.
    present = {f.category for r in reports for f in r.findings if f.severity.rank > 0}
    steps = [("as planted", aggregate(subject, reports, policy).overall_score)]
    removed: set[str] = set()
    for kind in (k for k in PLANTED if k in present):
        removed.add(kind)
        cut = [without(r, removed) for r in reports]
        steps.append((f"− {kind}", aggregate(subject, cut, policy).overall_score))
    return steps


def strictly_falling(steps: Sequence[tuple[str, float]]) -> bool:
    return all(b[1] < a[1] for a, b in itertools.pairwise(steps))


def run(ctx: Context, section: Section) -> None:
    from advisor.demo import demo_snapshot_path
    from bench.org import SIZES
    from bench.snapshots import analysis_snapshot

    releases = [(f"{size.prs} PRs", analysis_snapshot(ctx, size)) for size in SIZES]
    releases.append(("demo", demo_snapshot_path()))
    all_ordered = True
    for label, path in releases:
        subject, reports = analyse(path)
        steps = ladder(subject, reports)
        ordered = strictly_falling(steps)
        all_ordered &= ordered
        section.add(f"{label}: as planted → every planted kind removed",
                    " → ".join(f"{score:g}" for _, score in steps), "strictly falling",
                    verdict(ordered))
        section.data[label] = {"steps": steps, "agents": {
            r.agent: {"score": r.score.value, "points": r.score.points,
                      "findings": len(r.findings)} for r in reports}}
    section.add("every release's scores strictly ordered", "yes" if all_ordered else "NO",
                "yes", verdict(all_ordered))


def main() -> None:
    """``python -m bench.scores SNAPSHOT…``: the ladder of each snapshot, printed."""
    import sys

    for name in sys.argv[1:]:
        subject, reports = analyse(Path(name))
        steps = ladder(subject, reports)
        print(f"{name}: {'ordered' if strictly_falling(steps) else 'NOT ORDERED'}")
        for step, score in steps:
            print(f"   {score:6.2f}  {step}")


if __name__ == "__main__":
    main()
