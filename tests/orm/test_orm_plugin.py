"""The plugin's declaration, config, imports, binds and deploy checks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from orm_models import Counter
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.test import Client

import corolla_orm
from corolla import App, ConfigError
from corolla_orm import Model

LIGHT = """
import json, sys
from werkzeug.test import Client
from corolla import App

import corolla_orm  # what the plugin manager imports to read the declaration
light = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic", "click", "mako"})
app = App({"orm": {"url": "sqlite://"}}, ["orm"], root=sys.argv[1])
Client(app).get("/")  # a request that never touches request.db
served = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic", "click", "mako"})
print(json.dumps([light, served]))
"""


class Note(Model):
    __tablename__ = "orm_test_notes"
    __bind_key__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


def test_importing_and_serving_without_the_database_loads_no_sqlalchemy(tmp_path: Any) -> None:
    out = subprocess.run(
        [sys.executable, "-c", LIGHT, str(tmp_path)], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == [[], []]


def test_public_api() -> None:
    assert corolla_orm.__all__ == sorted(corolla_orm.__all__, key=lambda n: (not n[:1].isupper(), n))
    for name in corolla_orm.__all__:
        assert getattr(corolla_orm, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'Modle'"):
        corolla_orm.Modle  # noqa: B018


def test_declaration() -> None:
    plugin = corolla_orm.OrmPlugin
    assert plugin.app_attributes == ["db"] and plugin.request_attributes == ["db"]
    assert set(plugin.settings) == {
        "url",
        "echo",
        "pool_size",
        "pool_pre_ping",
        "connect_timeout",
        "statement_timeout",
        "response_timeout",
        "engine_options",
        "atomic_requests",
        "binds",
        "migrations",
    }


def test_engine_options_from_config(orm_app: Callable[..., App], tmp_path: Any) -> None:
    app = orm_app({"url": "sqlite:///rel/app.db", "echo": True, "pool_size": 3, "pool_pre_ping": False})
    engine = app.db.engine
    assert engine.url.database == str(app.instance_path / "rel" / "app.db")  # relative to the instance folder
    assert engine.echo is True
    assert engine.pool.size() == 3
    assert engine.pool._pre_ping is False
    assert app.db.engine is engine  # made once


def test_unknown_key_is_refused(orm_app: Callable[..., App]) -> None:
    with pytest.raises(ConfigError, match="atomic_requests"):
        orm_app({"atomic_request": True})


def test_bad_bind_is_refused(orm_app: Callable[..., App]) -> None:
    with pytest.raises(ConfigError, match=r"binds 'notes' must each be a database URL"):
        orm_app({"binds": {"notes": 5}})


def test_named_binds(orm_app: Callable[..., App], tmp_path: Any) -> None:
    app = orm_app({"url": f"sqlite:///{tmp_path / 'main.db'}", "binds": {"notes": f"sqlite:///{tmp_path / 'n.db'}"}})
    assert set(app.db.engines) == {None, "notes"}
    app.db.create_all()
    assert "orm_test_notes" in sa.inspect(app.db.get_engine("notes")).get_table_names()
    assert "orm_test_notes" not in sa.inspect(app.db.engine).get_table_names()
    # A model without a bind (the shared Counter, imported above) goes to the default database.
    assert Counter.__tablename__ in sa.inspect(app.db.engine).get_table_names()

    def view(request: Any) -> str:
        request.db.add(Note(text="hello"))
        request.db.commit()
        return request.db.scalars(sa.select(Note.text)).one()

    app.views["/note"] = view
    assert Client(app).get("/note").text == "hello"
    with app.db.get_engine("notes").connect() as conn:
        assert conn.execute(sa.text("SELECT text FROM orm_test_notes")).scalar_one() == "hello"
    with pytest.raises(KeyError, match="no database bind named 'nope'"):
        app.db.get_engine("nope")
    app.db.drop_all()
    assert sa.inspect(app.db.get_engine("notes")).get_table_names() == []


def test_shutdown_disposes_the_engines(orm_app: Callable[..., App]) -> None:
    app = orm_app({"url": "sqlite://"})
    with app.db.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    app.close()
    assert app.db._engines == {}


def deploy(app: App) -> dict[str, Any]:
    return {c.id: c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group}


def test_deploy_checks_for_development_settings(orm_app: Callable[..., App]) -> None:
    checks = deploy(orm_app({"echo": True}))
    assert not checks["orm.sqlite"].ok and "SQLite" in checks["orm.sqlite"].message
    assert not checks["orm.echo"].ok
    assert checks["orm.migrations"].ok  # no migrations folder: nothing to check
    assert "orm.pool_pre_ping" not in checks
    assert "orm.response_timeout" not in checks  # PostgreSQL only


def test_deploy_checks_for_a_server_database(orm_app: Callable[..., App], pg_url: str) -> None:
    good = deploy(orm_app({"url": pg_url}))
    assert good["orm.sqlite"].ok and good["orm.echo"].ok and good["orm.pool_pre_ping"].ok
    assert good["orm.response_timeout"].ok and good["orm.response_timeout"].message == "response_timeout is 1 s"
    bad = deploy(
        orm_app({"url": pg_url, "pool_pre_ping": False, "response_timeout": 0, "binds": {"notes": "sqlite://"}})
    )
    assert not bad["orm.pool_pre_ping"].ok and "pool_pre_ping = true" in bad["orm.pool_pre_ping"].fix
    assert not bad["orm.sqlite.notes"].ok
    off = bad["orm.response_timeout"]
    assert not off.ok and off.severity == "warning" and "stops answering" in off.message
    assert "response_timeout = 1" in off.fix


def test_a_negative_response_timeout_is_refused_at_start(orm_app: Callable[..., App]) -> None:
    from corolla import ConfigError

    with pytest.raises(ConfigError, match="response_timeout must be 0 .off. or a number of seconds, not -1.0"):
        orm_app({"response_timeout": -1})


def test_deploy_check_when_the_database_is_unreachable(orm_app: Callable[..., App]) -> None:
    import servers

    app = orm_app({"url": f"postgresql+psycopg://u:pw-xyz@127.0.0.1:{servers.refused_port()}/x"})
    from corolla_orm import _migrations

    _migrations.init(app)
    check = deploy(app)["orm.migrations"]
    assert not check.ok and "could not read the migration state" in check.message
    assert "pw-xyz" not in check.message
