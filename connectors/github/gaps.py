"""Turn partial failures into explicit gaps; let fatal ones through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from connectors.errors import ConnectorError
from connectors.github.auth import SOURCE
from connectors.github.client import ApiError
from connectors.github.wire import MalformedResponse
from connectors.provenance import Gap

T = TypeVar("T")


def bad_credentials(error: ApiError) -> ConnectorError:
    return ConnectorError(
        f"github: bad credentials ({error.why}); the token is invalid, expired or revoked"
    )


class GapLog:
    """Thread-safe collector; ``attempt`` returns None where it recorded a gap."""

    def __init__(self) -> None:
        self._gaps: list[Gap] = []
        self._lock = threading.Lock()

    def add(self, what: str, why: str) -> None:
        with self._lock:
            self._gaps.append(Gap(source=SOURCE, what=what, why=why))

    def attempt(self, what: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except ApiError as error:
            if error.bad_credentials:  # no later call can succeed either
                raise bad_credentials(error) from None
            self.add(what, error.why)
        except MalformedResponse as error:
            self.add(what, str(error))
        return None

    def gaps(self) -> list[Gap]:
        """Sorted, so concurrent fetches give reproducible provenance."""
        with self._lock:
            return sorted(self._gaps, key=lambda gap: (gap.what, gap.why))
