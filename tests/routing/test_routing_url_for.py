"""url_for: round trips over every registered rule, external URLs, and errors that name what is wrong."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from werkzeug.routing import BuildError
from werkzeug.test import Client

from corolla import App
from corolla_routing import Router, UrlBuildError

SAMPLES: dict[str, list[Any]] = {
    "default": ["alice", "a b", "ünï", "x%y"],
    "string": ["abc"],
    "int": [0, 7, 123456],
    "float": [1.5, 0.25],
    "path": ["a/b/c.txt", "single", "spaced dir/é.png"],
    "uuid": [uuid.UUID("12345678-1234-5678-1234-567812345678")],
    "any": ["red", "green"],
}


def view(request: Any, **values: Any) -> str:
    return "ok"


def register_everything(app: App) -> None:
    app.add_url_rule("/", "index", view)
    app.add_url_rule("/users/<name>", "user", view)
    app.add_url_rule("/users/<name>/posts/<int:post_id>", "post", view, methods=["GET", "PUT"])
    app.add_url_rule("/code/<string(length=3):code>", "code", view)
    app.add_url_rule("/price/<float:amount>", "price", view)
    app.add_url_rule("/files/<path:filename>", "file", view)
    app.add_url_rule("/things/<uuid:thing>", "thing", view)
    app.add_url_rule("/colour/<any(red, green):colour>", "colour", view)
    app.add_url_rule("/dir/", "dir", view)
    app.add_url_rule("/static/<path:filename>", "static", build_only=True)
    api = Router("/api", name="api", defaults={"version": 2})
    api.add_url_rule("/items/<int:item_id>", "item", lambda request, item_id, version: "ok")
    app.include(api)


def sample_values(rule: Any) -> list[dict[str, Any]]:
    """Every combination of one sample per argument (the first sample for the others)."""
    names = sorted(rule.arguments - set(rule.defaults or ()))
    kinds = {name: type(rule._converters[name]).__name__ for name in names}
    key = {
        "UnicodeConverter": "string",
        "IntegerConverter": "int",
        "Int64Converter": "int",  # routing's int: werkzeug's, bounded to 64 bits
        "FloatConverter": "float",
        "PathConverter": "path",
        "UUIDConverter": "uuid",
        "AnyConverter": "any",
    }
    combos: list[dict[str, Any]] = [{}]
    for name in names:
        kind = key[kinds[name]]
        samples = SAMPLES["string" if name == "code" else "default" if kind == "string" else kind]
        combos = [dict(c, **{name: s}) for c in combos for s in samples]
    return combos


def test_every_rule_round_trips(app: App, client: Client) -> None:
    register_everything(app)
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        for values in sample_values(rule):
            url = app.url_for(rule.endpoint, **values)
            assert url.startswith("/")
            if rule.build_only:
                continue
            # the URL is percent-encoded; a server decodes it into PATH_INFO before matching
            endpoint, matched = adapter.match(unquote(url), "GET" if "GET" in rule.methods else sorted(rule.methods)[0])
            assert endpoint == rule.endpoint
            expected = {**(rule.defaults or {}), **values}
            assert matched == expected, url
            # and through the real app: the request reaches the view with the same rule
            assert client.get(url).status_code == 200, url
            checked += 1
    assert checked >= 20


def test_request_url_for_and_external(app: App, client: Client) -> None:
    @app.get("/users/<int:user_id>")
    def show(request: Any, user_id: int) -> dict[str, str]:
        return {
            "relative": request.url_for("show", user_id=user_id + 1),
            "external": request.url_for("show", user_id=1, _external=True),
            "https": request.url_for("show", user_id=1, _scheme="https"),
            "query": request.url_for("show", user_id=1, page=2, q="a b"),
            "anchor": request.url_for("show", user_id=1, _anchor="top"),
        }

    response = client.get("/users/5", base_url="http://example.org:8080/root/")
    assert response.json == {
        "relative": "/root/users/6",
        "external": "http://example.org:8080/root/users/1",
        "https": "https://example.org:8080/root/users/1",
        "query": "/root/users/1?page=2&q=a+b",
        "anchor": "/root/users/1#top",
    }


def test_app_url_for_outside_a_request(build: Any) -> None:
    app = build(
        {"routing": {"server_name": "example.com", "application_root": "/app", "preferred_url_scheme": "https"}}
    )
    app.get("/about", endpoint="about")(view)
    assert app.url_for("about") == "/app/about"
    assert app.url_for("about", _external=True) == "https://example.com/app/about"


def test_external_outside_a_request_needs_a_server_name(app: App) -> None:
    app.get("/about", endpoint="about")(view)
    with pytest.raises(UrlBuildError, match=r"needs the server's name: set \[routing\] server_name"):
        app.url_for("about", _external=True)


def test_missing_value_is_named(app: App) -> None:
    app.get("/users/<int:user_id>/posts/<slug>", endpoint="post")(view)
    with pytest.raises(UrlBuildError) as info:
        app.url_for("post", user_id=1)
    assert "url_for('post')" in str(info.value)
    assert "missing 'slug'" in str(info.value)
    assert isinstance(info.value, BuildError)  # code written for Flask keeps working


def test_unexpected_values_are_named_when_the_build_fails(app: App) -> None:
    app.get("/users/<int:user_id>", endpoint="user")(view)
    with pytest.raises(UrlBuildError, match=r"missing 'user_id'; unexpected 'id'"):
        app.url_for("user", id=3)
    # alone, extra values are query arguments, as in werkzeug and Flask
    assert app.url_for("user", user_id=3, id=4) == "/users/3?id=4"


def test_unknown_endpoint_suggests_a_close_one(app: App) -> None:
    app.get("/users", endpoint="list_users")(view)
    with pytest.raises(UrlBuildError, match=r"no route has the endpoint 'list_user'; did you mean 'list_users'"):
        app.url_for("list_user")


def test_value_refused_by_its_converter(app: App) -> None:
    app.get("/n/<int:n>", endpoint="n")(view)
    with pytest.raises(UrlBuildError, match=r"refused by its converter"):
        app.url_for("n", n="abc")


def test_method_is_considered(app: App) -> None:
    app.route("/a", endpoint="a", methods=["POST"])(view)
    assert app.url_for("a", _method="POST") == "/a"
    with pytest.raises(UrlBuildError, match=r"\n  rule '/a': _method='GET' is not one of 'POST'$"):
        app.url_for("a", _method="GET")


def test_relative_endpoint_resolves_against_the_current_group(app: App, client: Client) -> None:
    api = Router("/api", name="api")
    api.get("/a")(lambda request: request.url_for(".b", x=1))
    api.get("/b", endpoint="b")(view)
    app.include(api)
    app.get("/b", endpoint="b")(view)
    app.get("/top", endpoint="top")(lambda request: request.url_for(".b"))
    assert client.get("/api/a").text == "/api/b?x=1"
    assert client.get("/top").text == "/b"  # no group: the app's own endpoint


def test_relative_endpoint_in_an_unnamed_group_is_the_apps(app: App, client: Client) -> None:
    group = Router("/g")
    group.get("/a")(lambda request: request.url_for(".b"))
    group.get("/b", endpoint="b")(view)
    app.include(group)
    assert client.get("/g/a").text == "/g/b"


def test_relative_endpoint_outside_a_request_is_explained(app: App) -> None:
    app.get("/b", endpoint="b")(view)
    with pytest.raises(UrlBuildError, match=r"url_for\('\.b'\): a relative endpoint needs a request"):
        app.url_for(".b")
