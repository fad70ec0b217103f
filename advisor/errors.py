"""Exit codes and the errors a command raises on purpose: one table for every command.

Every command exits with one of ``ExitCode``; ``exit_code_for`` says which code an
exception means. Errors of the layers below keep their own classes (``Refused`` from the
governance controls, ``ConnectorError``, ``PublishError``); a new error class slots in
by subclassing the class whose meaning it shares, or ``CommandError`` with its own code.
README.md and ``advisor --help`` show ``EXIT_CODES``.
"""

from __future__ import annotations

from enum import IntEnum

from connectors.errors import ConnectorError, InputRefused, SnapshotError
from governance.errors import GovernanceError, Refused, StoreUninitialised
from publishers.base import PublishError


class ExitCode(IntEnum):
    OK = 0
    GATE = 1  # a gate tripped: --fail-on, audit verify found tampering
    USAGE = 2  # usage or bad input: flags, files, configuration, the database URL
    REFUSED = 3  # refused: kill switch, role, separation of duties, a decided report
    FAILED = 4  # a source or a publisher failed (e.g. publish_failed)
    INTERNAL = 70  # an internal error (EX_SOFTWARE): a crash report says more


EXIT_CODES: tuple[tuple[ExitCode, str], ...] = (
    (ExitCode.OK, "success"),
    (ExitCode.GATE, "a gate tripped: --fail-on, or audit verify found tampering"),
    (ExitCode.USAGE, "usage or bad input: a flag, file, configuration or database URL"),
    (ExitCode.REFUSED, "refused: kill switch, role, separation of duties, a lost store"),
    (ExitCode.FAILED, "a source or a publisher failed (e.g. publish failed)"),
    (ExitCode.INTERNAL, "internal error; the message names a crash report"),
)


class CommandError(Exception):
    """An expected failure of a command: one line for a person, a hint, an exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(CommandError):
    """A flag, a file or a setting the command cannot use; nothing was recorded."""


class GateTripped(CommandError):
    """The command did its work, and a gate the caller set says stop (CI fails)."""

    exit_code = ExitCode.GATE


class CommandRefused(CommandError):
    """The controls refused the action."""

    exit_code = ExitCode.REFUSED


class SourceFailed(CommandError):
    """A source could not be read or a publisher could not write."""

    exit_code = ExitCode.FAILED


# Most specific first: the first class an exception is an instance of decides.
_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (Refused, ExitCode.REFUSED),
    # A store lost after it was initialised: nothing runs until a human restores it.
    (StoreUninitialised, ExitCode.REFUSED),
    (GovernanceError, ExitCode.USAGE),
    (SnapshotError, ExitCode.USAGE),  # a damaged or foreign snapshot file is bad input
    (InputRefused, ExitCode.USAGE),  # a local file that is too big, not regular, a bomb
    (ConnectorError, ExitCode.FAILED),
    (PublishError, ExitCode.FAILED),
)


def exit_code_for(exc: BaseException) -> ExitCode | None:
    """The code an expected error means; None for an unexpected one (a crash)."""
    if isinstance(exc, CommandError):
        return exc.exit_code
    return next((code for cls, code in _CODES if isinstance(exc, cls)), None)


def exit_codes_text() -> str:
    """The table for ``--help`` and README: ``0 success``, one per line."""
    return "\n".join(f"{int(code):>2}  {meaning}" for code, meaning in EXIT_CODES)
