"""The graphs as LangGraph's servers load them (``langgraph.json``).

A run the server starts carries no advisor context, so each node gets the one built
here from the ``ADVISOR_*`` settings: once per server process, so a run's nodes share
one store connection pool and the snapshot the load node parsed.
"""

from __future__ import annotations

import functools

from advisor.context import graph_context, open_controls
from advisor.settings import load_settings
from graphs.context import GraphContext
from graphs.portfolio_summary import build_portfolio_graph
from graphs.release_report import build_release_graph
from graphs.security_review import build_security_review_graph


@functools.lru_cache(maxsize=1)
def server_context() -> GraphContext:
    settings = load_settings()
    return graph_context(settings, open_controls(settings))


# The servers add persistence (their own checkpointer) when they compile these.
release_report = build_release_graph(server_context).compile()
security_review = build_security_review_graph(server_context).compile()
portfolio_summary = build_portfolio_graph(server_context).compile()
