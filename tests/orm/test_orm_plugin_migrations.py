"""Migrations shipped by plugins (``corolla_migration_folders``): upgraded with the app's, checked, built on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_orm_cli import deploy_check, invoke, tables

from corolla import App

REVISION = '''
"""shipper: its table."""
import sqlalchemy as sa
from alembic import op

revision = "5b1e00000001"
down_revision = None
branch_labels = ("shipper",)
depends_on = None


def upgrade():
    op.create_table("shipper_thing", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("shipper_thing")
'''

SHIPPER = """
@hookimpl
def corolla_migration_folders(self, app):
    return [self.config["folder"]]
"""


@pytest.fixture
def shipped(tmp_path: Path, corolla_plugins: Any) -> Path:
    folder = tmp_path / "shipper_migrations"
    folder.mkdir()
    (folder / "5b1e00000001_shipper_thing.py").write_text(REVISION)
    corolla_plugins.add("shipper", requires=["orm"], settings={"folder": "Setting(str, '')"}, body=SHIPPER)
    return folder


@pytest.fixture
def app_with(make_app: Callable[..., App], tmp_path: Path) -> Callable[..., App]:
    def build(folder: Path | str) -> App:
        config = {"orm": {"url": f"sqlite:///{tmp_path / 'shipped.db'}"}, "shipper": {"folder": str(folder)}}
        return make_app(["orm", "views", "shipper"], config, isolated=False)

    return build


def test_an_app_without_migrations_of_its_own_gets_the_plugins_tables(
    shipped: Path, app_with: Callable[..., App]
) -> None:
    app = app_with(shipped)
    db = app
    check = deploy_check(app, "orm.migrations")
    assert not check.ok and "5b1e00000001 not applied" in check.message
    assert invoke(db, "upgrade") == "Upgraded to 5b1e00000001 (shipper) (head)\n"
    assert "shipper_thing" in tables(app)
    assert "5b1e00000001 (head)" in invoke(db, "current")
    assert deploy_check(app, "orm.migrations").ok
    # Writing a revision needs the app's own folder.
    assert "corolla db init" in invoke(db, "revision", "-m", "x", ok=False)
    assert invoke(db, "downgrade", "shipper@base") == "Downgraded to base\n"
    assert "shipper_thing" not in tables(app)


def test_the_apps_revisions_build_on_its_own_head_and_depend_on_the_plugins(
    shipped: Path, app_with: Callable[..., App]
) -> None:
    app = app_with(shipped)
    db = app
    invoke(db, "init")
    versions = app.root / "migrations" / "versions"
    invoke(db, "revision", "-m", "first", "--rev-id", "app000000001")
    (first,) = versions.glob("app000000001_*.py")
    text = first.read_text()
    assert "down_revision: str | Sequence[str] | None = None" in text
    assert "depends_on: str | Sequence[str] | None = '5b1e00000001'" in text
    assert not list(shipped.glob("app*"))  # written to the app's folder, never the plugin's

    invoke(db, "revision", "-m", "second", "--rev-id", "app000000002")
    (second,) = versions.glob("app000000002_*.py")
    assert "down_revision: str | Sequence[str] | None = 'app000000001'" in second.read_text()
    assert "depends_on: str | Sequence[str] | None = None" in second.read_text()

    # The app's head depends on the plugin's, which the database does not record: an "effective head".
    out = invoke(db, "upgrade")
    assert out == "Upgraded to 5b1e00000001 (shipper) (effective head), app000000002 (head)\n"
    assert "shipper_thing" in tables(app)
    check = deploy_check(app, "orm.migrations")
    assert check.ok, check.message
    history = invoke(db, "history")
    assert "<base> (5b1e00000001) -> app000000001, first" in history

    # Downgrading the app's branch alone keeps the plugin's tables.
    invoke(db, "downgrade", "app000000001")
    assert not deploy_check(app, "orm.migrations").ok
    invoke(db, "upgrade")
    assert deploy_check(app, "orm.migrations").ok


def test_a_missing_plugin_folder_is_named(shipped: Path, app_with: Callable[..., App], tmp_path: Path) -> None:
    app = app_with(tmp_path / "not-there")
    message = invoke(app, "upgrade", ok=False)
    assert "plugin 'shipper'" in message and "not a folder" in message
    check = deploy_check(app, "orm.migrations")
    assert not check.ok and "plugin 'shipper'" in check.message


def test_upgrade_sql_covers_every_head(shipped: Path, app_with: Callable[..., App]) -> None:
    app = app_with(shipped)
    out = invoke(app, "upgrade", "--sql")
    assert "CREATE TABLE shipper_thing" in out
    assert "Upgraded" not in out  # the SQL only: nothing ran, nothing connected
