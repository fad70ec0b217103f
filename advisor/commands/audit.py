"""``advisor audit``: read, verify and export the tamper-evident audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.commands.common import (
    Column,
    console,
    controls,
    normalise_timestamp,
    show_listing,
)
from advisor.commands.inputs import (
    LIST_FORMATS,
    STDOUT,
    LimitOption,
    ListFormatOption,
    one_of,
    writable_dir,
)
from advisor.errors import GateTripped, UsageError

if TYPE_CHECKING:
    from governance.audit import AuditEntry

app = typer.Typer(
    help="Read, verify and export the tamper-evident audit log.", no_args_is_help=True
)
MAX_SEQ = 2**63 - 1  # governance.audit.MAX_SEQ: the column's range
ActionOption = Annotated[str | None, typer.Option(metavar="ACTION", help="Only this action.")]
ActorOption = Annotated[str | None, typer.Option(metavar="ACTOR", help="Only this actor.")]


@app.command("list")
def list_entries(
    limit: LimitOption = 20,
    action: ActionOption = None,
    actor: ActorOption = None,
    format: ListFormatOption = "table",
) -> None:
    """List the newest entries, oldest of them first."""
    from governance.audit import AuditFilter

    one_of(format, LIST_FORMATS, "--format")
    entries = list(
        controls().audit.entries(
            AuditFilter(action=action, actor=actor), newest_first=True, limit=limit
        )
    )[::-1]
    show_listing(
        format, entries, "The audit log is empty.",
        [Column("seq", key=True), Column("time (UTC)", drop=2), Column("actor", drop=1),
         Column("action", key=True), Column("subject", key=True)],
        lambda e: [str(e.seq), e.ts, e.actor, e.action, e.subject],
        lambda e: e.to_export())


@app.command()
def show(seq: Annotated[int, typer.Argument(
        metavar="SEQ", min=1, max=MAX_SEQ, help="Sequence number.")]) -> None:
    """Show one entry in full, as JSON."""
    entry = controls().audit.get(seq)
    console.print_json(json.dumps(entry.to_export()))


@app.command()
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head", metavar="HEAD",
            help="A head recorded earlier (SEQ:HASH or HASH, as `advisor audit head` prints "
                 "it); catches removal of the newest entries.",
        ),
    ] = None,
) -> None:
    """Walk the hash chain, then check every kill-switch and report row against it.

    Exit 1 naming the first broken seq, or each row that disagrees with the chain.
    """
    from governance.audit import parse_head
    from governance.errors import GovernanceError
    from governance.integrity import verify_store

    if expect_head is not None:
        try:
            parse_head(expect_head)
        except GovernanceError as exc:
            raise UsageError(f"--expect-head: {exc}") from None
    result = verify_store(controls().audit, expect_head)
    chain = result.chain
    if result.ok:
        head = f", head {chain.head}" if chain.head else ""
        typer.echo(f"OK: {chain.entries} entries, chain intact{head}, "
                   "kill switches and reports agree with it")
        return
    problems = ([f"first broken seq {chain.first_broken_seq}: {chain.problem}"]
                if not chain.ok else []) + [str(p) for p in result.state]
    raise GateTripped("TAMPERED: " + "; ".join(problems))


@app.command()
def head() -> None:
    """Print the current SEQ:HASH, to be copied somewhere outside the database."""
    current = controls().audit.head()
    typer.echo(str(current) if current else "0:" + "0" * 64)


@app.command()
def export(
    format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="jsonl (one JSON object per line).")] = "jsonl",
    since: Annotated[str | None, typer.Option(
        metavar="WHEN", help="From this date/time (UTC, inclusive).")] = None,
    until: Annotated[str | None, typer.Option(
        metavar="WHEN", help="Before this date/time (UTC).")] = None,
    action: ActionOption = None,
    actor: ActorOption = None,
    output: Annotated[Path, typer.Option(
        "-o", "--output", metavar="DIR",
        help="Directory for the file, named audit-FIRST-LAST.jsonl by the entries' "
             "sequence numbers; '-' (the default) streams to stdout.")] = Path(STDOUT),
) -> None:
    """Export entries as JSON lines for a SIEM."""
    from governance.audit import AuditFilter

    one_of(format, ("jsonl",), "--format")
    filters = AuditFilter(
        since=normalise_timestamp(since, "--since"),
        until=normalise_timestamp(until, "--until"),
        action=action,
        actor=actor,
    )
    directory = None if str(output) == STDOUT else writable_dir(output, "--output", ["jsonl"])
    entries = controls().audit.entries(filters)
    if directory is None:
        for entry in entries:
            typer.echo(_line(entry))
        return
    _export_file(directory, entries)


def _line(entry: AuditEntry) -> str:
    return json.dumps(entry.to_export(), ensure_ascii=False, sort_keys=True)


def _export_file(directory: Path, entries: Iterator[AuditEntry]) -> None:
    """Stream into a temp file, then name it by the first and last seq it holds."""
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".audit-", suffix=".tmp")
    first = last = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            for entry in entries:
                first, last = first or entry.seq, entry.seq
                sink.write(_line(entry) + "\n")
        os.chmod(temporary, 0o600)  # the audit trail names people: not for every reader
        path = directory / f"audit-{first}-{last}.jsonl"
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"--output: cannot write in {directory}: "
                             f"{exc.strerror or exc}") from None
        raise
    typer.echo(f"wrote {path}")
