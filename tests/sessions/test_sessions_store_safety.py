"""Server-side sessions against the real stores (Redis, SQLite, PostgreSQL): what a logout or a leak leaves.

* A request that loaded the session before a logout and saves after it must
  not bring the deleted session back (it would be logged in again).
* The store holds a hash of the session id, never the cookie value, so a
  read of the store (or of a backup) yields no usable session.
"""

from __future__ import annotations

import threading

import pytest
import redis
import sqlalchemy as sa
from sessions_support import cookie_of, cookie_value, counter, logout, peek
from werkzeug.test import Client

#: Released by the test once the logout has happened.
_release = threading.Event()
_loaded = threading.Event()


def slow_write(request):
    """Loads the session, waits for the logout to happen elsewhere, then changes it (a slow POST)."""
    request.session.get("n")
    _loaded.set()
    if not _release.wait(30):
        raise RuntimeError("the test never released the slow request")
    request.session["draft"] = "text"
    return "saved"


def slow_read(request):
    request.session.get("n")
    _loaded.set()
    if not _release.wait(30):
        raise RuntimeError("the test never released the slow request")
    return "read"


VIEWS = {"/count": counter, "/peek": peek, "/logout": logout, "/slow-write": slow_write, "/slow-read": slow_read}


@pytest.fixture(params=["redis", "sqlite", "postgresql"])
def store_app(request, sessions_app, tmp_path):
    """(app, keys): an app on one real store, and a function listing the keys stored there."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        app = sessions_app(
            views=VIEWS, sessions={"backend": "redis", "redis_url": url, "permanent": True, "max_age": 600}
        )
        client = redis.Redis.from_url(url)
        yield app, lambda: sorted(k.decode().removeprefix("session:") for k in client.keys("session:*"))
        client.close()
        return
    url = (
        f"sqlite:///{tmp_path / 's.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_server").url
    )
    app = sessions_app(
        views=VIEWS,
        sessions={"backend": "sql", "permanent": True, "max_age": 600},
        plugins=["orm"],
        orm={"url": url},
    )
    table = app.plugins["sessions"].backend.table
    table.create(app.db.engine, checkfirst=True)

    def keys():
        with app.db.engine.connect() as conn:
            return sorted(conn.execute(sa.select(table.c.id)).scalars())

    yield app, keys
    table.drop(app.db.engine, checkfirst=True)
    from corolla_orm import Model

    Model.metadata.remove(table)  # shared by every app in the process


def _race(app, path):
    """Run ``path`` with a victim's session while the victim logs out in between; return both sides."""
    victim = Client(app)
    victim.get("/count")
    sid = cookie_value(victim.get("/count"))
    attacker = Client(app, use_cookies=False)
    _loaded.clear()
    _release.clear()
    result = {}
    thread = threading.Thread(
        target=lambda: result.setdefault("response", attacker.get(path, headers={"Cookie": f"session={sid}"}))
    )
    thread.start()
    try:
        assert _loaded.wait(30)
        assert "Max-Age=0" in cookie_of(victim.get("/logout"))
    finally:
        _release.set()
        thread.join(30)
    return sid, result["response"]


@pytest.mark.parametrize("path", ["/slow-write", "/slow-read"])
def test_a_save_after_logout_does_not_bring_the_session_back(store_app, path):
    app, keys = store_app
    sid, response = _race(app, path)
    assert response.status_code == 200
    assert keys() == []  # neither the write (save) nor the read (refresh of a permanent session) re-created it
    assert "Max-Age=0" in cookie_of(response)  # the stale cookie is expired instead
    replay = Client(app, use_cookies=False).get("/peek", headers={"Cookie": f"session={sid}"})
    assert replay.text == "n=None"


def test_the_store_holds_a_hash_of_the_id_not_the_cookie(store_app):
    app, keys = store_app
    client = Client(app)
    sid = cookie_value(client.get("/count"))
    [stored] = keys()
    assert stored != sid and sid not in stored and len(stored) == 43
    # What a read of the store gives is not a session cookie.
    stolen = Client(app, use_cookies=False).get("/peek", headers={"Cookie": f"session={stored}"})
    assert stolen.text == "n=None"
    assert client.get("/peek").text == "n=1"
