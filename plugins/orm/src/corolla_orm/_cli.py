"""``corolla db``: Alembic migrations and ``create-all`` for the app's database.

Imported only when the command line asks for commands (click and Alembic
are not loaded otherwise).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from . import _migrations

if TYPE_CHECKING:
    import corolla

    from ._database import Database

    class _App(corolla.App):
        """The app as these commands see it: with the orm plugin's ``app.db`` (never instantiated)."""

        db: Database


def _alembic(the_app: _App, name: str, *args: Any, report: bool = False, **kwargs: Any) -> Any:
    """Run ``alembic.command.<name>``; ``report``: then say which revisions the database is at."""
    from alembic import command
    from alembic.util import CommandError

    try:
        config = _migrations.alembic_config(the_app, the_app.db, stdout=sys.stdout, writing=name == "revision")
        if name == "revision":
            kwargs.update(_migrations.revision_options(the_app, config))
    except _migrations.MigrationsMissing as exc:
        raise click.ClickException(str(exc)) from None
    except CommandError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        # Alembic logs what it runs, but its logging is not configured here: compare before and after.
        before = _migrations.current_revisions(the_app.db) if report else None
        result = getattr(command, name)(config, *args, **kwargs)
        if before is not None:
            after = _migrations.current_revisions(the_app.db)
            click.echo(_migrations.summary(config, name, before, after))
        return result
    except CommandError as exc:
        raise click.ClickException(str(exc)) from None


def db_group(app: corolla.AppRef) -> click.Group:
    """The ``db`` click group; ``app`` is loaded only when a subcommand runs (``OrmPlugin.commands``)."""

    def need_app() -> _App:
        return cast("_App", app.get())

    def alembic(name: str, *args: Any, report: bool = False, **kwargs: Any) -> Any:
        return _alembic(need_app(), name, *args, report=report, **kwargs)

    @click.group("db", help="Database migrations (Alembic) for the app's models.")
    def db() -> None:
        pass

    @db.command("init")
    def init() -> None:
        """Create the migrations folder (env.py, script template, versions/)."""
        try:
            where = _migrations.init(need_app())
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Created {where}; next: corolla db revision --autogenerate -m 'first'")

    @db.command("revision")
    @click.option("-m", "--message", required=True, help="What the migration does.")
    @click.option("--autogenerate", is_flag=True, help="Compare the models with the database and write the changes.")
    @click.option("--rev-id", default=None, help="Use this revision id instead of a generated one.")
    def revision(message: str, autogenerate: bool, rev_id: str | None) -> None:
        """Write a new migration script."""
        scripts = alembic("revision", message=message, autogenerate=autogenerate, rev_id=rev_id)
        for script in scripts if isinstance(scripts, list) else [scripts]:
            if script is not None:
                click.echo(f"Wrote {script.path}")

    @db.command("upgrade")
    @click.argument("revision", default="heads")
    @click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
    def upgrade(revision: str, sql: bool) -> None:
        """Apply migrations up to REVISION (default: every head, the app's and its plugins')."""
        alembic("upgrade", revision, sql=sql, report=not sql)

    @db.command("downgrade")
    @click.argument("revision")
    @click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
    def downgrade(revision: str, sql: bool) -> None:
        """Undo migrations down to REVISION (e.g. -1, base, or an id)."""
        alembic("downgrade", revision, sql=sql, report=not sql)

    @db.command("stamp")
    @click.argument("revision", default="heads")
    def stamp(revision: str) -> None:
        """Mark the database as at REVISION without running migrations (after create-all)."""
        alembic("stamp", revision, report=True)

    @db.command("create-all")
    def create_all() -> None:
        """Create every model's missing table directly, without migrations (quick starts, tests)."""
        the_app = need_app()
        the_app.db.create_all()
        click.echo(f"Created the missing tables in {the_app.db.safe_url()}")

    _add_reading_commands(db, need_app, alembic)
    return db


def _add_reading_commands(db: click.Group, need_app: Callable[[], _App], alembic: Callable[..., Any]) -> None:
    """``current``, ``history`` (both with ``--json``) and ``run-script``: kept apart for the complexity gate."""

    @db.command("current")
    @click.option("-v", "--verbose", is_flag=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON: {database, current, heads}.")
    def current(verbose: bool, as_json: bool) -> None:
        """Show the revision the database is at."""
        if as_json:
            click.echo(json.dumps(_current_data(need_app()), indent=2))
        else:
            alembic("current", verbose=verbose)

    @db.command("history")
    @click.option("-v", "--verbose", is_flag=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON: [{revision, down_revision, branches, ...}].")
    def history(verbose: bool, as_json: bool) -> None:
        """List the migration scripts, newest first."""
        if as_json:
            click.echo(json.dumps(_history_data(need_app()), indent=2))
        else:
            alembic("history", verbose=verbose)

    @db.command("run-script")
    @click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--bind", default=None, help="The bind key of the database to run it in (default: the main one).")
    def run_script(script: Path, bind: str | None) -> None:
        """Run the SQL statements in SCRIPT (a .sql file) in the app's database."""
        _run_script(need_app(), script, bind)


def _run_script(the_app: _App, script: Path, bind: str | None) -> None:
    try:
        the_app.db.run_script(script.read_text(encoding="utf-8"), bind=bind)
    except Exception as exc:
        raise click.ClickException(f"{script} failed in {the_app.db.safe_url(bind)}: {exc}") from None
    click.echo(f"Ran {script} in {the_app.db.safe_url(bind)}")


def _scripts(the_app: _App) -> Any:
    """Alembic's ScriptDirectory for the app (a ClickException when there is no migrations folder)."""
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(_migrations.alembic_config(the_app, the_app.db))
    except _migrations.MigrationsMissing as exc:
        raise click.ClickException(str(exc)) from None


def _current_data(the_app: _App) -> dict[str, Any]:
    """``db current --json``: the database, the revisions it is at, the scripts' heads."""
    return {
        "database": the_app.db.safe_url(),
        "current": sorted(_migrations.current_revisions(the_app.db)),
        "heads": sorted(_scripts(the_app).get_heads()),
    }


def _history_data(the_app: _App) -> list[dict[str, Any]]:
    """``db history --json``: every migration script, newest first."""
    return [
        {
            "revision": rev.revision,
            "down_revision": _as_list(rev.down_revision),
            "branches": sorted(rev.branch_labels),
            "message": rev.doc,
            "is_head": rev.is_head,
            "path": rev.path,
        }
        for rev in _scripts(the_app).walk_revisions()
    ]


def _as_list(revisions: str | Sequence[str] | None) -> list[str]:
    """Alembic gives one revision, a tuple of them (a merge), or None (the base)."""
    if revisions is None:
        return []
    return [revisions] if isinstance(revisions, str) else sorted(revisions)
