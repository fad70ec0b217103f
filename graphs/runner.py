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

from governance.errors import GovernanceError
from graphs.checkpoint import open_checkpointer
from graphs.context import GraphContext
from graphs.portfolio_summary import build_portfolio_graph, publish_again
from graphs.release_report import build_release_graph
from graphs.requests import SignOffDecision
from graphs.security_review import (
    KIND,
    SecurityReviewRequest,
    SecurityReviewState,
    build_security_review_graph,
    post_again,
    subject_of,
)
from graphs.state import RunState

GraphBuilder = Callable[[], StateGraph[Any, Any, Any, Any]]
Progress = Callable[[str, dict[str, Any]], None]
Republish = Callable[[Any, GraphContext], "dict[str, Any] | None"]
# Per kind: what publishing an approved report again does, and the graph's last node (the
# retry is written to the thread as if that node had run again).
_REPUBLISH: dict[str, tuple[Republish, str]] = {
    "portfolio": (publish_again, "publish"),
    KIND: (post_again, "refresh"),
}


def builders() -> dict[str, GraphBuilder]:
    return {"release": build_release_graph, "security-review": build_security_review_graph,
            "portfolio": build_portfolio_graph}


@contextmanager
def compiled(kind: str, ctx: GraphContext) -> Iterator[CompiledStateGraph[Any, Any, Any, Any]]:
    with open_checkpointer(ctx.database_url, ctx.home) as saver:
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
    """A security review until the sign-off interrupt (or the end)."""
    state = start_run(KIND, ctx, request, actor, progress, run_id, subject=subject_of(request))
    return cast(SecurityReviewState, state)


def resume_run(
    kind: str,
    ctx: GraphContext,
    run_id: str,
    decision: SignOffDecision,
    progress: Progress | None = None,
) -> RunState:
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
    again, last_node = _REPUBLISH[kind]
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
