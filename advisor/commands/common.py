"""Helpers shared by the CLI commands.

Nothing heavy is imported here at module level: every command module imports this one,
and ``advisor --help`` imports every command module.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import typer

from advisor.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from governance.controls import Controls

Progress = Callable[[str, dict[str, Any]], None]


def _stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


class _LazyConsole:
    """Stands in for a rich console: rich loads when something is printed, and each print
    sees the stdout and terminal width of that moment."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_stdout_console(), name)


console = cast("Console", _LazyConsole())


def controls() -> Controls:
    from advisor.context import open_controls
    from advisor.settings import load_settings

    return open_controls(load_settings())


@dataclass(frozen=True)
class Column:
    """A table column. ``key`` columns (ids) are never cut or wrapped; when the terminal
    is too narrow, the other columns wrap, and the one with the highest ``drop`` goes."""

    name: str
    key: bool = False
    drop: int = 0  # 0: never dropped


_NARROWEST = 8  # a wrapped column narrower than this is unreadable: drop one instead


def print_table(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
    """Everything is shown as the text it is: a reason or a subject is data, never rich
    markup (``[/]`` in a kill switch's reason must not break ``killswitch status``)."""
    from rich.table import Table
    from rich.text import Text

    out = _stdout_console()  # one console, one width, for the whole table
    shown = list(range(len(columns)))
    while _needed(columns, rows, shown) > out.width:
        droppable = [i for i in shown if columns[i].drop]
        if not droppable:
            break
        shown.remove(max(droppable, key=lambda i: columns[i].drop))
    grid = Table()
    for i in shown:
        column = columns[i]
        if column.key:
            grid.add_column(Text(column.name), no_wrap=True,
                            min_width=_longest(column, rows, i))
        else:
            grid.add_column(Text(column.name), overflow="fold")
    for row in rows:
        grid.add_row(*(Text(row[i]) for i in shown))
    out.print(grid)
    if hidden := [columns[i].name for i in range(len(columns)) if i not in shown]:
        out.print(Text(f"(not shown at this width: {', '.join(hidden)}; --format json has "
                       "every field)", style="dim"))


def _longest(column: Column, rows: Sequence[Sequence[str]], index: int) -> int:
    return max([len(column.name), *(len(row[index]) for row in rows)])


def _needed(columns: Sequence[Column], rows: Sequence[Sequence[str]], shown: list[int]) -> int:
    """Characters the shown columns need at least: ids whole, the rest a few letters."""
    borders = 3 * len(shown) + 1  # one space of padding each side and a rule per column
    return borders + sum(
        _longest(columns[i], rows, i) if columns[i].key
        else min(_NARROWEST, _longest(columns[i], rows, i)) for i in shown)


def show_listing(format: str, rows: Sequence[Any], empty: str, columns: Sequence[Column],
                 cells: Callable[[Any], list[str]], as_json: Callable[[Any], Any]) -> None:
    """A listing command's output: JSON for scripts, else a table (or ``empty``)."""
    if format == "json":
        print_json([as_json(row) for row in rows])
    elif not rows:
        typer.echo(empty)
    else:
        print_table(columns, [cells(row) for row in rows])


def print_json(records: Any) -> None:
    """Plain JSON on stdout for scripts: no colour, no wrapping, one document."""
    typer.echo(json.dumps(records, ensure_ascii=False, indent=2))


def normalise_timestamp(value: str | None, option: str) -> str | None:
    """Accept a date or an ISO timestamp; return the stored UTC format for comparisons."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option}: expected an ISO date or timestamp, got {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def demo_plans() -> list[str]:
    """The bundled Terraform plan the demo gives the platform agent."""
    try:
        from advisor.demo import demo_plan_path
    except ImportError:
        return []
    path = demo_plan_path()
    return [str(path)] if path.exists() else []


def progress_printer(quiet: bool) -> Progress | None:
    """Node-by-node progress: lively on a terminal, plain lines in CI, nothing with --quiet."""
    if quiet:
        return None
    from rich.console import Console

    err = Console(stderr=True, highlight=False)
    plain = bool(os.environ.get("CI")) or not err.is_terminal

    def show(node: str, change: dict[str, Any]) -> None:
        if node == "__interrupt__":
            text = "paused for sign-off"
        elif not change:
            text = "skipped"
        elif change.get("status") == "halted":
            text = f"halted: {change.get('halt_reason', '')}"
        else:
            text = "done"
        if plain:
            err.print(f"[{node}] {text}", markup=False)
        else:
            err.print(f"[bold cyan]{node:>10}[/] {text}")

    return show
