"""The demo's release report through the whole graph, offline, as the tests run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.context import graph_context, open_controls
from advisor.demo import demo_plan_path
from advisor.settings import load_settings
from graphs.requests import RunRequest
from graphs.runner import start_run

RELEASE_AGENTS = ["delivery", "platform", "security"]


def run_demo_release(home: Path) -> dict[str, Any]:
    """The graph's state at the sign-off interrupt, in a data directory of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_HOME", str(home))
        mp.delenv("ANTHROPIC_API_KEY", raising=False)
        settings = load_settings()
        ctx = graph_context(settings, open_controls(settings))
        request = RunRequest(source="demo", plan_files=[str(demo_plan_path())],
                             agents=RELEASE_AGENTS)
        return dict(start_run("release", ctx, request, "release-manager"))
