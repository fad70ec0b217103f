"""Helpers shared by the CLI commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from advisor.context import open_controls
from advisor.settings import load_settings
from governance.controls import Controls
from governance.errors import GovernanceError

console = Console(highlight=False)
Progress = Callable[[str, dict[str, Any]], None]


def controls() -> Controls:
    return open_controls(load_settings())


def normalise_timestamp(value: str | None, option: str) -> str | None:
    """Accept a date or an ISO timestamp; return the stored UTC format for comparisons."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GovernanceError(
            f"{option}: expected an ISO date or timestamp, got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def demo_plans() -> list[str]:
    """The bundled Terraform plan the demo gives the platform agent."""
    try:
        from advisor.demo import demo_plan_path
    except ImportError:
        return []
    path = demo_plan_path()
    return [str(path)] if path.exists() else []


def progress_printer(quiet: bool) -> Progress | None:
    """Node-by-node progress: lively on a terminal, plain lines in CI, nothing with --quiet."""
    if quiet:
        return None
    err = Console(stderr=True, highlight=False)
    plain = bool(os.environ.get("CI")) or not err.is_terminal

    def show(node: str, change: dict[str, Any]) -> None:
        if node == "__interrupt__":
            text = "paused for sign-off"
        elif not change:
            text = "skipped"
        elif change.get("status") == "halted":
            text = f"halted: {change.get('halt_reason', '')}"
        else:
            text = "done"
        if plain:
            err.print(f"[{node}] {text}", markup=False)
        else:
            err.print(f"[bold cyan]{node:>10}[/] {text}")

    return show
