"""Faults: an unreachable database is a 503 (logged without the password), a restart is survived."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import servers
import sqlalchemy as sa
from orm_models import Counter
from werkzeug.test import Client

from corolla import App


def writer(request: Any) -> str:
    request.db.add(Counter(name=request.args["name"]))
    request.db.commit()
    return "written"


def test_unreachable_server_is_a_503_logged_without_password(
    orm_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    port = servers.refused_port()  # nothing listens there
    app = orm_app({"url": f"postgresql+psycopg://someone:s3cret-pw@127.0.0.1:{port}/nowhere"})
    app.views["/write"] = writer
    with caplog.at_level(logging.ERROR, logger="corolla_orm"):
        response = Client(app).get("/write?name=x&token=abc")
    assert response.status_code == 503
    assert "database is unavailable" in response.text
    (record,) = [r for r in caplog.records if r.name == "corolla_orm"]
    line = record.getMessage()
    assert f"postgresql+psycopg://someone:***@127.0.0.1:{port}/nowhere" in line
    assert "'GET /write'" in line and "token" not in line
    assert "s3cret-pw" not in caplog.text


def test_unopenable_sqlite_file_is_a_503(orm_app: Callable[..., App], tmp_path: Any) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = orm_app({"url": f"sqlite:///{blocker / 'app.db'}"})
    app.views["/write"] = writer
    assert Client(app).get("/write?name=x").status_code == 503


def test_missing_table_on_sqlite_is_a_500_not_a_503(orm_app: Callable[..., App], tmp_path: Any) -> None:
    app = orm_app({"url": f"sqlite:///{tmp_path / 'empty.db'}"})  # create_all never ran
    app.views["/write"] = writer
    assert Client(app).get("/write?name=x").status_code == 500


def test_database_stopped_mid_run_then_back(orm_app: Callable[..., App]) -> None:
    # A cluster of its own: stopping the shared one would break other tests.
    with servers.postgres_server() as pg:
        app = orm_app({"url": pg.url, "pool_pre_ping": True})
        app.db.create_all()
        client = Client(app)

        def two_writes(request: Any) -> str:
            request.db.add(Counter(name="first-half"))
            request.db.flush()
            pg.stop()  # the database goes away between the two writes
            request.db.add(Counter(name="second-half"))
            request.db.commit()
            return "never"

        app.views["/write"], app.views["/two"] = writer, two_writes
        assert client.get("/write?name=before").status_code == 200
        assert client.get("/two").status_code == 503
        assert client.get("/write?name=while-down").status_code == 503
        assert app.db.engine.pool.checkedout() == 0
        pg.start()
        # The pool still holds connections from before the restart: pre-ping replaces them.
        assert client.get("/write?name=after").status_code == 200
        # A restart between two requests: the pooled connection is dead, pre-ping replaces it,
        # so not even the first request after it fails.
        assert app.db.engine.pool.checkedin() >= 1
        pg.stop()
        pg.start()
        assert client.get("/write?name=after-restart").status_code == 200
        fresh = sa.create_engine(pg.url)
        with fresh.connect() as conn:
            names = conn.execute(sa.select(Counter.name).order_by(Counter.id)).scalars().all()
        fresh.dispose()
        app.db.dispose()
        assert names == ["before", "after", "after-restart"]  # nothing half-written


def test_error_pages_for_404_and_503_apply(orm_app: Callable[..., App], tmp_path: Any) -> None:
    from corolla_orm import get_or_404

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = orm_app({"url": f"sqlite:///{blocker / 'app.db'}"})
    causes: list[str] = []

    def page(request: Any, exception: Any) -> Any:
        causes.append(type(exception.__cause__).__name__)
        return f"our {exception.code} page", exception.code

    app.error_pages[404] = app.error_pages[503] = page
    app.views["/write"] = writer
    app.views["/get"] = lambda request: get_or_404(request.db, Counter, 1).name
    response = Client(app).get("/write?name=x")
    assert (response.status_code, response.text) == (503, "our 503 page")
    assert causes == ["OperationalError"]

    ok = orm_app({"url": f"sqlite:///{tmp_path / 'ok.db'}"})
    ok.db.create_all()
    ok.error_pages[404] = page
    ok.views["/get"] = app.views["/get"]
    response = Client(ok).get("/get")
    assert (response.status_code, response.text) == (404, "our 404 page")
