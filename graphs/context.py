"""Run-scoped dependencies given to every node (never stored in the checkpoint)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from advisor.settings import Settings
from agents.advisory import Advisor
from agents.base import Agent
from agents.policy import Policy
from governance.controls import Controls
from graphs.bodies import SnapshotBodies


class Publisher(Protocol):
    """Writes an approved report somewhere (PR comment, Confluence page)."""

    name: str

    def publish(self, report: dict[str, Any], report_id: str) -> str: ...


@dataclass
class GraphContext:
    settings: Settings
    controls: Controls
    policy: Policy
    advisor: Advisor
    agents: dict[str, Callable[[], Agent]]
    publishers: list[Publisher] = field(default_factory=list)
    demo_snapshot: str | None = None
    snapshots: SnapshotBodies = field(default_factory=SnapshotBodies)


def resolve(context: object) -> GraphContext:
    """The run's context; under LangGraph's server (no in-process context), one from settings."""
    if isinstance(context, GraphContext):
        return context
    return _from_settings()


@functools.lru_cache(maxsize=1)
def _from_settings() -> GraphContext:
    """Built once per server process, so a run's nodes share one store connection pool and
    the snapshot the load node parsed, instead of each node opening and parsing anew."""
    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings

    settings = load_settings()
    built: GraphContext = graph_context(settings, open_controls(settings))
    return built
