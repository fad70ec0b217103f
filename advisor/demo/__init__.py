"""The demo organisation shipped with the advisor: Acme Pay's payments-api release 2.4.0.

``release-snapshot.json.gz`` was built by ``scripts/build_demo.py`` through the real
connectors (recorded GitHub, Jira, Confluence and OSV answers; CloudWatch in moto), and
``terraform-plan.json`` is the release's ``terraform show -json`` plan. docs/demo.md
lists the risks planted in them (``planted.PLANTED``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DIR", "demo_plan_path", "demo_snapshot_path"]

DEMO_DIR = Path(__file__).resolve().parent


def demo_snapshot_path() -> Path:
    """The demo's normalized, hashed snapshot (load it with ``load_snapshot``)."""
    return DEMO_DIR / "release-snapshot.json.gz"


def demo_plan_path() -> Path:
    """The demo release's Terraform plan (``AgentInput.plan_files``)."""
    return DEMO_DIR / "terraform-plan.json"
