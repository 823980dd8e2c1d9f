"""Fixtures for corolla-auth: a real app with the five standard plugins and auth, on SQLite.

The schema comes from the migrations, as in production: ``corolla db upgrade``
(through ``corolla.testing.run_cli``) applies the auth branch shipped in the
package. Passwords are hashed with a cheap pbkdf2 here (``[auth]
password_method``) so the suite stays fast; the default is werkzeug's scrypt.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auth_support import PLUGINS, SECRET, AuthClient

import corolla
from corolla.testing import run_cli


@pytest.fixture
def auth_app(make_app: Callable[..., corolla.App], tmp_path: Path) -> Callable[..., corolla.App]:
    """``auth_app(auth={...}, views=None)``: the app, migrated; ``views(app)`` adds the test's own routes."""

    def build(
        auth: dict[str, Any] | None = None,
        views: Callable[[corolla.App], None] | None = None,
        root: Path | None = None,
        **config: Any,
    ) -> corolla.App:
        settings = {
            "core": {"secret_key": SECRET},
            "orm": {"url": f"sqlite:///{tmp_path / 'auth.db'}"},
            "auth": {"password_method": "pbkdf2:sha256:1000", **(auth or {})},
            **config,
        }
        app = make_app(PLUGINS, settings, isolated=False, **({} if root is None else {"root": root}))
        if views is not None:
            views(app)
        result = run_cli("db", "upgrade", app=app)
        assert result.exit_code == 0, result.output
        return app

    return build


@pytest.fixture
def app(auth_app: Callable[..., corolla.App]) -> corolla.App:
    from auth_support import add_views

    return auth_app(views=add_views)


@pytest.fixture
def browser(app: corolla.App) -> AuthClient:
    return AuthClient(app)
