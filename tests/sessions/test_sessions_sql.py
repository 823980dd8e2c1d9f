"""The sql backend, through the orm plugin's app.db: SQLite and a real PostgreSQL."""

from __future__ import annotations

import logging
import time

import pytest
import servers
import sqlalchemy as sa
from sessions_support import clock_of, cookie_of, cookie_value, counter, logout, peek, stored
from werkzeug.test import Client


def login(request):
    request.session.regenerate()
    return "ok"


def plain(request):
    return "plain"


VIEWS = {"/count": counter, "/peek": peek, "/login": login, "/logout": logout, "/plain": plain}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sessions.db'}"
    return request.getfixturevalue("postgres_server").url


@pytest.fixture
def make_sql_app(sessions_app):
    apps = []

    def build_with_url(url, sessions=None, create=True):
        app = sessions_app(
            views=VIEWS, sessions={"backend": "sql", **(sessions or {})}, plugins=["orm"], orm={"url": url}
        )
        if create:
            app.plugins["sessions"].backend.table.create(app.db.engine, checkfirst=True)
        apps.append(app)
        return app

    yield build_with_url
    for app in apps:
        try:
            app.plugins["sessions"].backend.table.drop(app.db.engine, checkfirst=True)
        except sa.exc.OperationalError:
            pass  # the unreachable database of the 503 test
    from corolla_orm import Model

    # Model.metadata is shared by every app in the process: leave it as other tests expect it.
    table = Model.metadata.tables.get("corolla_sessions")
    if table is not None:
        Model.metadata.remove(table)


def rows(app):
    table = app.plugins["sessions"].backend.table
    with app.db.engine.connect() as conn:
        return {row.id: (row.data, row.expires_at) for row in conn.execute(sa.select(table))}


def test_sessions_live_in_the_table(make_sql_app, database_url):
    app = make_sql_app(database_url, {"max_age": 600})
    client = Client(app)
    assert client.get("/count").text == "n=1"
    sid = cookie_value(client.get("/count"))
    assert len(sid) == 43
    [(data, expires)] = rows(app).values()
    assert data == '{"n":2}' and 590 <= expires - time.time() <= 600
    assert client.get("/peek").text == "n=2"
    before = rows(app)
    client.get("/plain")
    assert rows(app) == before


def test_regenerate_and_clear(make_sql_app, database_url):
    app = make_sql_app(database_url)
    client = Client(app)
    old = cookie_value(client.get("/count"))
    new = cookie_value(client.get("/login"))
    assert new != old and set(rows(app)) == {stored(new)}
    assert client.get("/peek").text == "n=1"
    assert "Max-Age=0" in cookie_of(client.get("/logout"))
    assert rows(app) == {}


def test_expired_rows_are_refused_and_cleaned_up(make_sql_app, tmp_path, caplog):
    app = make_sql_app(f"sqlite:///{tmp_path / 's.db'}", {"max_age": 60})
    clock = clock_of(app)
    client = Client(app)
    client.get("/count")
    clock.advance(59)
    assert client.get("/peek").text == "n=1"
    clock.advance(1)
    with caplog.at_level(logging.DEBUG, logger="corolla.sessions"):
        assert client.get("/peek").text == "n=None"
    assert "expired" in caplog.text
    app.plugins["sessions"].backend._next_cleanup = 0  # the next save may clean up
    Client(app).get("/count")
    assert len(rows(app)) == 1


def test_garbage_ids_give_fresh_sessions(make_sql_app, tmp_path):
    app = make_sql_app(f"sqlite:///{tmp_path / 's.db'}")
    client = Client(app, use_cookies=False)
    for value in ["x", "A" * 43, "'; DROP TABLE corolla_sessions; --"]:
        assert client.get("/peek", headers={"Cookie": f"session={value}"}).text == "n=None"


def test_missing_table_is_a_500_with_the_fix(make_sql_app, tmp_path, caplog):
    app = make_sql_app(f"sqlite:///{tmp_path / 's.db'}", create=False)
    with caplog.at_level(logging.ERROR):
        response = Client(app).get("/count")
    assert response.status_code == 500
    assert "corolla db create-all" in caplog.text and "plugin 'sessions'" in caplog.text


def test_unreachable_database_is_a_503_and_other_routes_serve(make_sql_app, caplog):
    url = f"postgresql+psycopg://corolla:secret-pw@127.0.0.1:{servers.refused_port()}/corolla"
    app = make_sql_app(url, create=False)
    client = Client(app, use_cookies=False)
    with caplog.at_level(logging.ERROR):
        fresh = client.get("/count")
        known = client.get("/peek", headers={"Cookie": "session=" + "A" * 43})
    assert fresh.status_code == known.status_code == 503
    assert client.get("/plain").text == "plain"
    errors = [r.getMessage() for r in caplog.records if r.name == "corolla.sessions"]
    assert len(errors) == 2 and all("sql session backend is unavailable" in e for e in errors)
    assert "secret-pw" not in caplog.text


def test_table_is_in_the_models_metadata(make_sql_app, tmp_path):
    from corolla_orm import Model

    app = make_sql_app(f"sqlite:///{tmp_path / 's.db'}", create=False)
    assert app.db.metadata is Model.metadata and "corolla_sessions" in Model.metadata.tables
