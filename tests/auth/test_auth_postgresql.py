"""The shipped migration and the rate limit on a real PostgreSQL server (what deployments use)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from auth_support import PASSWORD, AuthClient, add_views

import corolla


@pytest.fixture
def pg_url(postgres_server: Any) -> Iterator[str]:
    name = f"auth_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_register_login_and_limit_on_postgresql(auth_app: Callable[..., corolla.App], pg_url: str) -> None:
    app = auth_app({"max_attempts": 2}, views=add_views, orm={"url": pg_url})
    try:
        columns = {c["name"] for c in sa.inspect(app.db.engine).get_columns("auth_user")}
        assert columns == {"id", "username", "password_hash", "created_at"}
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
