"""The redis backend against a real redis-server: storage, TTL, regenerate, lazy path, Redis down."""

from __future__ import annotations

import logging
import subprocess

import pytest
import redis
import servers
from sessions_support import cookie_of, cookie_value, counter, logout, peek, stored
from werkzeug.test import Client


def login(request):
    request.session["user"] = "ada"
    request.session.regenerate()
    return "ok"


def plain(request):
    return "no session"


VIEWS = {"/count": counter, "/peek": peek, "/login": login, "/logout": logout, "/plain": plain}


@pytest.fixture
def store(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def app(sessions_app, redis_url):
    return sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": redis_url, "max_age": 600})


def calls(store: redis.Redis) -> dict[str, int]:
    """Commands Redis has executed so far, by name (INFO commandstats), without INFO itself."""
    stats = store.info("commandstats")
    return {name.removeprefix("cmdstat_"): v["calls"] for name, v in stats.items() if name != "cmdstat_info"}


def test_data_lives_in_redis_under_a_random_id(app, store):
    client = Client(app)
    assert client.get("/count").text == "n=1"
    sid = cookie_value(client.get("/count"))
    assert len(sid) == 43
    assert store.get(f"session:{stored(sid)}") == b'{"n":2}'
    assert 590 <= store.ttl(f"session:{stored(sid)}") <= 600
    assert client.get("/peek").text == "n=2"


def test_two_sessions_are_apart(app):
    one, two = Client(app), Client(app)
    one.get("/count")
    one.get("/count")
    assert two.get("/count").text == "n=1"
    assert one.get("/peek").text == "n=2"


def test_untouched_request_calls_no_backend(app, store):
    client = Client(app)
    client.get("/count")
    before = calls(store)
    response = client.get("/plain")
    assert calls(store) == before
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers
    client.get("/peek")
    after = calls(store)
    assert after["get"] == before["get"] + 1
    assert after.get("set", 0) == before.get("set", 0)  # read only: nothing written


def test_new_empty_session_calls_no_backend(app, store):
    before = calls(store)
    response = Client(app).get("/peek")
    assert response.text == "n=None" and cookie_of(response) is None
    assert calls(store) == before


def test_regenerate_moves_the_data_and_deletes_the_old_id(app, store):
    client = Client(app)
    old = cookie_value(client.get("/count"))
    new = cookie_value(client.get("/login"))
    assert new and new != old
    assert store.get(f"session:{stored(old)}") is None
    assert store.get(f"session:{stored(new)}") == b'{"n":1,"user":"ada"}'
    stale = Client(app, use_cookies=False)
    assert stale.get("/peek", headers={"Cookie": f"session={old}"}).text == "n=None"
    assert client.get("/peek").text == "n=1"


def test_clear_deletes_the_data_and_expires_the_cookie(app, store):
    client = Client(app)
    sid = cookie_value(client.get("/count"))
    response = client.get("/logout")
    assert "Max-Age=0" in cookie_of(response)
    assert store.get(f"session:{stored(sid)}") is None


def test_unknown_or_malformed_ids_give_a_fresh_session(app, store, caplog):
    client = Client(app, use_cookies=False)
    before = calls(store)
    with caplog.at_level(logging.DEBUG, logger="corolla.sessions"):
        assert client.get("/peek", headers={"Cookie": "session=../../etc/passwd"}).text == "n=None"
        assert calls(store) == before  # not shaped like an id: Redis is not asked
        assert client.get("/peek", headers={"Cookie": "session=" + "A" * 43}).text == "n=None"
    assert "no session under this id" in caplog.text and "not a session id" in caplog.text


def test_non_json_data_in_redis_gives_a_fresh_session(app, store, caplog):
    sid = "B" * 43
    store.set(f"session:{stored(sid)}", b"\x80not json")
    with caplog.at_level(logging.DEBUG, logger="corolla.sessions"):
        response = Client(app, use_cookies=False).get("/peek", headers={"Cookie": f"session={sid}"})
    assert response.text == "n=None"
    assert "not JSON" in caplog.text


def test_ttl_expires_sessions(sessions_app, redis_url, store):
    # Redis keeps the expiry itself (a TTL on the key), by its own clock: check the TTL the
    # backend set, then let the server expire the key now (EXPIRE 0) rather than waiting.
    app = sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": redis_url, "max_age": 60})
    client = Client(app)
    sid = cookie_value(client.get("/count"))
    assert 55 <= store.ttl(f"session:{stored(sid)}") <= 60
    assert client.get("/peek").text == "n=1"
    store.expire(f"session:{stored(sid)}", 0)
    assert client.get("/peek").text == "n=None"


def test_permanent_refresh_extends_the_ttl_without_rewriting(sessions_app, redis_url, store):
    app = sessions_app(
        views=VIEWS, sessions={"backend": "redis", "redis_url": redis_url, "permanent": True, "max_age": 600}
    )
    client = Client(app)
    sid = cookie_value(client.get("/count"))
    store.expire(f"session:{stored(sid)}", 30)
    before = calls(store)
    response = client.get("/peek")
    assert "Max-Age=600" in cookie_of(response)
    assert store.ttl(f"session:{stored(sid)}") > 500
    after = calls(store)
    assert after["expire"] == before.get("expire", 0) + 1
    assert after.get("set") == before.get("set")


def test_key_prefix(sessions_app, redis_url, store):
    app = sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": redis_url, "key_prefix": "myapp:s:"})
    sid = cookie_value(Client(app).get("/count"))
    assert store.exists(f"myapp:s:{stored(sid)}")


def test_redis_down_is_a_503_naming_the_backend_and_other_routes_serve(sessions_app, caplog):
    with servers.redis_server() as server:
        app = sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": server.url})
        client = Client(app)
        assert client.get("/count").text == "n=1"
        sid = cookie_value(client.get("/count"))
        server.process.terminate()
        server.process.wait(10)
        with caplog.at_level(logging.ERROR):
            read = client.get("/peek")
            write = client.get("/count")
            fresh = Client(app).get("/count")  # a new visitor: the load is free, the save fails
        for response in (read, write, fresh):
            assert response.status_code == 503
            assert "session backend" in response.text
            assert cookie_of(response) is None
        assert client.get("/plain").text == "no session"
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 3
        assert all("redis session backend is unavailable" in e and "503" in e for e in errors)
        assert "'GET /peek'" in errors[0] and server.url.rsplit("/", 1)[0] in errors[0]

        # Redis comes back on the same port: sessions work again, nothing was half-written
        restarted = subprocess.Popen(server.process.args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            servers.wait_for_port(server.port, restarted)
            # the restart lost the data (no persistence): the old cookie now names nothing
            assert client.get("/peek").text == "n=None"
            assert client.get("/count").text == "n=1"
            assert cookie_value(client.get("/count")) != sid
        finally:
            restarted.terminate()
            restarted.wait(10)


def test_regenerate_when_redis_is_down_writes_nothing(sessions_app):
    with servers.redis_server() as server:
        app = sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": server.url})
        client = Client(app)
        sid = cookie_value(client.get("/count"))
        store = redis.Redis.from_url(server.url)
        try:
            # A server that refuses writes: the transaction fails as a whole, the old id keeps its data.
            store.config_set("min-replicas-to-write", 1)
            response = client.get("/login")
            assert response.status_code == 503
            assert store.get(f"session:{stored(sid)}") == b'{"n":1}'
            assert store.dbsize() == 1
            store.config_set("min-replicas-to-write", 0)
            assert client.get("/peek").text == "n=1"
        finally:
            store.close()


def test_password_is_not_logged(sessions_app, caplog):
    port = servers.refused_port()  # nothing listens here
    url = f"redis://user:hunter2@127.0.0.1:{port}/0"
    app = sessions_app(views=VIEWS, sessions={"backend": "redis", "redis_url": url})
    with caplog.at_level(logging.ERROR):
        assert Client(app).get("/count").status_code == 503
    assert "hunter2" not in caplog.text and "user:***@" in caplog.text
