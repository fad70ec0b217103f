"""A scheduled job is a call of the same command function the CLI runs, in-process.

Arguments come from ``config/schedule.yaml`` under their option names (``fix-version``
or ``fix_version``); each is checked against the command's signature and type when the
file is read, so a typo fails at start-up, not at 3 a.m.
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Callable, Mapping
from typing import Any

import typer
from pydantic import TypeAdapter, ValidationError

from advisor.errors import exit_code_for

log = logging.getLogger(__name__)
CommandFunction = Callable[..., None]


# The commands a job may run, by name: the CLI hands them in (``advisor schedule``).
Commands = Mapping[str, CommandFunction]


def check_arguments(commands: Commands, command: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """``args`` as keyword arguments of the command, converted to their types."""
    function = commands[command]
    hints = typing.get_type_hints(function)  # Annotated metadata dropped: the bare types
    names = set(inspect.signature(function).parameters)
    checked: dict[str, Any] = {}
    for key, value in args.items():
        name = str(key).replace("-", "_")
        if name not in names:
            known = ", ".join(sorted(n.replace("_", "-") for n in names))
            raise ValueError(f"{command} has no option {key!r}; known: {known}")
        try:
            checked[name] = TypeAdapter(hints[name]).validate_python(value)
        except ValidationError as exc:
            why = exc.errors()[0]["msg"]
            raise ValueError(f"{command} option {key!r}: {why} (got {value!r})") from None
    return checked


def run_job(commands: Commands, name: str, command: str, args: Mapping[str, Any]) -> bool:
    """Run one job to its end; never raises (a failed run must not stop the scheduler)."""
    log.info("job %s: %s started", name, command)
    try:
        commands[command](**{"quiet": True, **args})
    except typer.Exit as exc:
        log.warning("job %s: %s exited with code %s", name, command, exc.exit_code)
        return exc.exit_code == 0
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None:
            log.exception("job %s: %s crashed", name, command)
        else:  # e.g. release-report --fail-on (1), a refused or failed publish (3, 4)
            log.error("job %s: %s failed: %s (exit code %d)", name, command, exc, code)
        return False
    log.info("job %s: %s finished", name, command)
    return True
