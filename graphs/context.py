"""Run-scoped dependencies given to every node (never stored in the checkpoint).

The shell builds one per command (``advisor.context``) from the settings and the
configuration files; nodes only use what is here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from langgraph.runtime import Runtime

from agents.advisory import Advisor
from agents.base import Agent
from agents.config import AgentConfig
from agents.policy import Policy
from connectors.limits import ReadLimits
from governance.controls import Controls
from graphs.bodies import SnapshotBodies
from publishers.base import ReportPublisher
from publishers.github.config import BotConfig

StateT = TypeVar("StateT", contravariant=True)


@dataclass
class GraphContext:
    home: Path  # the data directory: snapshots, the local checkpointer
    database_url: str  # the store; its checkpointer sits beside it
    controls: Controls
    config: AgentConfig
    advisor: Advisor
    agents: dict[str, Callable[[], Agent]]
    metrics_file: Path  # CloudWatch metric queries, for live snapshots
    limits: ReadLimits  # how much a snapshot or a given diff may inflate to
    bot: BotConfig = field(default_factory=BotConfig)
    publishers: list[ReportPublisher] = field(default_factory=list)
    demo_snapshot: str | None = None
    snapshots: SnapshotBodies = field(default_factory=SnapshotBodies)

    @property
    def policy(self) -> Policy:
        return self.config.policy


class Node(Protocol[StateT]):
    def __call__(self, state: StateT, runtime: Runtime[GraphContext]) -> dict[str, Any]: ...


def resolve(context: object) -> GraphContext:
    """The run's context: runs started through the advisor always pass one."""
    if isinstance(context, GraphContext):
        return context
    raise RuntimeError(
        "this graph needs a GraphContext: start it through the advisor, or serve it "
        "through advisor/langgraph_app.py, which builds one from the ADVISOR_* settings"
    )


def with_default_context(node: Node[StateT], default: Callable[[], GraphContext] | None
                         ) -> Node[StateT]:
    """``node``, given ``default()`` when its run carries no context (a LangGraph server)."""
    if default is None:
        return node
    build = default

    def run(state: StateT, runtime: Runtime[GraphContext]) -> dict[str, Any]:
        if not isinstance(runtime.context, GraphContext):
            runtime = runtime.override(context=build())
        return node(state, runtime)

    return run
