"""Typed errors of the governance controls. Each message is one line for a human."""

from __future__ import annotations


class GovernanceError(Exception):
    """Base of every error the governance controls raise on purpose (what each means as
    an exit code is said once, in ``advisor/errors.py``)."""


class StoreUnavailable(GovernanceError):
    """The database cannot be reached or opened."""


class StoreUninitialised(GovernanceError):
    """The store has no schema: never initialised, or lost after it was (fail closed)."""


class SchemaTooNew(GovernanceError):
    """The database was written by a newer version of the advisor."""


class ConfigError(GovernanceError):
    """A configuration file is missing, malformed or names something unknown."""


class Refused(GovernanceError):
    """The controls said no: a kill switch, a missing role, separation of duties, a report
    that can no longer be decided. The input was understood; the action is not allowed."""


class NotAuthorized(Refused):
    """The identity lacks the role, or separation of duties forbids the action."""


class KillSwitchEngaged(Refused):
    """A kill switch stops this action (or its state cannot be read: fail closed)."""

    def __init__(self, scope: str, reason: str) -> None:
        super().__init__(f"kill switch '{scope}' is on: {reason}")
        self.scope = scope
        self.reason = reason


class UnknownReport(GovernanceError):
    """No report has that id."""


class AlreadyDecided(Refused):
    """The report is no longer pending sign-off; a decided report never changes."""


class AuditEntryNotFound(GovernanceError):
    """No audit entry has that sequence number."""
