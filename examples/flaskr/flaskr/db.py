"""The database: SQL through the orm plugin's sessions, and the `corolla init-db` command."""

from __future__ import annotations

import click

from corolla import App

SCHEMA = "schema.sql"


def init_db(app: App) -> None:
    """Clear the existing data and create new tables."""
    from . import HERE

    app.db.run_script((HERE / SCHEMA).read_text())  # type: ignore[attr-defined]


@click.command("init-db")
def init_db_command(app: App) -> None:
    """Clear the existing data and create new tables."""
    init_db(app)
    click.echo("Initialized the database.")


def init_app(app: App) -> None:
    app.cli.add_command(init_db_command)
