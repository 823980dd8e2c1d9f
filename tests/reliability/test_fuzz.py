"""Property-based fuzzing of whole requests against the notes demo with every plugin loaded.

Strategies are in fuzz_requests.py. Each example is a batch of requests sent
through the app's WSGI callable as raw environs (no client tidies them up),
with a real visitor's session cookie and CSRF tokens to borrow, so the
requests reach the views as often as they are refused in front of them.
Invariants, for every request:

- no 5xx, ever;
- no traceback, secret or stack detail in any response body;
- every refusal (4xx) has a body saying what was wrong;
- a refused request changes neither the database nor the session store (but for
  flash messages an error page showed, as every page shows them).

Sessions on cookies and on a real Redis. Failing examples are kept in the
hypothesis database (.hypothesis/, gitignored) and replayed first on the next
run; the report shows each request as raw HTTP bytes to replay by hand.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fuzz_requests import METHODS, FuzzRequest, Identity, requests
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from reliability_support import Visitor

from corolla import App

ROOT = Path(__file__).resolve().parents[2]
#: Examples per backend; each is a batch of 10 to 20 drawn requests (about 15), each sent 3 times.
EXAMPLES = 140
BATCH = (10, 20)
#: What may never appear in a response body.
LEAKS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.", "werkzeug/", "site-packages")

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "examples")),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    print_blob=True,
)


@dataclass
class World:
    """The app under fuzz, the visitor whose cookie and tokens requests borrow, and what was seen."""

    app: App
    identity: Identity
    secret: str
    rows: Callable[[], tuple[int, int]]
    store: Callable[[], Any]
    statuses: collections.Counter[int]
    state: Any = None
    sent: int = 0
    drawn: int = 0


def _rows(app: App) -> Callable[[], tuple[int, int]]:
    """(notes, users) in the database, read over one connection kept open for the run."""
    import sqlalchemy as sa

    connection = app.db.engine.connect()  # type: ignore[attr-defined]
    query = sa.text("SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM auth_user)")

    def rows() -> tuple[int, int]:
        row = connection.execute(query).one()
        connection.rollback()  # a new snapshot next time
        return int(row[0]), int(row[1])

    return rows


def _make_world(app: App, store: Callable[[], Any]) -> World:
    alice = Visitor(app).signup("alice")
    bob = Visitor(app).signup("bob")
    created = alice.api("POST", "/api/notes", {"title": "alice's note", "body": "kept"})
    assert created.status_code == 201, created.text
    name = app.config["sessions"]["cookie_name"]
    cookie = alice.client.get_cookie(name)
    assert cookie is not None
    identity = Identity(name, cookie.value, alice.api_token(), bob.api_token(), int(created.json["id"]))
    world = World(app, identity, app.secret_key, _rows(app), store, collections.Counter())
    world.state = (world.rows(), store())
    return world


def _send(app: App, request: FuzzRequest) -> tuple[int, bytes]:
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(line)
        return lambda data: None

    chunks = app(request.environ(), start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return int(status[-1][:3]), body


def _check(world: World, request: FuzzRequest) -> None:
    app = world.app
    status, body = _send(app, request)
    world.sent += 1
    world.statuses[status] += 1
    assert status < 500, f"{status} for {request.as_http()}:\n{body[:2000]!r}"
    text = body.decode("utf-8", "replace")
    for leak in (*LEAKS, world.secret):
        assert leak not in text, f"{leak!r} in the {status} body of {request.as_http()}:\n{text[:2000]}"
    # A 4xx must leave the database and the session store as the request before it left them.
    before, world.state = world.state, (world.rows(), world.store())
    if 400 <= status < 500:
        if request.method != "HEAD":
            assert text.strip(), f"an empty {status} for {request.as_http()}"
        assert world.state == before, f"the {status} changed (notes, users), sessions: {before} -> {world.state}"


def _variants(request: FuzzRequest) -> list[FuzzRequest]:
    """The request as drawn, then with two other methods: which view branch runs depends most on the method.

    Cheap volume: hypothesis spends more time drawing a request than the app serving it.
    """
    index = METHODS.index(request.method)
    others = [METHODS[(index + step) % len(METHODS)] for step in (1, 2)]
    return [request, *(dataclasses.replace(request, method=method) for method in others)]


def _run(world: World) -> None:
    @SETTINGS
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        batch = data.draw(st.lists(requests(world.identity), min_size=BATCH[0], max_size=BATCH[1]), label="requests")
        for drawn in batch:
            world.drawn += 1
            for request in _variants(drawn):
                note(f"replay (raw HTTP): {request.as_http()}")
                _check(world, request)

    fuzz()
    print(
        f"\nfuzzed {world.sent} requests ({world.drawn} drawn, each sent with 3 methods); "
        f"statuses: {dict(sorted(world.statuses.items()))}",
        file=sys.stderr,
    )


@pytest.fixture
def cookie_world(notes_app: Callable[..., App]) -> Iterator[World]:
    app = notes_app()
    yield _make_world(app, lambda: None)


@pytest.fixture
def redis_world(notes_app: Callable[..., App], redis_url: str) -> Iterator[World]:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    prefix = "fuzz:"
    app = notes_app(sessions={"backend": "redis", "redis_url": redis_url, "key_prefix": prefix})

    def store() -> Any:
        # Every session in Redis, by key: what is stored, not when it expires. Flash messages
        # are left out: an error page shows (and so consumes) pending ones, like any page.
        keys = sorted(client.scan_iter(match=prefix + "*"))
        values = client.mget(keys) if keys else []
        sessions = []
        for key, value in zip(keys, values, strict=True):
            data = json.loads(value) if value else None
            if isinstance(data, dict):
                data.pop("_flashes", None)
            sessions.append((key, json.dumps(data, sort_keys=True)))
        return tuple(sessions)

    yield _make_world(app, store)
    client.close()


def test_fuzzed_requests_with_cookie_sessions(cookie_world: World) -> None:
    _run(cookie_world)
    assert cookie_world.sent >= 3 * EXAMPLES * BATCH[0]


def test_fuzzed_requests_with_redis_sessions(redis_world: World) -> None:
    _run(redis_world)
    assert redis_world.sent >= 3 * EXAMPLES * BATCH[0]
