"""A PostgreSQL server that stops answering on connections already in the pool.

Every process of the server SIGSTOPped (``Postgres.freeze``) is what a hung
machine or a network partition looks like from the app: the kernel still
accepts and acknowledges, so neither TCP keepalives nor libpq's timeouts
fire, and the server's own ``statement_timeout`` cannot run. A request on a
pooled connection must still end in the orm's outage 503, well before
gunicorn's worker timeout, and the next request after ``SIGCONT`` must work.

"Answered, not hung" is checked against a generous bound (the request runs
in a thread joined with a timeout), never a speed; the time to the 503 is
printed for docs/deploy.md. These tests run on a PostgreSQL cluster of their
own: freezing the shared one would stall every other test using it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import servers
import sqlalchemy as sa
from raw_http import Browser
from reliability_support import NOTES, Visitor, create_app

from corolla import App
from corolla.testing import run_cli

#: Seconds a request may take with the server frozen before it counts as hung. The defaults
#: answer in about response_timeout + connect_timeout + QUICK_CHECK (3.5 s); without a
#: client-side deadline the request waits until the server is thawed.
HUNG = 15.0


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[servers.Postgres]:
    with servers.postgres_server() as server:
        yield server


@pytest.fixture
def database(own_postgres: servers.Postgres) -> Iterator[str]:
    """A new, empty database on this module's server."""
    with own_postgres.new_database("frozen") as url:
        yield url


@pytest.fixture
def make_app(tmp_path: Path, database: str) -> Iterator[Callable[..., App]]:
    made: list[App] = []

    def make(**orm: Any) -> App:
        instance = tmp_path / f"instance{len(made)}"
        instance.mkdir()
        app = create_app(instance, orm={"url": database, **orm})
        made.append(app)
        assert run_cli("db", "upgrade", app=app).exit_code == 0
        return app

    yield make
    for app in made:
        app.close()


def answered_within(call: Callable[[], Any], bound: float, thaw: Callable[[], None]) -> tuple[Any, float]:
    """Run ``call()`` in a thread: (its result, seconds taken), or fail when it is still waiting after ``bound``.

    ``thaw`` runs in every case before returning (so a hung call finishes and leaves nothing behind).
    """
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        thread.join(bound)
        took = time.monotonic() - started
        hung = thread.is_alive()
    finally:
        thaw()
    thread.join(30)
    assert not hung, f"the request was still waiting {bound} s after the server froze"
    if errors:
        raise errors[0]
    return result[0], took


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "no-pre-ping"])
def test_a_frozen_postgresql_answers_503_on_a_pooled_connection_and_recovers(
    make_app: Callable[..., App], own_postgres: servers.Postgres, caplog: pytest.LogCaptureFixture, pre_ping: bool
) -> None:
    # With pre-ping the wait is the ping's (checkout); without it, the view's first query.
    # Pre-ping (the default) runs with the default limits: its time is docs/deploy.md's figure.
    app = make_app(pool_pre_ping=pre_ping) if pre_ping else make_app(pool_pre_ping=False, response_timeout=0.5)
    alice = Visitor(app).signup(f"alice{int(pre_ping)}")
    assert app.db.engine.pool.checkedin() == 1  # type: ignore[attr-defined]  # a warm connection
    pids = own_postgres.freeze()
    try:
        with caplog.at_level(logging.INFO):
            page, took = answered_within(lambda: alice.get("/"), HUNG, lambda: None)
            # The server is known to be dead now: the next request's new connection checks it
            # briefly and fails, instead of waiting connect_timeout again.
            again, took_again = answered_within(lambda: alice.get("/"), HUNG, lambda: None)
    finally:
        own_postgres.thaw(pids)
    print(
        f"\nPostgreSQL frozen (pre_ping={pre_ping}): 503 after {took:.2f} s, "
        f"the next request's after {took_again:.2f} s",
        file=sys.stderr,
    )
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "The database is unavailable" in page.text
    assert again.status_code == 503
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and errors[0].exc_info, [r.getMessage() for r in errors]
    assert "outage started" in errors[0].getMessage()
    # Without pre-ping the cut statement is the error; with it, the pool's new connection after
    # the cut ping, refused because the server did not answer the check.
    assert ("did not answer for" if not pre_ping else "did not answer a check") in errors[0].getMessage()
    assert "not connecting (the outage goes on)" in errors[1].getMessage()  # no second connect_timeout wait
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert f"Signed in as <strong>alice{int(pre_ping)}</strong>" in alice.get("/").text
    assert any("outage ended" in r.getMessage() for r in caplog.records)


def test_a_slow_statement_on_a_live_server_is_not_cut(make_app: Callable[..., App]) -> None:
    # Silence longer than response_timeout alone proves nothing: the server answers the
    # check, so the statement runs to its end (statement_timeout is the server's own limit).
    from corolla_routing import Router

    app = make_app(response_timeout=0.3)  # checked 3 times meanwhile
    router = Router("/raw", name="raw")

    @router.get("/slow")
    def slow(request: Any) -> str:
        request.db.execute(sa.text("SELECT pg_sleep(1.2)"))
        return "done"

    app.include(router)
    response = app.test_client().get("/raw/slow")
    assert response.status_code == 200 and response.text == "done"


def test_a_frozen_backend_on_a_live_server_is_cut_after_the_statement_timeout(
    make_app: Callable[..., App],
) -> None:
    # Only this connection's backend process stopped: the server answers the check, the
    # statement never ends, and statement_timeout cannot fire in a stopped process. The
    # connection is cut statement_timeout + response_timeout after the statement was sent.
    from corolla_routing import Router

    app = make_app(statement_timeout=1, response_timeout=0.5)
    router = Router("/raw", name="raw")
    stopped: list[int] = []

    @router.get("/stuck")
    def stuck(request: Any) -> str:
        pid = int(request.db.scalar(sa.text("SELECT pg_backend_pid()")))
        os.kill(pid, signal.SIGSTOP)
        stopped.append(pid)
        request.db.execute(sa.text("SELECT 1"))
        return "answered"

    def thaw() -> None:
        while stopped:
            try:
                os.kill(stopped.pop(), signal.SIGCONT)
            except ProcessLookupError:
                pass

    app.include(router)
    response, took = answered_within(lambda: app.test_client().get("/raw/stuck"), HUNG, thaw)
    print(f"\none backend frozen: 503 after {took:.2f} s", file=sys.stderr)
    assert response.status_code == 503
    assert app.test_client().get("/auth/login").status_code == 200


def test_a_commit_cut_off_is_a_503_logged_with_its_unknown_outcome(
    make_app: Callable[..., App], own_postgres: servers.Postgres, caplog: pytest.LogCaptureFixture
) -> None:
    # The server froze with COMMIT sent: it may still apply it once it runs again (the
    # message is in its socket's buffer), so the app cannot know. The answer stays the
    # orm's 503 for a failed commit (the request was not marked committed); the log says
    # the outcome is unknown rather than that nothing was saved.
    from corolla_forms import csrf_exempt
    from corolla_routing import Router

    app = make_app(response_timeout=0.5)
    with app.db.begin() as db:  # type: ignore[attr-defined]
        db.execute(sa.text("CREATE TABLE frozen_writes (n int)"))
    router = Router("/raw", name="raw")
    pids: list[int] = []

    @router.post("/write")
    @csrf_exempt
    def write(request: Any) -> str:
        request.db.execute(sa.text("INSERT INTO frozen_writes VALUES (1)"))
        pids.extend(own_postgres.freeze())
        request.db.commit()
        return "saved"

    app.include(router)
    with caplog.at_level(logging.INFO):
        response, _ = answered_within(
            lambda: app.test_client().post("/raw/write"), HUNG, lambda: own_postgres.thaw(pids)
        )
    assert response.status_code == 503
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "waiting for COMMIT" in errors[0] and "saved is unknown" in errors[0], errors
    assert app.test_client().get("/auth/login").status_code == 200


def test_under_gunicorn_a_frozen_postgresql_is_a_503_and_the_worker_lives(
    own_postgres: servers.Postgres, database: str, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    migrate = create_app(instance, orm={"url": database})
    assert run_cli("db", "upgrade", app=migrate).exit_code == 0
    migrate.close()
    env = {
        "COROLLA_CORE__INSTANCE_PATH": str(instance),
        "COROLLA_CORE__SECRET_KEY": "reliability-frozen-secret-key-0123456789abcdef",
        "COROLLA_ORM__URL": database,
    }
    # One worker with a timeout below the client's (raw_http waits 10 s): a worker hanging on
    # the frozen server would be killed, and the client would get no answer.
    args = ["--timeout", "8"]
    with servers.gunicorn("app:app", cwd=NOTES, workers=1, env=env, args=args) as server:
        browser = Browser(server.port).signup("gus")
        assert browser.request("GET", "/api/notes").status == 200  # the worker's pool is warm
        pids = own_postgres.freeze()
        during, took = answered_within(
            lambda: browser.request("GET", "/api/notes"), HUNG, lambda: own_postgres.thaw(pids)
        )
        print(f"\nPostgreSQL frozen under gunicorn: 503 after {took:.2f} s", file=sys.stderr)
        after = browser.request("GET", "/api/notes")
        log = server.log.read_text(errors="replace") if server.log else ""
    assert during.status == 503 and during.header("Retry-After") == "5", during.body[:300]
    assert after.status == 200
    assert "WORKER TIMEOUT" not in log and log.count("Booting worker") == 1
