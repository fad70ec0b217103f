"""The ``advisor`` command line.

Every command module imports only what declaring its options needs; the heavy parts
(LangGraph, SQLAlchemy, the scanners, the service clients) load inside the command that
uses them, so ``advisor --help`` and quick commands start fast (``python -m bench cli``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperCommand

from advisor import boundary
from advisor.commands import (
    audit,
    db,
    governance_cmds,
    portfolio,
    publish,
    release,
    runs,
    schedule,
    security_review,
    serve,
    snapshot,
)
from advisor.errors import EXIT_CODES

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

app = typer.Typer(
    name="advisor",
    help="Release Risk Advisor: advisory risk reports that a named human signs off.",
    epilog=EXIT_CODES_EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain, copyable help; it also spares loading rich to show it
)
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db")
app.add_typer(governance_cmds.killswitch_app, name="killswitch")
app.add_typer(governance_cmds.reports_app, name="reports")
app.command("signoff")(governance_cmds.signoff)
app.command("publish")(publish.publish)
app.command("whoami")(governance_cmds.whoami)
app.command("snapshot")(snapshot.snapshot)
app.command("release-report")(release.release_report)
app.add_typer(runs.app, name="runs")
app.command("security-review")(security_review.security_review)
app.command("serve")(serve.serve)
app.command("portfolio-summary")(portfolio.portfolio_summary)
app.add_typer(schedule.app, name="schedule")


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


_with_exit_codes(app)


def _version(value: bool) -> None:
    if value:
        from advisor import __version__

        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Humans decide, the advisor advises."""


def main() -> None:
    _log_redacted()
    sys.exit(boundary.run(app, sys.argv[1:]))


def _log_redacted() -> None:
    """Warnings and errors (an agent's traceback) go to stderr redacted, not raw through
    Python's last-resort handler; ``advisor serve`` and ``schedule run`` set their own."""
    import logging

    if not logging.getLogger().handlers:
        from advisor.webhook.logs import configure_plain

        level = os.environ.get("ADVISOR_LOG_LEVEL", "").upper()  # validated with the settings
        configure_plain(level if level in _LEVELS else "WARNING")


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
