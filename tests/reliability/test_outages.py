"""Backends failing under the notes demo: the real Redis and PostgreSQL stopped, paused or lost mid-request.

What users see (a 503 page of the site with Retry-After), what the log
shows (one traceback when an outage starts, one line per request, one line
when it ends), and that nothing acknowledged is lost or made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import servers
import sqlalchemy as sa
from reliability_support import Visitor, create_app, csrf_token, note_count

from corolla import App
from corolla.testing import run_cli


@pytest.fixture
def own_redis() -> Iterator[servers.Redis]:
    """A Redis of this test's own, to stop, pause and restart."""
    with servers.redis_server() as server:
        yield server


@pytest.fixture
def redis_app(notes_db: Path, tmp_path: Path, own_redis: servers.Redis) -> Iterator[App]:
    import shutil

    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copyfile(notes_db, instance / "app.db")
    app = create_app(instance, sessions={"backend": "redis", "redis_url": own_redis.url})
    yield app
    app.close()


def outage_records(caplog: pytest.LogCaptureFixture) -> tuple[list[logging.LogRecord], list[logging.LogRecord]]:
    """(records with a traceback, all error records) about unavailable backends."""
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    return [r for r in errors if r.exc_info], errors


def test_redis_stopped_gives_the_sites_503_page_one_traceback_and_recovers(
    redis_app: App, own_redis: servers.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    alice = Visitor(redis_app).signup("alice")
    own_redis.stop()
    with caplog.at_level(logging.INFO):
        pages = [alice.get("/") for _ in range(5)]
    for page in pages:
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "5"
        assert "Corolla notes" in page.text  # the site's own page, not werkzeug's bare one
        assert "Sessions are unavailable" in page.text
        assert "Signed in" not in page.text and "Traceback" not in page.text
    tracebacks, errors = outage_records(caplog)
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert "outage started" in tracebacks[0].getMessage()
    assert len(errors) == 5, [r.getMessage() for r in errors]
    caplog.clear()
    own_redis.start()
    with caplog.at_level(logging.INFO):
        # Redis kept nothing (no persistence): alice is logged out, and the site works.
        assert alice.get("/").status_code == 200
        again = Visitor(redis_app).signup("alice2")
        assert "Signed in as <strong>alice2</strong>" in again.get("/").text
    assert any("outage ended" in r.getMessage() for r in caplog.records)


def test_a_paused_redis_answers_503_instead_of_hanging(redis_app: App, own_redis: servers.Redis) -> None:
    # SIGSTOP: the kernel still accepts connections, nobody answers. Without socket timeouts
    # each request waited for the worker to be killed; with them it is a 503.
    alice = Visitor(redis_app).signup("alice")
    own_redis.pause()
    try:
        page = alice.get("/")
        assert page.status_code == 503 and "Sessions are unavailable" in page.text
    finally:
        own_redis.resume()
    assert "Signed in as <strong>alice</strong>" in alice.get("/").text


@pytest.fixture
def pg_app(tmp_path: Path, pg_url: str) -> Iterator[App]:
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(instance, orm={"url": pg_url})
    assert run_cli("db", "upgrade", app=app).exit_code == 0
    yield app
    app.close()


def test_postgresql_stopped_gives_503_pages_one_traceback_and_recovers(
    pg_app: App, postgres_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    alice = Visitor(pg_app).signup("alice")
    token = alice.api_token()
    postgres_server.stop()
    try:
        with caplog.at_level(logging.INFO):
            page = alice.get("/")
            created = alice.client.post("/api/notes", json={"title": "lost?"}, headers={"X-CSRFToken": token})
            again = alice.get("/notes/new")
    finally:
        postgres_server.start()
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "Corolla notes" in page.text and "The database is unavailable" in page.text
    assert created.status_code == 503 and created.json["error"] == "service unavailable"
    assert again.status_code == 503
    tracebacks, errors = outage_records(caplog)
    assert len(tracebacks) == 1 and "outage started" in tracebacks[0].getMessage()
    assert len(errors) == 3
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert "Signed in as <strong>alice</strong>" in alice.get("/").text  # pre-ping: a new connection
    assert any("outage ended" in r.getMessage() for r in caplog.records)
    assert note_count(pg_app) == 0  # the 503'd creation did not happen


@contextmanager
def after_the_next_commit(action: Any) -> Iterator[None]:
    """Run ``action`` (stop a server) right after the next commit of a request's session, once."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    done: list[bool] = []

    def after_commit(session: Session) -> None:
        if not done and session.info.get("corolla_request") is not None:
            done.append(True)
            action()

    event.listen(Session, "after_commit", after_commit)
    try:
        yield
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert done, "no request committed"


def test_redis_lost_right_after_the_commit_still_acknowledges_the_saved_note(
    redis_app: App, own_redis: servers.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    # The view commits, then the flash message's session save fails. The note is saved: a
    # 503 would make the client send it again, and the note would be there twice.
    alice = Visitor(redis_app).signup("alice")
    form_token = csrf_token(alice.get("/notes/new"))
    with caplog.at_level(logging.INFO), after_the_next_commit(own_redis.stop):
        response = alice.client.post("/notes/new", data={"title": "once", "body": "", "csrf_token": form_token})
    assert response.status_code == 303
    assert note_count(redis_app) == 1
    assert "was not saved" in caplog.text
    own_redis.start()


def test_postgresql_lost_right_after_the_commit_still_acknowledges_the_saved_note(
    pg_app: App, postgres_server: Any
) -> None:
    # The view commits, then reads the new row (its id for Location, its fields for the body).
    # With rows expired on commit that was a new query, failing against a stopped database.
    alice = Visitor(pg_app).signup("alice")
    token = alice.api_token()
    try:
        with after_the_next_commit(postgres_server.stop):
            created = alice.client.post("/api/notes", json={"title": "once"}, headers={"X-CSRFToken": token})
    finally:
        postgres_server.start()
    assert created.status_code == 201, created.text
    assert created.json["title"] == "once"
    with pg_app.db.session() as db:  # type: ignore[attr-defined]
        assert db.scalar(sa.text("SELECT count(*) FROM notes WHERE title = 'once'")) == 1


def test_a_paused_postgresql_answers_503_after_the_connect_timeout(
    tmp_path: Path, pg_url: str, postgres_server: Any
) -> None:
    # The postmaster frozen: a new connection waits for an answer that never comes. libpq's
    # connect_timeout ([orm] connect_timeout, 2 s by default) turns the wait into a 503.
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(instance, orm={"url": pg_url, "connect_timeout": 1})
    try:
        assert run_cli("db", "upgrade", app=app).exit_code == 0
        app.db.dispose()  # type: ignore[attr-defined]  # no pooled connection: the next request connects
        postgres_server.pause()
        try:
            page = Visitor(app).get("/api/notes", headers={"Cookie": "session=x"})
            login = Visitor(app).get("/auth/login")
        finally:
            postgres_server.resume()
        assert login.status_code == 200  # pages that need no database keep working
        assert page.status_code in (401, 503)
        visitor = Visitor(app).signup("alice")
        app.db.dispose()  # type: ignore[attr-defined]
        postgres_server.pause()
        try:
            during = visitor.get("/")
        finally:
            postgres_server.resume()
        assert during.status_code == 503 and "The database is unavailable" in during.text
        assert "Signed in as <strong>alice</strong>" in visitor.get("/").text
    finally:
        app.close()


def test_a_statement_beyond_the_statement_timeout_is_cancelled_with_a_503(tmp_path: Path, pg_url: str) -> None:
    from corolla_routing import Router

    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(instance, orm={"url": pg_url, "statement_timeout": 1})
    router = Router("/raw", name="raw")

    @router.get("/slow")
    def slow(request: Any) -> Any:
        request.db.execute(sa.text("SELECT pg_sleep(5)"))
        return "done"

    app.include(router)
    try:
        response = app.test_client().get("/raw/slow")
        assert response.status_code == 503
        assert app.test_client().get("/auth/login").status_code == 200
    finally:
        app.close()
