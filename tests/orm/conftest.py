"""Fixtures for the orm plugin's tests: a tiny dispatch plugin and a PostgreSQL database per test.

Routing is its own plugin (built elsewhere); these tests dispatch with
``views``, a synthetic plugin that looks ``request.path`` up in
``app.views`` (a dict the test fills) and answers errors with
``app.error_pages[status]`` like routing's ``@app.errorhandler(status)``, so
the orm plugin is tested through a real App and the real WSGI path.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from corolla import App

VIEWS_PLUGIN = """
@hookimpl
def corolla_app_attributes(self, app):
    self.views, self.error_pages = {}, {}
    return {"views": self.views, "error_pages": self.error_pages}

@hookimpl
def corolla_handle_exception(self, request, exception):
    # Like routing's @app.errorhandler(code): pages by HTTP status.
    page = self.error_pages.get(getattr(exception, "code", None))
    return page(request, exception) if page is not None else None

@hookimpl
def corolla_dispatch(self, request):
    view = self.views.get(request.path)
    return view(request) if view is not None else None
"""


@pytest.fixture(autouse=True)
def views_plugin(corolla_plugins: Any) -> None:
    corolla_plugins.add("views", app_attributes=["views", "error_pages"], body=VIEWS_PLUGIN)


@pytest.fixture
def orm_app(make_app: Callable[..., App]) -> Callable[..., App]:
    """``orm_app(config={...})``: an App with the orm and views plugins."""

    def build(orm: dict[str, Any] | None = None, **kwargs: Any) -> App:
        return make_app(["orm", "views"], {"orm": orm or {}}, isolated=False, **kwargs)

    return build


@pytest.fixture
def pg_url(postgres_server: Any) -> Iterator[str]:
    """A fresh PostgreSQL database of its own for this test, on the shared cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
