"""Views are checked where they are registered: their signature and `async def`, named in the error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from corolla import App
from corolla_routing import Router, RoutingError


def test_a_flask_style_view_without_request_is_refused_naming_it(app: App) -> None:
    def index() -> str:
        return "hello"

    with pytest.raises(RoutingError) as info:
        app.get("/")(index)
    message = str(info.value)
    assert "route '/': the view test_routing_view_checks." in message
    assert "index (tests/routing/test_routing_view_checks.py:" in message
    assert "cannot be called as view(request)" in message
    assert "too many positional arguments" in message
    assert "def index(request): ..." in message
    assert not list(app.url_map.iter_rules())  # nothing half-added


def test_a_view_missing_a_rule_value_is_refused(app: App) -> None:
    def show(request: Any, note_id: int) -> str:
        return str(note_id)

    with pytest.raises(RoutingError) as info:
        app.get("/notes/<int:id>")(show)
    message = str(info.value)
    assert "cannot be called as view(request, id=...)" in message
    assert "def show(request, id): ..." in message


@pytest.mark.parametrize(
    ("rule", "view", "options"),
    [
        ("/a/<int:x>/<path:rest>", lambda request, x, rest: "ok", {}),
        ("/b/<name>", lambda request, **values: "ok", {}),
        ("/c/", lambda request, page: "ok", {"defaults": {"page": 1}}),
        ("/d/<any(a, b):kind>", lambda request, kind, extra=None: "ok", {}),
        ("/e", lambda *args: "ok", {}),
    ],
    ids=["two-values", "kwargs", "defaults", "any-converter", "varargs"],
)
def test_views_that_fit_are_accepted(app: App, rule: str, view: Callable[..., Any], options: dict[str, Any]) -> None:
    app.get(rule, **options)(view)


def test_a_decorated_view_is_checked_through_functools_wraps(app: App, client: Client) -> None:
    def logged(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    @app.get("/n/<int:n>")
    @logged
    def number(request: Any, n: int) -> str:
        return str(n)

    with pytest.raises(RoutingError, match=r"cannot be called as view\(request, n=\.\.\.\)"):

        @app.get("/m/<int:n>", endpoint="m")
        @logged
        def wrong(request: Any) -> str:
            return ""

    assert client.get("/n/3").text == "3"


def test_a_router_prefix_value_is_checked_on_include(app: App, client: Client) -> None:
    users = Router("users")

    @users.get("/posts")
    def posts(request: Any, user: str) -> str:
        return user

    app.include(users, prefix="/u/<user>")
    others = Router("others")
    others.get("/posts")(lambda request: "x")
    with pytest.raises(RoutingError, match=r"cannot be called as view\(request, user=\.\.\.\)"):
        app.include(others, prefix="/o/<user>")
    assert client.get("/u/ada/posts").text == "ada"


@pytest.mark.parametrize("where", ["app", "router"])
def test_an_async_view_is_refused_with_what_to_do(app: App, where: str) -> None:
    async def feed(request: Any) -> str:
        return "never"

    target: Any = app if where == "app" else Router("feeds")
    with pytest.raises(RoutingError) as info:
        target.get("/feed")(feed)
    message = str(info.value)
    assert "the view test_routing_view_checks." in message and "feed (" in message
    assert "is `async def`, but Corolla serves WSGI" in message
    assert "Make it a plain `def`" in message
