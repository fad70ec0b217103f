"""The ``advisor`` command line.

Every command module imports only what declaring its options needs; the heavy parts
(LangGraph, SQLAlchemy, the scanners, the service clients) load inside the command that
uses them. A command line that names its command loads that command's module alone;
``advisor --help`` (or anything else) loads them all. So ``advisor --help`` and quick
commands start fast (``python -m bench cli``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

import typer
from typer.core import TyperCommand

from advisor import boundary
from advisor.errors import EXIT_CODES

# Every command: its name, the module declaring it and the Typer group or function there,
# in the order help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("advisor.commands.audit", "app"),
    "db": ("advisor.commands.db", "app"),
    "killswitch": ("advisor.commands.governance_cmds", "killswitch_app"),
    "reports": ("advisor.commands.governance_cmds", "reports_app"),
    "signoff": ("advisor.commands.governance_cmds", "signoff"),
    "publish": ("advisor.commands.publish", "publish"),
    "whoami": ("advisor.commands.governance_cmds", "whoami"),
    "snapshot": ("advisor.commands.snapshot", "snapshot"),
    "release-report": ("advisor.commands.release", "release_report"),
    "runs": ("advisor.commands.runs", "app"),
    "security-review": ("advisor.commands.security_review", "security_review"),
    "serve": ("advisor.commands.serve", "serve"),
    "portfolio-summary": ("advisor.commands.portfolio", "portfolio_summary"),
    "schedule": ("advisor.commands.schedule", "app"),
}

# "\b": click keeps these lines as they are instead of rewrapping them.
EXIT_CODES_EPILOG = "\b\nExit codes (the same for every command):\n" + "\n".join(
    f"  {int(code):>2}  {meaning}" for code, meaning in EXIT_CODES
)


class Command(TyperCommand):
    """A command whose arguments show as their metavar (``REPORT_ID``), like options do,
    instead of ``{REPORT_ID} <str>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                shown = name if param.required else f"[{name}]"
                # Instance attributes: only the display changes, never the parsing.
                param.display_type_rich = lambda ctx: None  # type: ignore[attr-defined]
                param._usage_display_name = lambda shown=shown: shown  # type: ignore[attr-defined]


def build_app(only: str | None = None) -> typer.Typer:
    """The command line with every command, or with the command ``only`` alone."""
    app = typer.Typer(
        name="advisor",
        help="Release Risk Advisor: advisory risk reports that a named human signs off.",
        epilog=EXIT_CODES_EPILOG,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,  # plain, copyable help; it also spares loading rich to show it
    )
    app.callback()(_root)
    for name, (module, attribute) in COMMANDS.items():
        if only is None or name == only:
            declared = getattr(importlib.import_module(module), attribute)
            if isinstance(declared, typer.Typer):
                app.add_typer(declared, name=name)
            else:
                app.command(name)(declared)
    _with_exit_codes(app)
    return app


def command_named(args: Sequence[str]) -> str | None:
    """The command the line starts with, if it names one. A root option first (--help,
    --version) or an unknown name needs the whole command line, to list or suggest."""
    return args[0] if args and args[0] in COMMANDS else None


@cache
def _whole_app() -> typer.Typer:
    return build_app()


def __getattr__(name: str) -> Any:
    """``advisor.cli.app``: every command (for tests and tools), built on first use."""
    if name == "app":
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _with_exit_codes(group: typer.Typer) -> None:
    """Every command's --help ends with the same exit-code table, and shows its
    arguments by their metavar."""
    for command in group.registered_commands:
        command.epilog = command.epilog or EXIT_CODES_EPILOG
        if command.cls in (None, TyperCommand):
            command.cls = Command
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            sub.typer_instance.info.epilog = EXIT_CODES_EPILOG
            _with_exit_codes(sub.typer_instance)


def _version(value: bool) -> None:
    if value:
        from advisor import __version__

        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Humans decide, the advisor advises."""


def main() -> None:
    # No third-party Pydantic plugin sees what the advisor validates (it handles secrets),
    # and none is searched for: scanning every installed package's entry points costs
    # start-up time. PYDANTIC_DISABLE_PLUGINS set by the operator is kept as set.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _log_redacted()
    args = sys.argv[1:]
    sys.exit(boundary.run(build_app(command_named(args)), args))


def _log_redacted() -> None:
    """Warnings and errors (an agent's traceback) go to stderr redacted, not raw through
    Python's last-resort handler; ``advisor serve`` and ``schedule run`` set their own."""
    import logging

    if not logging.getLogger().handlers:
        from advisor.logs import configure_plain

        level = os.environ.get("ADVISOR_LOG_LEVEL", "").upper()  # validated with the settings
        configure_plain(level if level in _LEVELS else "WARNING")


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
