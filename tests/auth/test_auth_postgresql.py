"""The shipped migration, the rate limit and unique usernames on a real PostgreSQL server (what deployments use)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from auth_support import PASSWORD, AuthClient, add_views

import corolla


@pytest.fixture
def pg_url(postgres_server: Any) -> Iterator[str]:
    with postgres_server.new_database("auth") as url:
        yield url


def test_register_login_and_limit_on_postgresql(auth_app: Callable[..., corolla.App], pg_url: str) -> None:
    app = auth_app({"max_attempts": 2}, views=add_views, orm={"url": pg_url})
    try:
        columns = {c["name"] for c in sa.inspect(app.db.engine).get_columns("auth_user")}
        assert columns == {"id", "username", "username_lower", "password_hash", "created_at"}
        client = AuthClient(app)
        assert client.register("alice").status_code == 303
        client.logout()
        assert "Invalid username or password." in client.login("alice", "wrong one").text
        assert "Invalid username or password." in client.login("alice", "wrong two").text
        blocked = client.login("alice", PASSWORD)
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        checks = {c.id: c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group}
        assert checks["orm.migrations"].ok, checks["orm.migrations"].message
    finally:
        app.db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_usernames_are_unique_whatever_the_case_in_the_database(
    auth_app: Callable[..., corolla.App], request: pytest.FixtureRequest, backend: str
) -> None:
    # Not only the view's check: two registrations racing past it meet the unique constraint.
    from corolla_auth import User

    orm = {"url": request.getfixturevalue("pg_url")} if backend == "postgresql" else {}
    app = auth_app(views=add_views, **({"orm": orm} if orm else {}))
    try:
        with app.db.begin() as db:
            db.add(User(username="Alice", password_hash="x"))
        for other in ("alice", "ALICE", "Alice"):
            with pytest.raises(sa.exc.IntegrityError), app.db.begin() as db:
                db.add(User(username=other, password_hash="x"))
        with app.db.session() as db:
            (user,) = db.scalars(sa.select(User)).all()
            assert (user.username, user.username_lower) == ("Alice", "alice")  # shown as typed
        client = AuthClient(app)
        assert client.login("aLiCe").status_code == 200  # the password is "x"'s hash: refused, not a 500
        assert client.register("bob").status_code == 303
        assert client.get("/whoami").text == "bob"
    finally:
        app.db.dispose()


def test_parallel_logins_check_no_more_passwords_than_the_limit(
    auth_app: Callable[..., corolla.App], pg_url: str
) -> None:
    # Many workers at once: each attempt is recorded before it is counted, so no more than
    # max_attempts passwords are ever checked, however the requests interleave.
    import threading

    app = auth_app({"max_attempts": 3, "password_method": "pbkdf2:sha256:100000"}, views=add_views, orm={"url": pg_url})
    try:
        owner = AuthClient(app)
        owner.register("alice")
        clients = [AuthClient(app) for _ in range(12)]
        tokens = [c.token() for c in clients]
        start = threading.Barrier(len(clients))
        statuses: list[int] = []

        def attempt(client: AuthClient, token: str) -> None:
            start.wait(30)
            response = client.post(
                "/auth/login",
                data={"username": "alice", "password": "wrong password", "csrf_token": token},
                environ_overrides={"REMOTE_ADDR": "10.0.0.1"},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(statuses) == 12
        assert statuses.count(200) <= 3, statuses  # 200: the password was checked (and was wrong)
        assert statuses.count(200) + statuses.count(429) == 12
    finally:
        app.db.dispose()
