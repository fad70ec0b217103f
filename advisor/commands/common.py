"""Helpers shared by the CLI commands."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from advisor.context import open_controls
from advisor.settings import load_settings
from governance.controls import Controls
from governance.errors import GovernanceError

console = Console(highlight=False)


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
