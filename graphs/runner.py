"""Start, resume and inspect graph runs with the right checkpointer."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel

from governance.errors import GovernanceError, KillSwitchEngaged
from graphs.checkpoint import open_checkpointer
from graphs.context import GraphContext
from graphs.inputs import ReviewInput, keep_input
from graphs.requests import SignOffDecision
from graphs.state import RunState

if TYPE_CHECKING:
    from graphs.security_review import SecurityReviewRequest, SecurityReviewState

GraphBuilder = Callable[[], StateGraph[Any, Any, Any, Any]]
Progress = Callable[[str, dict[str, Any]], None]
Republish = Callable[[Any, GraphContext], "dict[str, Any] | None"]
SECURITY_REVIEW = "security-review"  # graphs.security_review.KIND

# Each graph's module loads when a run of its kind needs it: a security review does not
# pay for the portfolio graph's Confluence client.
_GRAPHS = {
    "release": "graphs.release_report:build_release_graph",
    SECURITY_REVIEW: "graphs.security_review:build_security_review_graph",
    "portfolio": "graphs.portfolio_summary:build_portfolio_graph",
}
# Per kind: what publishing an approved report again does, and the graph's last node (the
# retry is written to the thread as if that node had run again).
_REPUBLISH = {
    "portfolio": ("graphs.portfolio_summary:publish_again", "publish"),
    SECURITY_REVIEW: ("graphs.security_review:post_again", "refresh"),
}


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def builders() -> dict[str, GraphBuilder]:
    """Kind → graph builder; each imports its graph's module when called."""
    def builder(target: str) -> GraphBuilder:
        return lambda: cast(StateGraph[Any, Any, Any, Any], _load(target)())

    return {kind: builder(target) for kind, target in _GRAPHS.items()}


@contextmanager
def compiled(kind: str, ctx: GraphContext) -> Iterator[CompiledStateGraph[Any, Any, Any, Any]]:
    with open_checkpointer(ctx.database_url, ctx.home,
                           redact=ctx.controls.redactor.redact_data) as saver:
        yield builders()[kind]().compile(checkpointer=saver)


def start_run(
    kind: str,
    ctx: GraphContext,
    request: BaseModel,
    actor: str,
    progress: Progress | None = None,
    run_id: str | None = None,
    subject: str = "(loading)",
) -> RunState:
    """Run until the sign-off interrupt (or the end); returns the state at that point."""
    run_id = run_id or uuid.uuid4().hex
    ctx.controls.runs.start(run_id, kind, subject=subject, actor=actor)
    initial: RunState = {
        "run_id": run_id,
        "actor": actor,
        "request": request.model_dump(mode="json"),
        "agent_reports": {},
    }
    return _drive(kind, ctx, initial, run_id, progress)


def start_security_review(
    ctx: GraphContext,
    request: SecurityReviewRequest,
    actor: str,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> SecurityReviewState:
    """A security review until the sign-off interrupt (or the end).

    A given diff or file contents are kept beside the store, by hash: raw diffs stay out
    of the checkpointed state."""
    from graphs.security_review import subject_of

    if request.pull is not None or request.contents:
        ref = keep_input(ctx.home, ReviewInput(pull=request.pull or {},
                                               contents=request.contents))
        request = request.model_copy(update={"pull": None, "contents": {}, "input": ref})
    state = start_run(SECURITY_REVIEW, ctx, request, actor, progress, run_id,
                      subject=subject_of(request))
    return cast("SecurityReviewState", state)


def resume_run(
    kind: str,
    ctx: GraphContext,
    run_id: str,
    decision: SignOffDecision,
    progress: Progress | None = None,
) -> RunState:
    """Wake a thread paused for sign-off; refused (audited) while the global switch is on:
    the thread stays paused and can be resumed once the switch is off."""
    try:
        ctx.controls.kill_switch.ensure_allowed()
    except KillSwitchEngaged as exc:
        ctx.controls.audit.append(decision.decided_by, "run.resume_refused", run_id,
                                  {"report_id": decision.report_id, "why": str(exc)})
        raise
    return _drive(kind, ctx, Command(resume=decision.model_dump()), run_id, progress)


def _drive(
    kind: str, ctx: GraphContext, payload: Any, run_id: str, progress: Progress | None
) -> RunState:
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    with compiled(kind, ctx) as graph:
        for update in graph.stream(payload, config, context=ctx, stream_mode="updates"):
            for node, change in update.items():
                if progress:
                    progress(node, change if isinstance(change, dict) else {})
        return cast(RunState, graph.get_state(config).values)


def thread_state(kind: str, ctx: GraphContext, run_id: str) -> tuple[RunState, tuple[str, ...]]:
    """The checkpointed state of a thread and the nodes it waits at."""
    with compiled(kind, ctx) as graph:
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        snapshot = graph.get_state(config)
        return cast(RunState, snapshot.values), tuple(snapshot.next)


def republish(kind: str, ctx: GraphContext, run_id: str, actor: str) -> RunState | None:
    """Publish an approved report's finished run again, as ``actor``; the thread records
    the outcome. None when the run never asked to publish. The caller checks the approval
    and the kill switch first."""
    if kind not in _REPUBLISH:
        return None
    target, last_node = _REPUBLISH[kind]
    again: Republish = _load(target)
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    with compiled(kind, ctx) as graph:
        snapshot = graph.get_state(config)
        if snapshot.next:
            raise GovernanceError(f"run {run_id} has not finished (it waits at "
                                  f"{', '.join(snapshot.next)}): nothing to publish again")
        update = again({**snapshot.values, "actor": actor}, ctx)
        if update is None:
            return None
        graph.update_state(config, update, as_node=last_node)
        return cast(RunState, graph.get_state(config).values)
