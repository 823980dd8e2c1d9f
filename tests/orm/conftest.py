"""Fixtures for the orm plugin's tests: a tiny dispatch plugin and a PostgreSQL database per test.

Routing is its own plugin (built elsewhere); these tests dispatch with
``views``, a synthetic plugin that looks ``request.path`` up in
``app.views`` (a dict the test fills) and answers errors with
``app.error_pages[status]`` like routing's ``@app.errorhandler(status)``, so
the orm plugin is tested through a real App and the real WSGI path.

``Model.metadata`` is shared by every app in the process, and other test
folders add their tables to it (``notes`` and ``auth_*`` when their models are
imported, ``forms_test_articles``, the sessions sql backend's
``corolla_sessions``). ``create_all`` and autogenerate act on every table in
it, so during each orm test it holds only the orm tests' own tables
(``orm_test_*``): what these tests create and generate does not depend on
which tests ran before them in the same process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from corolla import App
from corolla_orm import Model

#: The tables the orm tests' own models declare.
OWN_TABLES = "orm_test_"

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
def own_tables_only() -> Iterator[None]:
    """``Model.metadata`` without other folders' tables for the test, then with them again (the same objects)."""
    metadata = Model.metadata
    others = [table for table in metadata.tables.values() if not table.name.startswith(OWN_TABLES)]
    for table in others:
        metadata.remove(table)
    try:
        yield
    finally:
        for table in others:
            if table.key not in metadata.tables:
                # MetaData has no public way back in for a Table it already made
                # (its mapped class still uses that object); this is what Table() calls.
                metadata._add_table(table.name, table.schema, table)


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
    with postgres_server.new_database("t") as url:
        yield url
