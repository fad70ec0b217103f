"""``advisor db``: create or upgrade the governance store on purpose; the PostgreSQL roles."""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.commands.common import console
from advisor.errors import UsageError
from governance.errors import NotAuthorized

app = typer.Typer(help="The governance store: create or upgrade it, and its roles.",
                  no_args_is_help=True)


@app.command("init")
def init(
    recreate: Annotated[bool, typer.Option(
        "--recreate", help="Start an empty store where one was initialised before and has "
        "been lost (admins only; the old record is gone, the new chain says so).")] = False,
) -> None:
    """Create the store's schema (and the checkpoint tables), or upgrade an older one.

    Run it once per store (as the owner role on PostgreSQL, docs/security.md). Afterwards a
    missing, empty or table-less store is refused (exit 3) instead of started afresh.
    """
    from advisor.settings import load_settings
    from governance.audit import AuditLog
    from governance.db import SCHEMA_VERSION, Store
    from governance.identity import current_identity
    from governance.roles import load_roles
    from graphs.checkpoint import open_checkpointer

    settings = load_settings()
    actor = current_identity()
    roles = load_roles(settings.resolved_roles_file)  # a bad roles file: refused before anything
    if recreate and not roles.has_role(actor, "admin"):
        raise NotAuthorized(f"{actor} does not hold the 'admin' role needed to re-create a "
                            "lost governance store")
    store, created = Store.initialise(settings.resolved_database_url, recreate=recreate)
    with open_checkpointer(settings.resolved_database_url, settings.home):
        pass  # creates (or migrates) the checkpoint tables as this role
    if created:
        AuditLog(store).append(actor, "store.initialised", "governance-store",
                               {"schema_version": SCHEMA_VERSION, "recreated": recreate})
    what = "re-created" if created and recreate else "initialised" if created else "ready"
    console.print(f"governance store {store.display_url}: {what} (schema {SCHEMA_VERSION})",
                  markup=False)
    store.engine.dispose()


@app.command("roles-sql")
def roles_sql(
    owner: Annotated[str, typer.Option(metavar="ROLE", help="The role that owns the tables.")
                     ] = "advisor_owner",
    runtime: Annotated[str, typer.Option(metavar="ROLE", help="The role the workers connect as.")
                       ] = "advisor_runtime",
    schema: Annotated[str, typer.Option(metavar="SCHEMA", help="The schema holding the tables.")
                      ] = "advisor",
) -> None:
    """Print the SQL for a PostgreSQL owner role and a runtime role (docs/security.md)."""
    from governance.pg_roles import roles_sql as sql

    try:
        typer.echo(sql(owner, runtime, schema), nl=False)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
