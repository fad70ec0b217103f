"""Start, resume and inspect graph runs with the right checkpointer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel

from governance.errors import KillSwitchEngaged
from graphs.checkpoint import open_checkpointer
from graphs.context import GraphContext
from graphs.inputs import ReviewInput, keep_input
from graphs.portfolio_summary import build_portfolio_graph
from graphs.release_report import build_release_graph
from graphs.requests import SignOffDecision
from graphs.security_review import (
    KIND,
    SecurityReviewRequest,
    SecurityReviewState,
    build_security_review_graph,
    subject_of,
)
from graphs.state import RunState

GraphBuilder = Callable[[], StateGraph[Any, Any, Any, Any]]
Progress = Callable[[str, dict[str, Any]], None]


def builders() -> dict[str, GraphBuilder]:
    return {"release": build_release_graph, "security-review": build_security_review_graph,
            "portfolio": build_portfolio_graph}


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
    if request.pull is not None or request.contents:
        ref = keep_input(ctx.home, ReviewInput(pull=request.pull or {},
                                               contents=request.contents))
        request = request.model_copy(update={"pull": None, "contents": {}, "input": ref})
    state = start_run(KIND, ctx, request, actor, progress, run_id, subject=subject_of(request))
    return cast(SecurityReviewState, state)


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
