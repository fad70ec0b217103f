"""Nodes shared by the graphs.

Every node starts by asking the kill switch; a switch flipped mid-run stops the run at
the next node with status ``halted`` (audited). Side effects live in nodes of their own
(``record``, ``publish``) or after the sign-off interrupt, because a node re-runs from
its start on resume.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents.advisory import AdvisoryContext, ReportDigest, TextOrigin, UntrustedText
from agents.aggregate import AggregationPolicy, ReleaseReport, Trend, aggregate
from agents.base import AgentInput
from agents.injection import CATEGORY as INJECTION
from agents.models import AgentReport, AgentStatus, Finding, RiskScore, ScoreFactor
from agents.registry import release_dependency_packages
from connectors.provenance import Gap
from connectors.snapshot import Snapshot, SnapshotBody, load_snapshot
from governance.audit import AuditEvent
from governance.errors import KillSwitchEngaged, UnknownReport
from governance.killswitch import Action
from governance.runs import RunStatus
from graphs.context import GraphContext, resolve
from graphs.requests import RunRequest, SignOffDecision
from graphs.state import RunState

log = logging.getLogger(__name__)
STOPPED = frozenset({"halted", "failed"})
Update = dict[str, Any]


def is_stopped(state: RunState) -> bool:
    return state.get("status") in STOPPED


def halt(state: RunState, ctx: GraphContext, reason: str) -> Update:
    """Stop the run, on the record."""
    run_id = state["run_id"]
    ctx.controls.audit.append(state["actor"], "run.halted", run_id, {"reason": reason})
    ctx.controls.runs.update(run_id, RunStatus.HALTED, detail=reason)
    return {"status": "halted", "halt_reason": reason}


def stopped_by_switch(
    state: RunState, ctx: GraphContext, agent: str | None = None, action: Action = "run"
) -> Update | None:
    try:
        ctx.controls.kill_switch.ensure_allowed(agent=agent, action=action)
    except KillSwitchEngaged as exc:
        return halt(state, ctx, str(exc))
    return None


# -- guard and load -----------------------------------------------------------------


def guard(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    return stopped_by_switch(state, resolve(runtime.context)) or {"status": "running"}


def load(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := stopped_by_switch(state, ctx):
        return stop
    request = RunRequest.model_validate(state["request"])
    snapshot = obtain_snapshot(request, ctx)
    path = ctx.home / "snapshots" / f"{snapshot.content_hash}.json.gz"
    if not path.exists():
        snapshot.write(path)
    ctx.snapshots.remember(path, snapshot)
    ctx.controls.runs.update(state["run_id"], RunStatus.RUNNING, subject=snapshot.body.subject)
    return {
        "snapshot_path": str(path),
        "snapshot_hash": snapshot.content_hash,
        "subject": snapshot.body.subject,
    }


def obtain_snapshot(request: RunRequest, ctx: GraphContext) -> Snapshot:
    limits = ctx.limits
    if request.source == "demo":
        if not ctx.demo_snapshot:
            raise RuntimeError("no demo snapshot is bundled with this installation")
        return load_snapshot(Path(ctx.demo_snapshot), limits)
    if request.source == "snapshot":
        assert request.snapshot_file
        return load_snapshot(Path(request.snapshot_file), limits)
    from connectors.build import build_snapshot, default_factories

    assert request.live
    factories = default_factories(
        ctx.home,
        ctx.metrics_file,
        dependency_extractor=release_dependency_packages,
    )
    return build_snapshot(request.live, factories)


# -- agents ---------------------------------------------------------------------------


class Node(Protocol):
    def __call__(self, state: RunState, runtime: Runtime[GraphContext]) -> Update: ...


def agent_node(name: str) -> Node:
    def run(state: RunState, runtime: Runtime[GraphContext]) -> Update:
        request = RunRequest.model_validate(state["request"])
        if name not in request.agents:
            return {}
        report = run_agent(name, state, resolve(runtime.context), request)
        return {"agent_reports": {name: report.model_dump(mode="json")}}

    run.__name__ = f"agent_{name}"
    return run


def run_agent(name: str, state: RunState, ctx: GraphContext, request: RunRequest) -> AgentReport:
    try:
        ctx.controls.kill_switch.ensure_allowed(agent=name)
    except KillSwitchEngaged as exc:
        ctx.controls.audit.append(
            state["actor"], "agent.halted", state["run_id"], {"agent": name, "reason": str(exc)}
        )
        return not_assessed(name, AgentStatus.HALTED, str(exc))
    try:
        inputs = AgentInput(
            snapshot=ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"]),
            repo_path=Path(request.repo_path) if request.repo_path else None,
            coverage_file=Path(request.coverage_file) if request.coverage_file else None,
            plan_files=[Path(p) for p in request.plan_files],
        )
        return ctx.agents[name]().analyse(inputs, ctx.policy)
    except Exception as exc:  # one agent's failure must not sink the report
        log.exception("agent %s failed", name)
        return not_assessed(name, AgentStatus.UNAVAILABLE, f"{type(exc).__name__}: {exc}")


def not_assessed(name: str, status: AgentStatus, reason: str) -> AgentReport:
    """A section that could not be produced: it says so and assumes the worst."""
    return AgentReport(
        agent=name,
        status=status,
        score=RiskScore(
            value=100.0,
            factors=[
                ScoreFactor(
                    name="not assessed",
                    value=status.value,
                    weight=1.0,
                    contribution=100.0,
                    explanation="this agent did not run; its risk is unknown, not low",
                )
            ],
            uncertainty=[reason],
        ),
        gaps=[Gap(source=name, what="agent section", why=reason)],
        summary=f"{name} agent {status.value}: {reason}",
    )


# -- advice and aggregation ---------------------------------------------------------------


def advise(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := stopped_by_switch(state, ctx):
        return stop
    subject = state.get("subject", "release")
    body = ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"])
    reports = [AgentReport.model_validate(r) for r in state.get("agent_reports", {}).values()]
    texts = untrusted_texts(body)
    # PR text is the security agent's evidence; other agents get no untrusted text, so an
    # injection attempt is reported once, by the agent whose domain it is.
    annotated = [annotate(r, subject, texts if r.agent == "security" else [], ctx) for r in reports]
    policy = ctx.policy.section("aggregate", AggregationPolicy)
    release = aggregate(subject, annotated, policy, snapshot_hash=state["snapshot_hash"])
    # The gaps have a section of their own; the narrator is told how many there are and
    # the true totals, so its notes never miscount the report as its top risks.
    digest = ReportDigest(
        subject=subject,
        score=release.overall_score,
        findings=release.top_risks,
        totals=release.counts.by_severity,
        notes=[f"{len(release.gaps)} data gap(s), listed in the report's coverage section"]
        if release.gaps else [],
    )
    summary = ctx.advisor.summarise(digest)
    llm = release.llm.add(summary.usage)
    release = release.model_copy(
        update={
            "summary": summary.summary,
            "llm": llm,
            "prompt_versions": dict(llm.prompt_versions),
            "trends": trends_of(body),
        }
    )
    return {"report": release.model_dump(mode="json")}


def trends_of(body: SnapshotBody, points: int = 168) -> list[Trend]:
    """CloudWatch series, downsampled to at most ``points`` for charts."""
    if body.cloudwatch is None:
        return []
    trends = []
    for series in body.cloudwatch.series:
        step = max(1, len(series.values) // points)
        trends.append(
            Trend(
                label=f"{series.service}: {series.label}",
                timestamps=series.timestamps[::step],
                values=series.values[::step],
            )
        )
    return trends


def annotate(
    report: AgentReport, subject: str, texts: list[UntrustedText], ctx: GraphContext
) -> AgentReport:
    if report.status in (AgentStatus.HALTED, AgentStatus.UNAVAILABLE) or not report.findings:
        return report
    result = ctx.advisor.annotate(
        report.findings, AdvisoryContext(subject=subject, agent=report.agent, texts=texts)
    )
    return report.model_copy(
        update={"findings": without_repeats(result.findings), "llm": report.llm.add(result.usage)}
    )


def without_repeats(findings: list[Finding]) -> list[Finding]:
    """The advisory layer scans PR text for injection attempts the security agent may
    already have reported: keep one finding per attempt (same category, same evidence)."""
    seen: set[str] = set()
    kept = []
    for finding in findings:
        if finding.category == INJECTION:
            if finding.evidence[0].ref in seen:
                continue
            seen.add(finding.evidence[0].ref)
        kept.append(finding)
    return kept


def untrusted_texts(body: SnapshotBody, limit: int = 200) -> list[UntrustedText]:
    """PR titles and bodies, Jira summaries: context for the model, always as data."""
    texts: list[UntrustedText] = []
    if body.github:
        repo = body.github.repository.full_name
        for pr in body.github.pull_requests[:limit]:
            texts.append(
                UntrustedText(
                    origin=TextOrigin.PR_TITLE,
                    id=f"{repo}#{pr.number}",
                    text=pr.title,
                    url=pr.html_url,
                )
            )
            if pr.body:
                texts.append(
                    UntrustedText(
                        origin=TextOrigin.PR_BODY,
                        id=f"{repo}#{pr.number}",
                        text=pr.body[:4000],
                        url=pr.html_url,
                    )
                )
    return texts


# -- record, sign-off, publish ----------------------------------------------------------


def record(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    """Register the report and one audit entry per recommendation, exactly once."""
    ctx = resolve(runtime.context)
    if stop := stopped_by_switch(state, ctx):
        return stop
    report_id = f"rel-{state['run_id'][:12]}"
    report = {**state["report"], "report_id": report_id}
    try:
        ctx.controls.registry.get(report_id)  # re-run after a crash: already recorded
    except UnknownReport:
        findings = [Finding.model_validate(f) for a in report["agents"] for f in a["findings"]]
        body = ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"])
        ctx.controls.registry.register(
            "release",
            state.get("subject", "release"),
            report,
            state["actor"],
            subject_authors=release_authors(body),
            thread_id=state["run_id"],
            report_id=report_id,
            extra_events=[recommendation_event(f, report_id) for f in findings],
            extra_payload={
                "snapshot_hash": state["snapshot_hash"],
                "overall_score": report["overall_score"],
                "verdict": report["verdict"],
            },
        )
    ctx.controls.runs.update(state["run_id"], RunStatus.PENDING_SIGNOFF, report_id=report_id)
    return {"report_id": report_id, "report": report, "status": "pending_signoff"}


def release_authors(body: SnapshotBody) -> list[str]:
    """Who brought the release about: the authors and mergers of its pull requests and
    the authors of its commits (for a merge through GitHub, the author of the merged
    change). Separation of duties keeps them from signing it off."""
    if body.github is None:
        return []
    merged = [pr for pr in body.github.pull_requests if pr.merged_at is not None]
    people = [person for pr in merged for person in (pr.author, pr.merged_by)]
    people += [c.author_login for c in body.github.commits]
    return sorted({p for p in people if p})


def recommendation_event(finding: Finding, report_id: str) -> AuditEvent:
    return AuditEvent(
        actor=f"agent:{finding.agent}",
        action="recommendation",
        subject=report_id,
        payload={
            "fingerprint": finding.fingerprint,
            "agent": finding.agent,
            "category": finding.category,
            "severity": finding.severity.value,
            "source": finding.source,
            "recommendation": finding.recommendation,
        },
    )


def signoff(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    """Pause until a human decides. Resuming needs the decision already on the record,
    backed by its audit entry, and the global kill switch off."""
    ctx = resolve(runtime.context)
    report = state["report"]
    answer: SignOffDecision = interrupt(
        {
            "report_id": state["report_id"],
            "subject": state.get("subject"),
            "overall_score": report.get("overall_score"),
            "verdict": report.get("verdict"),
            "ask": "approve or reject with `advisor signoff REPORT_ID`",
        },
        response_schema=SignOffDecision,
    )
    try:
        ctx.controls.kill_switch.ensure_allowed()
    except KillSwitchEngaged as exc:  # resumed under the switch (e.g. by a server)
        ctx.controls.audit.append(answer.decided_by, "run.resume_refused", state["run_id"],
                                  {"report_id": state["report_id"], "why": str(exc)})
        return halt(state, ctx, str(exc))
    recorded = ctx.controls.registry.get(state["report_id"])
    expected = "approved" if answer.decision == "approve" else "rejected"
    if (recorded.status.value != expected or recorded.decided_by != answer.decided_by
            or not ctx.controls.registry.decision_on_record(recorded)):
        reason = "resume without a matching recorded sign-off; nothing approved"
        ctx.controls.audit.append(
            answer.decided_by, "signoff.resume_refused", state["report_id"], {"reason": reason}
        )
        ctx.controls.runs.update(state["run_id"], RunStatus.FAILED, detail=reason)
        return {"status": "failed", "halt_reason": reason}
    ctx.controls.runs.update(state["run_id"], RunStatus(expected))
    entry = ctx.controls.registry.decision_entry(state["report_id"])
    return {  # the comment as stored: redacted
        "decision": {**answer.model_dump(), "comment": recorded.decision_comment or ""},
        "status": expected,
        "report": {
            **report,
            "signoff_status": expected,
            "signed_off_by": recorded.decided_by,
            "signed_off_at": recorded.decided_at,
            "decision_comment": recorded.decision_comment,
            "decision_audit_seq": entry.seq if entry else None,
            "decision_audit_hash": entry.entry_hash if entry else None,
            "content_hash": recorded.content_hash,
        },
    }


def publish(state: RunState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    request = RunRequest.model_validate(state["request"])
    if state.get("status") != "approved" or not request.publish or not ctx.publishers:
        return {}
    if stop := stopped_by_switch(state, ctx, action="publish"):
        return stop
    published = []
    for publisher in ctx.publishers:
        where = publisher.publish(state["report"], state["report_id"])
        ctx.controls.audit.append(
            state["actor"],
            "report.published",
            state["report_id"],
            {"publisher": publisher.name, "where": where},
        )
        published.append(where)
    ctx.controls.runs.update(state["run_id"], RunStatus.PUBLISHED)
    return {"published": published, "status": "published"}


def release_report_of(state: RunState) -> ReleaseReport:
    return ReleaseReport.model_validate(state["report"])
