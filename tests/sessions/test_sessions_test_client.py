"""corolla.testing's client with the real sessions plugin: session_transaction and `with client:`, every backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sessions_support import counter, peek

from corolla import App
from corolla.testing import Client

VIEWS = {"/count": counter, "/peek": peek}


@pytest.fixture(params=["cookie", "redis", "sql-sqlite", "sql-postgresql"])
def backend_app(request: pytest.FixtureRequest, sessions_app: Callable[..., App], tmp_path: Path) -> App:
    kind = request.param
    if kind == "cookie":
        return sessions_app(views=VIEWS)
    if kind == "redis":
        return sessions_app(
            views=VIEWS, sessions={"backend": "redis", "redis_url": request.getfixturevalue("redis_url")}
        )
    url = f"sqlite:///{tmp_path / 's.db'}" if kind == "sql-sqlite" else request.getfixturevalue("postgres_server").url
    app = sessions_app(views=VIEWS, sessions={"backend": "sql"}, plugins=["orm"], orm={"url": url})
    table = app.plugins["sessions"].backend.table  # type: ignore[attr-defined]
    table.drop(app.db.engine, checkfirst=True)  # type: ignore[attr-defined]
    table.create(app.db.engine)  # type: ignore[attr-defined]
    return app


def test_session_transaction_writes_what_the_next_request_reads(backend_app: App) -> None:
    client = backend_app.test_client()
    assert isinstance(client, Client)
    with client.session_transaction() as session:
        session["n"] = 41
    assert client.get("/peek").text == "n=41"
    assert client.get("/count").text == "n=42"


def test_session_transaction_reads_what_a_request_wrote(backend_app: App) -> None:
    client = backend_app.test_client()
    client.get("/count")
    client.get("/count")
    with client.session_transaction() as session:
        assert session["n"] == 2
        session["n"] = 10
    with client.session_transaction() as session:
        assert session["n"] == 10


def test_a_block_that_raises_saves_nothing(backend_app: App) -> None:
    client = backend_app.test_client()
    client.get("/count")
    with pytest.raises(KeyError), client.session_transaction() as session:
        session["n"] = 99
        raise KeyError("oops")
    assert client.get("/peek").text == "n=1"


def test_with_client_keeps_the_last_request(backend_app: App) -> None:
    client = backend_app.test_client()
    with client:
        client.get("/count")
        first = client.last_request
        assert first.path == "/count"
        assert first.session["n"] == 1
        client.get("/peek")
        assert client.last_request is not first
        assert client.last_request.path == "/peek"
    with pytest.raises(RuntimeError, match="only inside `with client:`"):
        client.last_request  # noqa: B018


def test_keeping_the_request_leaves_the_apps_request_class_alone(sessions_app: Callable[..., App]) -> None:
    app = sessions_app(views=VIEWS)
    served = app.request_class
    client: Any = Client(app)
    with client:
        client.get("/count")
        assert isinstance(client.last_request, served)
        assert client.last_request.session == {"n": 1}
    assert app.request_class is served and app._pipeline.request_class is served
