"""The ``portfolio_summary`` graph.

guard → load (Jira per project, live, or the demo/a saved snapshot) → context (delivery
and platform findings, where the data or a recorded release report gives them) →
portfolio agent → advise (annotations and executive summary via the advisory layer) →
record → draft (only under the draft policy) → sign-off (interrupt) → publish → end.

Any node may stop the run; a stopped run goes straight to the end. Publishing happens
only after a recorded approval and only when the request asked for it; a rejected
summary is never published (under the draft policy, its draft page is withdrawn).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import Field, model_validator

from agents.aggregate import AggregationPolicy, decide
from agents.base import AgentInput
from agents.models import AgentReport, Finding
from agents.portfolio import PortfolioAgent, PortfolioPolicy, PortfolioResult, masking_for
from agents.portfolio import mask_output as mask_portfolio
from agents.portfolio.report import ContextNote, PortfolioSummary
from agents.portfolio.summary import executive_summary
from connectors.errors import ConnectorError
from connectors.jira import JiraConnector, JiraIssue, JiraRelease
from connectors.provenance import Gap, SourceProvenance
from connectors.snapshot import Snapshot, SnapshotBody, SnapshotRequest
from governance.audit import AuditFilter, AuditLog
from governance.errors import GovernanceError, KillSwitchEngaged
from governance.runs import RunStatus
from graphs import nodes
from graphs.context import GraphContext, Node, resolve, with_default_context
from graphs.requests import RunRequest
from graphs.state import RunState
from publishers.base import PublishError
from publishers.confluence import (
    Attachment,
    ConfluencePublisher,
    LastPublished,
    PageContent,
    PageTarget,
    PublishOutcome,
)
from render.portfolio.common import page_title
from render.portfolio.storage import render_storage, storage_withdrawn

log = logging.getLogger(__name__)
KIND = "portfolio"
Update = dict[str, Any]
_ON_PAGE = ("created", "updated", "unchanged")  # outcomes that leave our content on the page


class PortfolioRequest(RunRequest):
    """What a portfolio summary run is asked to do; ``agents`` are the context agents."""

    projects: list[str]
    epics_jql: str | None = None
    period_days: int = Field(default=14, ge=1, le=365)
    agents: list[str] = Field(default_factory=lambda: ["delivery", "platform"])
    release_report: str | None = None  # a recorded release report whose findings add context
    space: str | None = None
    parent: str | None = None
    draft_before_signoff: bool = False

    @model_validator(mode="after")
    def _publishing_target(self) -> PortfolioRequest:
        if self.publish and not (self.space and self.parent):
            raise ValueError("publishing needs a space and a parent page")
        return self


class PortfolioState(RunState, total=False):
    epic_keys: list[str]
    context_notes: list[dict[str, Any]]
    portfolio: dict[str, Any]  # PortfolioResult: the agent's report and tables
    publication: dict[str, Any]  # the last PublishOutcome


def request_of(state: RunState) -> PortfolioRequest:
    return PortfolioRequest.model_validate(state["request"])


def fail(state: RunState, ctx: GraphContext, reason: str) -> Update:
    """Stop the run as failed, on the record (nothing is recorded as a report)."""
    ctx.controls.audit.append(state["actor"], "run.failed", state["run_id"], {"reason": reason})
    ctx.controls.runs.update(state["run_id"], RunStatus.FAILED, detail=reason)
    return {"status": "failed", "halt_reason": reason}


# -- load -------------------------------------------------------------------------------


def jira_connector() -> JiraConnector:
    """The live Jira reader (tests replace this)."""
    return JiraConnector.from_env()


def load(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request = request_of(state)
    try:
        snapshot, epic_keys = _obtain(request, ctx)
    except (ConnectorError, RuntimeError) as exc:
        return fail(state, ctx, f"could not load the portfolio: {exc}")
    if request.epics_jql and not epic_keys:  # never fall back to every epic
        return fail(state, ctx, f"--epics matched no epic in {', '.join(request.projects)}")
    path = ctx.home / "snapshots" / f"{snapshot.content_hash}.json.gz"
    if not path.exists():
        snapshot.write(path)
    ctx.controls.runs.update(state["run_id"], RunStatus.RUNNING, subject=snapshot.body.subject)
    return {"snapshot_path": str(path), "snapshot_hash": snapshot.content_hash,
            "subject": snapshot.body.subject, "epic_keys": epic_keys}


def _obtain(request: PortfolioRequest, ctx: GraphContext) -> tuple[Snapshot, list[str]]:
    if request.source != "live":
        return nodes.obtain_snapshot(request, ctx), []
    policy = ctx.policy.section("portfolio", PortfolioPolicy)
    return fetch_portfolio(jira_connector(), request, history_days(request.period_days, policy))


def history_days(period_days: int, policy: PortfolioPolicy) -> int:
    """Enough resolved history for the period, the throughput checks and the forecast."""
    weeks = max(policy.throughput.weeks, policy.forecast.history_weeks)
    return max(period_days, 7 * weeks)


def window_jql(project: str, days: int) -> str:
    return f'project = "{project}" AND (statusCategory != Done OR resolved >= -{days}d)'


def children_jql(epics: Sequence[str], cloud: bool) -> str:
    keys = ", ".join(epics)
    return f"parent in ({keys})" if cloud else f'"Epic Link" in ({keys})'


def fetch_portfolio(connector: JiraConnector, request: PortfolioRequest,
                    days: int) -> tuple[Snapshot, list[str]]:
    """Per project: open or recently resolved work, the chosen epics, every epic's children."""
    releases: list[JiraRelease] = []
    provenance: list[SourceProvenance] = []

    def search(project: str, jql: str) -> JiraRelease:
        release, prov = connector.fetch_release(project, jql=jql, remote_links=False)
        releases.append(release)
        provenance.append(prov)
        return release

    chosen: list[str] = []
    for project in request.projects:
        window = search(project, window_jql(project, days))
        epics = [i.key for i in window.issues if i.is_epic]
        if request.epics_jql:
            picked = search(project, f'project = "{project}" AND issuetype = Epic '
                                     f"AND ({request.epics_jql})")
            epics = [i.key for i in picked.issues if i.is_epic]
            chosen += epics
        for batch in _batches(epics, 100):
            search(project, children_jql(batch, connector.settings.is_cloud))
    subject = "portfolio " + ", ".join(request.projects)
    body = SnapshotBody(
        subject=subject, provenance=provenance, jira=merge_releases(releases),
        asked=SnapshotRequest(jira_project=",".join(request.projects), jql=request.epics_jql))
    return Snapshot.seal(body), chosen


def _batches(keys: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    return (keys[i:i + size] for i in range(0, len(keys), size))


def merge_releases(releases: Sequence[JiraRelease]) -> JiraRelease | None:
    """One release holding every issue once (the first copy wins), epics merged."""
    if not releases:
        return None
    issues: dict[str, JiraIssue] = {}
    epics: dict[str, set[str]] = {}
    for release in releases:
        for issue in release.issues:
            issues.setdefault(issue.key, issue)
        for epic, keys in release.epics.items():
            epics.setdefault(epic, set()).update(keys)
    projects = list(dict.fromkeys(r.project for r in releases))
    return JiraRelease(project=",".join(projects), jql=" ; ".join(r.jql for r in releases),
                       issues=list(issues.values()),
                       epics={e: sorted(keys) for e, keys in epics.items()})


# -- context ------------------------------------------------------------------------------


def context(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    """Delivery and platform findings: run over the snapshot if it holds their data, else
    taken from a recorded release report when one was named."""
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request = request_of(state)
    body = ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"])
    recorded = _recorded_sections(ctx, request)
    reports: dict[str, Any] = {}
    notes: list[ContextNote] = []
    for name in request.agents:
        missing = [s for s in ctx.agents[name]().needs if getattr(body, s, None) is None]
        if not missing:
            report = nodes.run_agent(name, state, ctx, request)
            origin = "snapshot"
        elif name in recorded:
            report = recorded[name]
            origin = f"report {request.release_report}"
        else:
            notes.append(ContextNote(agent=name, origin="not run", status="skipped",
                                     note=f"no {', '.join(missing)} data in the snapshot"))
            continue
        reports[name] = report.model_dump(mode="json")
        notes.append(ContextNote(agent=name, origin=origin, status=report.status.value,
                                 findings=len(report.findings)))
    return {"agent_reports": reports, "context_notes": [n.model_dump() for n in notes]}


def _recorded_sections(ctx: GraphContext, request: PortfolioRequest) -> dict[str, AgentReport]:
    if not request.release_report:
        return {}
    content = ctx.controls.registry.content(request.release_report)
    sections = [AgentReport.model_validate(a) for a in content.get("agents", [])]
    return {s.agent: s for s in sections}


# -- portfolio and advice -------------------------------------------------------------------


def portfolio(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx, agent="portfolio"):
        return stop  # the portfolio section is the whole summary: nothing to record
    request = request_of(state)
    body = ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"])
    risks = [Finding.model_validate(f) for r in state.get("agent_reports", {}).values()
             for f in r["findings"]]
    agent = PortfolioAgent(period_days=request.period_days, projects=request.projects,
                           epics=state.get("epic_keys") or None, release_risks=risks,
                           redactor=ctx.controls.redactor)
    try:
        result = agent.run(AgentInput(snapshot=body), ctx.policy)
    except GovernanceError as exc:  # a bad policy section: one clear line
        return fail(state, ctx, str(exc))
    except Exception as exc:  # the agent's failure fails the run, on the record
        log.exception("portfolio agent failed")
        return fail(state, ctx, f"portfolio agent failed: {type(exc).__name__}: {exc}")
    return {"portfolio": result.model_dump(mode="json")}


def advise(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    """Annotations and the executive summary from the advisory layer, masked again after."""
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    request = request_of(state)
    body = ctx.snapshots.body(state["snapshot_path"], state["snapshot_hash"])
    result = PortfolioResult.model_validate(state["portfolio"])
    report = nodes.annotate(result.report, result.view.subject, [], ctx)
    text, usage = executive_summary(result.view, report, ctx.advisor)
    report = report.model_copy(update={"summary": text, "llm": report.llm.add(usage)})
    policy = ctx.policy.section("portfolio", PortfolioPolicy)
    masking = masking_for(body.jira.issues if body.jira else (), policy)
    result = mask_portfolio(PortfolioResult(report=report, view=result.view), masking)
    notes = [ContextNote.model_validate(n) for n in state.get("context_notes", [])]
    # A portfolio rests on Jira: without it the summary cannot assess anything.
    call = decide(result.report.score.value, result.report.findings, [result.report],
                  AggregationPolicy(required_sources=["jira"]))
    summary = PortfolioSummary(
        subject=result.view.subject, generated_at=datetime.now(UTC),
        snapshot_hash=state["snapshot_hash"], projects=request.projects,
        epics_jql=request.epics_jql, overall_score=result.report.score.value,
        verdict=call.verdict, verdict_rule=call.rule, verdict_detail=call.detail,
        summary=result.report.summary or "", view=result.view, portfolio=result.report,
        context=notes, gaps=[*result.report.gaps, *_context_gaps(notes)],
        llm=result.report.llm)
    subject = f"{summary.subject} ({summary.view.period_days}d to {summary.view.as_of:%Y-%m-%d})"
    return {"report": summary.model_dump(mode="json"), "subject": subject}


def _context_gaps(notes: Sequence[ContextNote]) -> list[Gap]:
    return [Gap(source=n.agent, what="context for the portfolio", why=n.note)
            for n in notes if n.status == "skipped"]


# -- record ---------------------------------------------------------------------------------


def record(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    """Register the summary (kind ``portfolio``) and one audit entry per recommendation."""
    ctx = resolve(runtime.context)
    if stop := nodes.stopped_by_switch(state, ctx):
        return stop
    report_id = f"pf-{state['run_id'][:12]}"
    report = {**state["report"], "report_id": report_id}
    summary = PortfolioSummary.model_validate(report)
    if not _recorded(ctx, report_id):  # a re-run after a crash records nothing twice
        ctx.controls.registry.register(
            KIND, state.get("subject", summary.subject), report, state["actor"],
            thread_id=state["run_id"], report_id=report_id,
            extra_events=[nodes.recommendation_event(f, report_id)
                          for f in summary.portfolio.findings],
            extra_payload={"snapshot_hash": state["snapshot_hash"],
                           "overall_score": summary.overall_score,
                           "projects": summary.projects,
                           "period_days": summary.view.period_days})
    ctx.controls.runs.update(state["run_id"], RunStatus.PENDING_SIGNOFF, report_id=report_id)
    return {"report_id": report_id, "report": report, "status": "pending_signoff"}


def _recorded(ctx: GraphContext, report_id: str) -> bool:
    try:
        ctx.controls.registry.get(report_id)
    except GovernanceError:
        return False
    return True


# -- publishing --------------------------------------------------------------------------------


def draft(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    """Under the draft policy only: the page goes up at once, marked pending sign-off."""
    request = request_of(state)
    if not (request.publish and request.draft_before_signoff):
        return {}
    ctx = resolve(runtime.context)
    return _publish(state, ctx, request, "draft")  # blocked or refused: the sign-off goes on


def publish(state: PortfolioState, runtime: Runtime[GraphContext]) -> Update:
    """Only an approved summary, only when asked; a rejected draft is withdrawn."""
    request = request_of(state)
    status = state.get("status")
    if not request.publish or status not in ("approved", "rejected"):
        return {}
    ctx = resolve(runtime.context)
    if status == "rejected":
        drafted = (state.get("publication") or {}).get("outcome") in _ON_PAGE
        return _withdraw(state, ctx, request) if drafted else {}
    if stop := nodes.stopped_by_switch(state, ctx, action="publish"):
        return stop
    return _publish(state, ctx, request, "final")


def publish_again(state: PortfolioState, ctx: GraphContext) -> Update | None:
    """``advisor publish``: the approved summary's page, once more (after a failed or
    refused publish), on the record as ``state["actor"]``; None if the run never asked to
    publish. The caller checked the approval and the kill switch."""
    request = request_of(state)
    if not request.publish:
        return None
    return _publish(state, ctx, request, "final")


def _publish(state: PortfolioState, ctx: GraphContext, request: PortfolioRequest,
             mode: Mode) -> Update:
    summary = PortfolioSummary.model_validate(state["report"])
    body, found = render_storage(summary, redactor=ctx.controls.redactor)
    content = PageContent(body=body, attachments=tuple(
        Attachment(c.filename, c.standalone()) for c in found))
    return _attempt(state, ctx, request, mode,
                    lambda p, target, last: p.publish_page(target, content, last))


def _withdraw(state: PortfolioState, ctx: GraphContext, request: PortfolioRequest) -> Update:
    notice = storage_withdrawn(PortfolioSummary.model_validate(state["report"]))
    return _attempt(state, ctx, request, "withdraw",
                    lambda p, target, last: p.withdraw_page(target, notice, last))


Mode = Literal["draft", "final", "withdraw"]  # only "final" decides the run's status
Attempt = Callable[[ConfluencePublisher, PageTarget, LastPublished | None], PublishOutcome]


def _attempt(state: PortfolioState, ctx: GraphContext, request: PortfolioRequest,
             mode: Mode, action: Attempt) -> Update:
    """One publisher call and its outcome on the record."""
    summary = PortfolioSummary.model_validate(state["report"])
    assert request.space and request.parent  # the command refuses --publish without them
    target = PageTarget(space=request.space, parent=request.parent, title=page_title(summary))
    try:
        publisher = confluence_publisher(ctx)
        outcome = action(publisher, target, last_published(ctx.controls.audit, publisher.site,
                                                            target))
    except KillSwitchEngaged as exc:  # before any request, or flipped mid-publish
        if mode == "final":
            return nodes.halt(state, ctx, str(exc))
        return _blocked(state, ctx, str(exc), mode)
    except PublishError as exc:
        return _publish_failed(state, ctx, str(exc), mode)
    return _record_outcome(state, ctx, outcome, mode)


def confluence_publisher(ctx: GraphContext) -> ConfluencePublisher:
    """The one the caller gave (tests, embedders), else one from the environment."""
    for publisher in ctx.publishers:
        if isinstance(publisher, ConfluencePublisher):
            return publisher
    return ConfluencePublisher.from_env(ctx.controls.kill_switch)


def last_published(audit: AuditLog, site: str, target: PageTarget) -> LastPublished | None:
    """Our newest version of this page, from the audit log (published or withdrawn)."""
    newest: tuple[int, LastPublished] | None = None
    for action in ("report.published", "report.withdrawn"):
        for entry in audit.entries(AuditFilter(action=action), newest_first=True):
            p = entry.payload
            if (p.get("publisher"), p.get("site"), p.get("space"), p.get("title")) == (
                    "confluence", site, target.space, target.title) and p.get("page_id"):
                if newest is None or entry.seq > newest[0]:
                    newest = (entry.seq, LastPublished.model_validate(p))
                break
    return newest[1] if newest else None


def _record_outcome(state: PortfolioState, ctx: GraphContext, outcome: PublishOutcome,
                    mode: Mode) -> Update:
    payload = {"publisher": "confluence", "mode": mode, **outcome.model_dump()}
    run_id, report_id = state["run_id"], state["report_id"]
    update: Update = {"publication": outcome.model_dump()}
    if outcome.outcome == "conflict":
        ctx.controls.audit.append(state["actor"], "report.publish_refused", report_id, payload)
        if mode != "final":
            return update
        reason = f"not published: {outcome.reason}"
        ctx.controls.runs.update(run_id, RunStatus.APPROVED,
                                 detail=f"publish refused ({outcome.reason})")
        return update | {"status": "publish_conflict", "halt_reason": reason}
    action = "report.withdrawn" if mode == "withdraw" else "report.published"
    ctx.controls.audit.append(state["actor"], action, report_id, payload)
    if mode == "final":  # a draft is not a publication
        ctx.controls.runs.update(run_id, RunStatus.PUBLISHED, detail="")
        update |= {"status": "published", "published": [outcome.where]}
    return update


def _blocked(state: PortfolioState, ctx: GraphContext, reason: str, mode: Mode) -> Update:
    """A draft or a withdrawal the kill switch stopped: on the record, the run goes on."""
    ctx.controls.audit.append(state["actor"], "report.publish_blocked", state["report_id"],
                              {"publisher": "confluence", "reason": reason, "mode": mode})
    return {}


def _publish_failed(state: PortfolioState, ctx: GraphContext, reason: str,
                    mode: Mode) -> Update:
    ctx.controls.audit.append(state["actor"], "report.publish_failed", state["report_id"],
                              {"publisher": "confluence", "reason": reason, "mode": mode})
    if mode != "final":  # the decision stands; only the page did not follow
        return {}
    ctx.controls.runs.update(state["run_id"], RunStatus.APPROVED,
                             detail=f"publish failed ({reason})")
    return {"status": "publish_failed", "halt_reason": reason}


# -- the graph -----------------------------------------------------------------------------

_STEPS = ("guard", "load", "context", "portfolio", "advise", "record", "draft", "signoff",
          "publish")


def _next_or_end(target: str) -> Callable[[PortfolioState], str]:
    def route(state: PortfolioState) -> str:
        return END if nodes.is_stopped(state) else target

    return route


def build_portfolio_graph(
    default_context: Callable[[], GraphContext] | None = None,
) -> StateGraph[PortfolioState, GraphContext, PortfolioState, PortfolioState]:
    """``default_context``: for runs that carry none (served by a LangGraph server)."""
    graph = StateGraph(PortfolioState, context_schema=GraphContext)
    steps: dict[str, Node[Any]] = {
        "guard": nodes.guard, "load": load, "context": context, "portfolio": portfolio,
        "advise": advise, "record": record, "draft": draft, "signoff": nodes.signoff,
        "publish": publish}
    for name in _STEPS:
        graph.add_node(name, with_default_context(steps[name], default_context))
    graph.add_edge(START, "guard")
    for step, following in itertools.pairwise(_STEPS):
        graph.add_conditional_edges(step, _next_or_end(following), [following, END])
    graph.add_edge("publish", END)
    return graph
