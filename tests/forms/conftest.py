"""Fixtures for the forms plugin: a real app with a session provider and a tiny dispatch plugin.

Routing is another plugin, built in parallel; these tests dispatch with a
plugin of their own (``views``): ``app.test_routes`` maps a path to a view
``view(request)``. Like the routing plugin, it tells which view will run
through the lazy ``request.url_rule`` (``.view``), which ``csrf_everywhere``
reads to honour ``@csrf_exempt``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from forms_support import SECRET

import corolla

VIEWS = """
@hookimpl
def corolla_request_attributes(self, app):
    import types

    def url_rule(request):
        view = getattr(app, "test_routes", {}).get(request.path)
        return types.SimpleNamespace(view=view) if view is not None else None
    return {"url_rule": url_rule}

@hookimpl
def corolla_dispatch(self, request):
    rule = request.url_rule
    return rule.view(request) if rule is not None else None
"""

# A second, minimal provider of the `sessions` capability (server-side, in
# memory): forms must work with any provider, not only corolla-sessions.
MEMORY_SESSIONS = """
import secrets

class _Session(dict):
    modified = False
    new = True
    permanent = False

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key):
        super().__delitem__(key)
        self.modified = True

    def regenerate(self):
        self.modified = True

class Plugin(corolla.Plugin):
    provides = ["sessions==0.1"]
    request_attributes = ["session"]

    def __init__(self, *args):
        super().__init__(*args)
        self.store = {}

    @hookimpl
    def corolla_request_attributes(self, app):
        def session(request):
            sid = request.cookies.get("memsid")
            session = _Session(self.store.get(sid, {}))
            session.new = sid not in self.store
            session.sid = sid
            return session
        return {"session": session}

    @hookimpl
    def corolla_wrap_request(self, app, handler):
        def save(request):
            result = handler(request)
            if request.touched("session") and request.session.modified:
                session = request.session
                sid = session.sid if session.sid in self.store else secrets.token_hex(8)
                self.store[sid] = dict(session)
                response = corolla.make_response(result, request)
                response.set_cookie("memsid", sid)
                return response
            return result
        return save
"""


@pytest.fixture(autouse=True)
def views_plugin(corolla_plugins: Any) -> None:
    corolla_plugins.add("views", body=VIEWS, request_attributes=["url_rule"])
    corolla_plugins.add("memsessions", source="import corolla\nfrom corolla import hookimpl\n" + MEMORY_SESSIONS)


@pytest.fixture
def forms_app(make_app: Callable[..., corolla.App]) -> Callable[..., corolla.App]:
    """``forms_app(routes, config=None, sessions="sessions")``: an app over sessions, forms and views."""

    def build(
        routes: Mapping[str, Callable[..., Any]],
        config: Mapping[str, Any] | None = None,
        sessions: str = "sessions",
    ) -> corolla.App:
        merged: dict[str, Any] = {"core": {"secret_key": SECRET}}
        for section, values in (config or {}).items():
            merged[section] = {**merged.get(section, {}), **values}
        app = make_app([sessions, "forms", "views"], merged, isolated=False)
        app.test_routes = dict(routes)  # type: ignore[attr-defined]
        return app

    return build
