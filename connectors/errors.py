"""Errors raised by the read-only connectors."""

from __future__ import annotations


class ConnectorError(Exception):
    """A source could not be read; callers turn it into an explicit gap."""


class ReadOnlyViolation(ConnectorError):
    """A connector tried an operation that is not on its read-only allow-list.

    Raised before a byte is sent: connectors can read, never write.
    """

    def __init__(self, source: str, operation: str) -> None:
        super().__init__(
            f"{source}: refused non-read operation {operation} (connectors are read-only)"
        )
        self.source = source
        self.operation = operation


class SnapshotError(ConnectorError):
    """A snapshot file cannot be trusted or read (kept here, beside the other connector
    errors, so a caller can tell it apart without loading the snapshot models)."""


class InputRefused(ConnectorError):
    """An input is not a regular file, too large, or nested too deeply (``limits.py``)."""


class LossyRedirect(ConnectorError):
    """A listing asked with a query string was redirected (a renamed or moved repository).

    PyGithub re-requests a redirect by path alone, so following it would read the
    default listing (``state=open``, the default branch) as if it were the one asked
    for. It is refused at the transport and reported as a gap instead.
    """

    def __init__(self, source: str, status: int, path: str, location: str) -> None:
        super().__init__(
            f"{source}: {status} redirect of {path} to {location or 'an unnamed location'}; "
            "not followed, the re-request would drop the query"
        )
        self.status = status
        self.path = path
        self.location = location
