"""The ``release_report`` graph.

guard → load → agents in parallel → advise (annotate + aggregate) → record →
sign-off (interrupt) → publish → end. Any node may stop the run (kill switch), and a
stopped run goes straight to the end: nothing is recorded as approved, nothing published.
"""

from __future__ import annotations

from collections.abc import Callable

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.registry import AGENT_CLASSES
from graphs import nodes
from graphs.context import GraphContext
from graphs.state import RunState

RELEASE_AGENTS = tuple(AGENT_CLASSES)  # every agent has a node; the request picks who runs


def _next_or_end(target: str | list[str]) -> Callable[[RunState], str | list[str]]:
    def route(state: RunState) -> str | list[str]:
        return END if nodes.is_stopped(state) else target

    return route


def build_release_graph() -> StateGraph[RunState, GraphContext, RunState, RunState]:
    graph = StateGraph(RunState, context_schema=GraphContext)
    graph.add_node("guard", nodes.guard)
    graph.add_node("load", nodes.load)
    for name in RELEASE_AGENTS:
        graph.add_node(name, nodes.agent_node(name))
    graph.add_node("advise", nodes.advise)
    graph.add_node("record", nodes.record)
    graph.add_node("signoff", nodes.signoff)
    graph.add_node("publish", nodes.publish)

    graph.add_edge(START, "guard")
    graph.add_conditional_edges("guard", _next_or_end("load"), ["load", END])
    graph.add_conditional_edges("load", _next_or_end(list(RELEASE_AGENTS)), [*RELEASE_AGENTS, END])
    graph.add_edge(list(RELEASE_AGENTS), "advise")
    graph.add_conditional_edges("advise", _next_or_end("record"), ["record", END])
    graph.add_conditional_edges("record", _next_or_end("signoff"), ["signoff", END])
    graph.add_conditional_edges("signoff", _next_or_end("publish"), ["publish", END])
    graph.add_edge("publish", END)
    return graph


def compile_release_graph() -> CompiledStateGraph[RunState, GraphContext, RunState, RunState]:
    """For LangGraph's dev server and Agent Server (langgraph.json): they add persistence."""
    return build_release_graph().compile()


graph = compile_release_graph()
