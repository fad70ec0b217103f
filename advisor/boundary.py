"""The one error boundary every command runs inside.

Expected errors are one line on stderr, ``advisor: error: …`` (with a hint where one
helps), and the exit code ``advisor.errors`` gives them; a gate that trips says so in its
own words. Anything else is a crash: one line naming a redacted crash report under the
data directory, and exit code 70. A traceback never reaches the terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer

from advisor.errors import CommandError, ExitCode, GateTripped, exit_code_for
from governance.errors import KillSwitchEngaged, NotAuthorized, StoreUnavailable

INTERRUPTED = 130  # 128 + SIGINT, as shells report it
BROKEN_PIPE = 141  # 128 + SIGPIPE, as for a writer the signal had stopped

_HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (KillSwitchEngaged, "`advisor killswitch status` shows the switches and who set them"),
    (NotAuthorized, "`advisor whoami` shows who you are and your roles; roles are in "
                    "config/roles.yaml or the file ADVISOR_ROLES_FILE names"),
    (StoreUnavailable, "ADVISOR_HOME sets the data directory and ADVISOR_DATABASE_URL the "
                       "store (SQLite or PostgreSQL); see docs/configuration.md"),
)


def run(app: typer.Typer, args: Sequence[str]) -> int:
    """Run the command line ``args``; return the exit code, never raise."""
    try:
        outcome: Any = app(args=list(args), prog_name="advisor", standalone_mode=False)
    except KeyboardInterrupt:
        say("advisor: interrupted")
        return INTERRUPTED
    except Exception as exc:
        return handle(exc, args)
    return outcome if isinstance(outcome, int) else ExitCode.OK


def handle(exc: BaseException, args: Sequence[str]) -> int:
    """Print what ``exc`` means in one line; return its exit code."""
    if _is_click(exc, "ClickException"):
        return _click_error(exc)
    if _is_click(exc, "Abort"):  # Ctrl-D at a prompt
        say("advisor: interrupted")
        return INTERRUPTED
    if isinstance(exc, BrokenPipeError):  # the reader went away (`| head`): nothing to say
        _silence_stdout()
        return BROKEN_PIPE
    code = exit_code_for(exc)
    if code is None:
        return _crash(exc, args)
    message = _redacted(str(exc))  # a message may quote what the advisor read
    if isinstance(exc, GateTripped):
        say(f"advisor: {one_line(message)}")
    else:
        say(error_line(message, _hint(exc)))
    return code


def _redacted(text: str) -> str:
    from governance.redact import redact

    return redact(text).text


def error_line(message: str, hint: str | None = None) -> str:
    line = f"advisor: error: {one_line(message)}"
    return f"{line} (hint: {one_line(hint)})" if hint else line


def one_line(text: str) -> str:
    return " ".join(text.split())


def say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, CommandError):
        return exc.hint
    return next((hint for cls, hint in _HINTS if isinstance(exc, cls)), None)


def _is_click(exc: BaseException, name: str) -> bool:
    """Click's classes by name: typer vendors click in some versions and not in others."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def _click_error(exc: Any) -> int:
    if type(exc).__name__ == "NoArgsIsHelpError":  # `advisor audit`: the group's help
        exc.show()
        return ExitCode.USAGE
    ctx = getattr(exc, "ctx", None)
    hint = f"`{ctx.command_path} --help` lists the options" if ctx is not None else None
    say(error_line(exc.format_message(), hint))
    return ExitCode.USAGE


def _silence_stdout() -> None:
    """Python flushes stdout at exit; into a closed pipe that is one more error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to flush
        pass


def _crash(exc: BaseException, args: Sequence[str]) -> int:
    from advisor.crash import write_crash_report

    kind = type(exc).__name__
    try:
        path = write_crash_report(exc, args)
    except Exception as failure:  # never a second traceback
        say(f"advisor: internal error ({kind}); no crash report could be written: "
            f"{one_line(str(failure)) or type(failure).__name__}")
        return ExitCode.INTERNAL
    say(f"advisor: internal error ({kind}); the details are in {path}")
    return ExitCode.INTERNAL
