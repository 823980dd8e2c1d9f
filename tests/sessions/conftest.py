"""Fixtures for the sessions plugin's tests: the real plugin behind a tiny dispatch plugin.

``views`` is a synthetic plugin (a real distribution written on the fly) that
adds ``app.views``, a dict of path -> view; it dispatches a request to the
view registered for its path and declines every other path (the core then
answers 404). Routing is a separate plugin; these tests do not need it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import servers
from sessions_support import SECRET, add_views_plugin

from corolla import App
from corolla.testing import SyntheticPlugins


@pytest.fixture
def sessions_app(make_app: Callable[..., App], corolla_plugins: SyntheticPlugins) -> Callable[..., App]:
    """``sessions_app(views={path: view}, sessions={...}, core={...}, plugins=[...])``: an app with the real plugin."""
    add_views_plugin(corolla_plugins)

    def build(
        views: dict[str, Callable[..., Any]] | None = None,
        sessions: dict[str, Any] | None = None,
        core: dict[str, Any] | None = None,
        plugins: list[str] | None = None,
        orm: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> App:
        config = {"core": {"secret_key": SECRET, **(core or {})}, "sessions": sessions or {}}
        if orm is not None:
            config["orm"] = orm
        app = make_app(["sessions", "views", *(plugins or [])], config, isolated=False, **kwargs)
        app.views.update(views or {})  # type: ignore[attr-defined]
        return app

    return build


@pytest.fixture
def redis_url(redis_server: servers.Redis) -> Iterator[str]:
    """The shared test Redis, emptied after the test."""
    yield redis_server.url
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
