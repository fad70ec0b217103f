"""The ``release_report`` graph.

guard → load → agents in parallel → advise (annotate + aggregate) → record →
sign-off (interrupt) → publish → end. Any node may stop the run (kill switch), and a
stopped run goes straight to the end: nothing is recorded as approved, nothing published.
"""

from __future__ import annotations

from collections.abc import Callable

from langgraph.graph import END, START, StateGraph

from agents.registry import AGENT_CLASSES
from graphs import nodes
from graphs.context import GraphContext, Node, with_default_context
from graphs.state import RunState

RELEASE_AGENTS = tuple(AGENT_CLASSES)  # every agent has a node; the request picks who runs


def _next_or_end(target: str | list[str]) -> Callable[[RunState], str | list[str]]:
    def route(state: RunState) -> str | list[str]:
        return END if nodes.is_stopped(state) else target

    return route


def build_release_graph(
    default_context: Callable[[], GraphContext] | None = None,
) -> StateGraph[RunState, GraphContext, RunState, RunState]:
    """``default_context``: for runs that carry none (served by a LangGraph server)."""
    graph = StateGraph(RunState, context_schema=GraphContext)
    steps: list[tuple[str, Node[RunState]]] = [
        ("guard", nodes.guard), ("load", nodes.load),
        *((name, nodes.agent_node(name)) for name in RELEASE_AGENTS),
        ("advise", nodes.advise), ("record", nodes.record), ("signoff", nodes.signoff),
        ("publish", nodes.publish)]
    for name, node in steps:
        graph.add_node(name, with_default_context(node, default_context))

    graph.add_edge(START, "guard")
    graph.add_conditional_edges("guard", _next_or_end("load"), ["load", END])
    graph.add_conditional_edges("load", _next_or_end(list(RELEASE_AGENTS)), [*RELEASE_AGENTS, END])
    graph.add_edge(list(RELEASE_AGENTS), "advise")
    graph.add_conditional_edges("advise", _next_or_end("record"), ["record", END])
    graph.add_conditional_edges("record", _next_or_end("signoff"), ["signoff", END])
    graph.add_conditional_edges("signoff", _next_or_end("publish"), ["publish", END])
    graph.add_edge("publish", END)
    return graph
