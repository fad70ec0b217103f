"""The ``advisor`` command line."""

from __future__ import annotations

import os
import sys
import traceback

import typer
from rich.console import Console

from advisor import __version__
from advisor.commands import (
    audit,
    db,
    governance_cmds,
    portfolio,
    release,
    runs,
    schedule,
    security_review,
    serve,
    snapshot,
)
from connectors.errors import ConnectorError
from governance.errors import GovernanceError

app = typer.Typer(
    name="advisor",
    help="Release Risk Advisor: advisory risk reports that a named human signs off.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db")
app.add_typer(governance_cmds.killswitch_app, name="killswitch")
app.add_typer(governance_cmds.reports_app, name="reports")
app.command("signoff")(governance_cmds.signoff)
app.command("whoami")(governance_cmds.whoami)
app.command("snapshot")(snapshot.snapshot)
app.command("release-report")(release.release_report)
app.add_typer(runs.app, name="runs")
app.command("security-review")(security_review.security_review)
app.command("serve")(serve.serve)
app.command("portfolio-summary")(portfolio.portfolio_summary)
app.add_typer(schedule.app, name="schedule")

# Errors whose message is meant for the user: one line, no traceback.
USER_ERRORS: tuple[type[Exception], ...] = (GovernanceError, ConnectorError)
INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug, reported with a redacted traceback


def _version(value: bool) -> None:
    if value:
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
    try:
        app()
    except USER_ERRORS as exc:
        _say(f"advisor: error: {_redacted(str(exc))}")
        sys.exit(getattr(exc, "exit_code", 2))
    except Exception as exc:  # a crash report must not leak what the advisor read
        trace = "".join(traceback.format_exception(exc))
        _say(f"advisor: internal error (please report it): {_redacted(trace)}")
        sys.exit(INTERNAL_ERROR)


def _log_redacted() -> None:
    """Warnings and errors (an agent's traceback) go to stderr redacted, not raw through
    Python's last-resort handler; ``advisor serve`` and ``schedule run`` set their own."""
    import logging

    if not logging.getLogger().handlers:
        from advisor.webhook.logs import configure_plain

        level = os.environ.get("ADVISOR_LOG_LEVEL", "").upper()  # validated with the settings
        configure_plain(level if level in _LEVELS else "WARNING")


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _say(text: str) -> None:
    Console(stderr=True).print(text.rstrip(), markup=False, highlight=False, soft_wrap=True)


def _redacted(text: str) -> str:
    from governance.redact import redact

    return redact(text).text
