"""Graph state: plain JSON-able data only, so any checkpointer can store it.

``agent_reports`` is written by agent nodes running in parallel, hence its reducer.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict


def merge_reports(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Parallel agents each add their own key; nothing is overwritten by accident."""
    return {**(left or {}), **(right or {})}


class RunState(TypedDict, total=False):
    run_id: str
    actor: str
    request: dict[str, Any]
    status: str
    halt_reason: str
    subject: str
    snapshot_path: str
    snapshot_hash: str
    agent_reports: Annotated[dict[str, Any], merge_reports]
    report: dict[str, Any]
    report_id: str
    decision: dict[str, Any]
    published: list[str]
