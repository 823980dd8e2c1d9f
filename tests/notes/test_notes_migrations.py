"""The demo's Alembic migration: it runs after the auth plugin's, matches the model, and runs twice."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from notes_support import create_app

from corolla import App
from corolla.testing import run_cli

#: What `corolla db upgrade` reports at the end: the notes branch's head, and auth's that it depends on.
AT_HEAD = "3f9c2d1a7b40 (notes) (head), c0a17e5a0001 (auth) (effective head)"


def cli(app: App, *args: str) -> str:
    result = run_cli(*args, app=app)
    assert result.exit_code == 0, result.output
    return str(result.output)


def deploy_check(app: App, check_id: str) -> bool:
    checks = [c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group]
    (check,) = [c for c in checks if c.id == check_id]
    return bool(check.ok)


def test_upgrade_creates_the_tables_and_twice_is_a_no_op(tmp_path: Path) -> None:
    app = create_app(tmp_path / "instance")
    try:
        assert not deploy_check(app, "orm.migrations")
        out = cli(app, "db", "upgrade")
        assert out == f"Upgraded to {AT_HEAD}\n"
        tables = set(sa.inspect(app.db.engine).get_table_names())
        assert {"auth_user", "notes"} <= tables
        current = cli(app, "db", "current")
        assert "3f9c2d1a7b40 (head)" in current and "c0a17e5a0001" in current
        assert deploy_check(app, "orm.migrations")
        assert cli(app, "db", "upgrade") == f"Already at head: {AT_HEAD}\n"  # the second `make demo`
        assert deploy_check(app, "orm.migrations")
    finally:
        app.close()


def test_the_model_matches_the_migration(app: App) -> None:
    # Autogenerate's comparison, limited to the demo's table (Model.metadata is shared by every app
    # in the process; other tests add theirs).
    def only_notes(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", None) == "notes"

    with app.db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": only_notes, "target_metadata": app.db.metadata}
        )
        assert compare_metadata(context, app.db.metadata) == []


def test_the_notes_branch_downgrades_and_upgrades_again(app: App) -> None:
    assert cli(app, "db", "downgrade", "notes@base") == "Downgraded to c0a17e5a0001 (auth) (effective head)\n"
    tables = set(sa.inspect(app.db.engine).get_table_names())
    assert "notes" not in tables and "auth_user" in tables
    assert cli(app, "db", "upgrade") == f"Upgraded to {AT_HEAD}\n"
    assert "notes" in set(sa.inspect(app.db.engine).get_table_names())
