"""The composite action and the example workflow: pinned, least privilege, base-only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text())


def test_the_action_is_composite_with_the_documented_inputs() -> None:
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"provider", "model", "post", "sarif", "config"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    assert all(PINNED.match(s["uses"]) for s in steps if "uses" in s)
    scripts = [s["run"] for s in steps if "run" in s]
    assert all("${{" not in script for script in scripts)  # inputs only through env
    assert any("pip install" in s for s in scripts)
    assert any("advisor" in s and "security-review" in s for s in scripts)
    assert not any("checkout" in s.get("uses", "") for s in steps)  # never the PR's code


def test_the_example_workflow_is_least_privilege_and_reads_config_from_the_base() -> None:
    workflow = _load("docs/examples/github-workflow.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"pull_request"}
    assert workflow["permissions"] == {}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write",
                                  "checks": "write", "security-events": "write"}
    uses = [s["uses"] for s in job["steps"] if "uses" in s]
    assert all(re.search(r"@[0-9a-f]{40}$", u) for u in uses)
    [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert checkout["with"]["persist-credentials"] is False
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert "head.sha" not in str(checkout)
