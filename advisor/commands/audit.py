"""``advisor audit``: read, verify and export the tamper-evident audit log."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from advisor.commands.common import console, controls, normalise_timestamp
from governance.audit import AuditFilter

app = typer.Typer(
    help="Read, verify and export the tamper-evident audit log.", no_args_is_help=True
)


@app.command("list")
def list_entries(
    limit: Annotated[int, typer.Option(help="How many of the newest entries.")] = 20,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
) -> None:
    """List the newest entries."""
    entries = list(
        controls().audit.entries(
            AuditFilter(action=action, actor=actor), newest_first=True, limit=limit
        )
    )
    if not entries:
        console.print("The audit log is empty.")
        return
    table = Table("seq", "time (UTC)", "actor", "action", "subject")
    for entry in reversed(entries):
        table.add_row(str(entry.seq), entry.ts, entry.actor, entry.action, entry.subject)
    console.print(table)


@app.command()
def show(seq: Annotated[int, typer.Argument(help="Sequence number.")]) -> None:
    """Show one entry in full."""
    entry = controls().audit.get(seq)
    console.print_json(json.dumps(entry.to_export()))


@app.command()
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="A head recorded earlier (HASH or SEQ:HASH from `advisor audit head`); "
            "catches removal of the newest entries.",
        ),
    ] = None,
) -> None:
    """Walk the hash chain, then check every kill-switch and report row against it.

    Exit 1 naming the first broken seq, or each row that disagrees with the chain.
    """
    from governance.integrity import verify_store

    result = verify_store(controls().audit, expect_head)
    chain = result.chain
    if result.ok:
        head = f", head {chain.head}" if chain.head else ""
        console.print(f"OK: {chain.entries} entries, chain intact{head}, "
                      "kill switches and reports agree with it")
        return
    if not chain.ok:
        typer.echo(f"TAMPERED: first broken seq {chain.first_broken_seq}: {chain.problem}",
                   err=True)
    for problem in result.state:
        typer.echo(f"TAMPERED: {problem}", err=True)
    raise typer.Exit(1)


@app.command()
def head() -> None:
    """Print the current SEQ:HASH, to be copied somewhere outside the database."""
    current = controls().audit.head()
    typer.echo(str(current) if current else "0:" + "0" * 64)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="Only jsonl for now.")] = "jsonl",
    since: Annotated[str | None, typer.Option(help="From this date/time (UTC, inclusive).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date/time (UTC).")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Stream entries as JSON lines for a SIEM."""
    if format != "jsonl":
        raise typer.BadParameter("only 'jsonl' is supported", param_hint="--format")
    filters = AuditFilter(
        since=normalise_timestamp(since, "--since"),
        until=normalise_timestamp(until, "--until"),
        action=action,
        actor=actor,
    )
    entries = controls().audit.entries(filters)
    sink = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for entry in entries:
            sink.write(json.dumps(entry.to_export(), ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        if output:
            sink.close()
