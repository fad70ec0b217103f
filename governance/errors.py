"""Typed errors of the governance controls. Each message is one line for a human."""

from __future__ import annotations


class GovernanceError(Exception):
    """Base of every error the governance controls raise on purpose."""

    exit_code = 2  # bad input or an unusable environment, unless a subclass says otherwise


class StoreUnavailable(GovernanceError):
    """The database cannot be reached or opened."""


class StoreUninitialised(GovernanceError):
    """The store has no schema: never initialised, or lost after it was (fail closed)."""

    exit_code = 3


class SchemaTooNew(GovernanceError):
    """The database was written by a newer version of the advisor."""


class ConfigError(GovernanceError):
    """A configuration file is missing, malformed or names something unknown."""


class NotAuthorized(GovernanceError):
    """The identity lacks the role, or separation of duties forbids the action."""


class KillSwitchEngaged(GovernanceError):
    """A kill switch stops this action (or its state cannot be read: fail closed)."""

    exit_code = 3

    def __init__(self, scope: str, reason: str) -> None:
        super().__init__(f"kill switch '{scope}' is on: {reason}")
        self.scope = scope
        self.reason = reason


class UnknownReport(GovernanceError):
    """No report has that id."""


class AlreadyDecided(GovernanceError):
    """The report is no longer pending sign-off; a decided report never changes."""


class AuditEntryNotFound(GovernanceError):
    """No audit entry has that sequence number."""
