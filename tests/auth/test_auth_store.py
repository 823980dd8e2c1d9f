"""What visitors leave in a real Redis session store, and the CSRF secret across login and logout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from auth_support import AuthClient, add_views

import corolla


@pytest.fixture
def redis_app(auth_app: Callable[..., corolla.App], redis_server: Any) -> Iterator[tuple[corolla.App, redis.Redis]]:
    store = redis.Redis.from_url(redis_server.url)
    store.flushdb()
    app = auth_app(views=add_views, sessions={"backend": "redis", "redis_url": redis_server.url})
    yield app, store
    store.flushdb()
    store.close()


def test_anonymous_visitors_leave_nothing_in_the_store(redis_app: tuple[corolla.App, redis.Redis]) -> None:
    app, store = redis_app
    for _ in range(50):  # fresh visitors (bots) fetching the login and register forms
        visitor = AuthClient(app)
        assert visitor.get("/auth/login").status_code == 200
        assert visitor.get("/auth/register").status_code == 200
    assert store.dbsize() == 0
    # The forms still work: the anonymous visitor's CSRF secret lives in a cookie of its own.
    browser = AuthClient(app)
    assert browser.register("alice").status_code == 303
    assert browser.get("/whoami").text == "alice"
    assert store.dbsize() == 1  # the logged-in session


def test_a_token_from_before_login_or_logout_is_refused_after_it(redis_app: tuple[corolla.App, redis.Redis]) -> None:
    app, _ = redis_app
    browser = AuthClient(app)
    anonymous_token = browser.token("/auth/register")
    browser.register("alice")
    # Logging in rotates the CSRF secret (Django's rotate_token): a token a page held before is dead.
    assert browser.post("/auth/logout", data={"csrf_token": anonymous_token}).status_code == 400
    assert browser.get("/whoami").text == "alice"
    logged_in_token = browser.token()
    assert browser.post("/auth/logout", data={"csrf_token": logged_in_token}).status_code == 303
    # ... and so does logging out.
    assert browser.post("/auth/logout", data={"csrf_token": logged_in_token}).status_code == 400
    assert browser.login("alice").status_code == 303
