"""What every publisher shares: the gate it asks before writing, and the report interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

# Asks the publishing kill switch; raises ``KillSwitchEngaged`` to stop a write.
Gate = Callable[[], None]


class PublishError(Exception):
    """A destination could not be written: unreachable, or an unexpected answer.

    Every publisher fails with one of these (its message one line for a human), so a
    caller reports any failed publish the same way."""


class ReportPublisher(Protocol):
    """Writes an approved report somewhere; returns where (a URL or a name)."""

    name: str

    def publish(self, report: dict[str, Any], report_id: str) -> str: ...
