"""Routes through the real WSGI app: converters, methods, HEAD/OPTIONS/405, redirects, hosts, registration errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from werkzeug.routing import BaseConverter, ValidationError
from werkzeug.test import Client

from corolla import App
from corolla_routing import Route, RoutingError


def echo(request: Any, **values: Any) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in values.items()}


U = "12345678-1234-5678-1234-567812345678"

CONVERTERS = [
    # rule, path, expected values (None: 404)
    ("/s/<name>", "/s/alice", {"name": "alice"}),
    ("/s/<name>", "/s/a/b", None),
    ("/len/<string(length=3):code>", "/len/abc", {"code": "abc"}),
    ("/len/<string(length=3):code>", "/len/abcd", None),
    ("/max/<string(maxlength=2):code>", "/max/abc", None),
    ("/i/<int:n>", "/i/42", {"n": 42}),
    ("/i/<int:n>", "/i/-1", None),
    ("/i/<int:n>", "/i/x", None),
    ("/neg/<int(signed=True):n>", "/neg/-7", {"n": -7}),
    ("/range/<int(min=1, max=9):n>", "/range/10", None),
    ("/range/<int(min=1, max=9):n>", "/range/9", {"n": 9}),
    ("/digits/<int(fixed_digits=4):n>", "/digits/0042", {"n": 42}),
    ("/digits/<int(fixed_digits=4):n>", "/digits/42", None),
    ("/f/<float:x>", "/f/1.5", {"x": 1.5}),
    ("/f/<float:x>", "/f/1", None),
    ("/p/<path:rest>", "/p/a/b/c.txt", {"rest": "a/b/c.txt"}),
    ("/u/<uuid:id>", f"/u/{U}", {"id": U}),
    ("/u/<uuid:id>", "/u/not-a-uuid", None),
    ("/a/<any(red, green):colour>", "/a/green", {"colour": "green"}),
    ("/a/<any(red, green):colour>", "/a/blue", None),
    ("/two/<int:a>/<name>", "/two/3/x", {"a": 3, "name": "x"}),
]


@pytest.mark.parametrize(("rule", "path", "expected"), CONVERTERS, ids=[c[1] for c in CONVERTERS])
def test_converters(app: App, client: Client, rule: str, path: str, expected: dict[str, Any] | None) -> None:
    app.add_url_rule(rule, "view", echo)
    response = client.get(path)
    if expected is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.json == expected


def test_view_gets_the_request_first_and_values_as_keywords(app: App, client: Client) -> None:
    @app.get("/users/<int:user_id>/posts/<slug>")
    def show(request: Any, user_id: int, slug: str) -> str:
        return f"{request.method} {request.url_rule.endpoint} {user_id} {slug} {request.view_args}"

    assert client.get("/users/7/posts/hi").text == "GET show 7 hi {'user_id': 7, 'slug': 'hi'}"


METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.mark.parametrize("verb", METHODS)
def test_method_shortcuts(app: App, client: Client, verb: str) -> None:
    getattr(app, verb)("/thing")(lambda request: verb)
    assert client.open("/thing", method=verb.upper()).text == verb
    other = "POST" if verb != "post" else "GET"
    wrong = client.open("/thing", method=other)
    assert wrong.status_code == 405
    expected = {verb.upper(), "OPTIONS"} | ({"HEAD"} if verb == "get" else set())
    assert set(wrong.headers["Allow"].split(", ")) == expected


def test_route_with_several_methods_and_one_view_per_method(app: App, client: Client) -> None:
    app.route("/items", methods=["GET", "POST"])(lambda request: request.method)
    app.delete("/items", endpoint="wipe")(lambda request: "wiped")
    assert client.get("/items").text == "GET"
    assert client.post("/items").text == "POST"
    assert client.delete("/items").text == "wiped"
    response = client.put("/items")
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, POST"


def test_head_is_automatic_for_get_and_has_no_body(app: App, client: Client) -> None:
    app.get("/page", endpoint="page")(lambda request: "body")
    app.get("/json", endpoint="json")(lambda request: {"a": 1})
    for path in ("/page", "/json"):
        response = client.head(path)
        assert response.status_code == 200
        assert response.data == b""
        assert int(response.headers["Content-Length"]) > 0


def test_options_is_automatic(app: App, client: Client) -> None:
    app.route("/x", methods=["GET", "POST"])(lambda request: "x")
    response = client.options("/x")
    assert response.status_code == 200
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert client.options("/nowhere").status_code == 404


def test_a_route_can_handle_options_itself(app: App, client: Client) -> None:
    app.route("/cors", methods=["GET", "OPTIONS"])(lambda request: ("", 204, {"X-Mine": "1"}))
    response = client.options("/cors")
    assert response.status_code == 204
    assert response.headers["X-Mine"] == "1"


def test_404_is_a_plain_not_found(app: App, client: Client) -> None:
    app.get("/")(lambda request: "home")
    response = client.get("/missing")
    assert response.status_code == 404
    assert "Not Found" in response.text
    assert "No plugin handled" not in response.text


def test_strict_slashes_redirect_with_308_and_keep_the_query(app: App, client: Client) -> None:
    app.get("/dir/")(lambda request: "dir")
    response = client.get("/dir?a=1&b=%C3%A9")
    assert response.status_code == 308
    assert response.headers["Location"] == "/dir/?a=1&b=%C3%A9"
    assert client.get("/dir/").text == "dir"
    assert client.get("/dir", follow_redirects=True).text == "dir"


def test_strict_slashes_off(build: Any) -> None:
    app = build({"routing": {"strict_slashes": False}})
    app.get("/dir/")(lambda request: "dir")
    assert Client(app).get("/dir").text == "dir"


def test_strict_slashes_per_route(app: App, client: Client) -> None:
    app.get("/loose/", strict_slashes=False)(lambda request: "loose")
    assert client.get("/loose").text == "loose"


def test_merged_slashes_redirect(app: App, client: Client) -> None:
    app.get("/a/b")(lambda request: "ab")
    response = client.get("/a//b")
    assert response.status_code == 308
    assert response.headers["Location"] == "/a/b"


@pytest.mark.parametrize("path", ["/notes//new", "/notes"])
def test_redirects_the_framework_makes_never_echo_the_host_header(app: App, client: Client, path: str) -> None:
    app.get("/notes/", endpoint="notes")(lambda request: "notes")
    app.get("/notes/new", endpoint="new")(lambda request: "new")
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert "evil.example" not in response.headers["Location"]
    assert response.headers["Location"].startswith("/notes/")


def test_redirect_uses_the_script_root(app: App) -> None:
    app.get("/dir/")(lambda request: "dir")
    response = Client(app).get("/dir", environ_overrides={"SCRIPT_NAME": "/prefix"})
    assert response.headers["Location"] == "/prefix/dir/"


def test_redirect_to_and_defaults(app: App, client: Client) -> None:
    app.get("/old/<int:n>", endpoint="old", redirect_to="/new/<n>")(lambda request, n: "never")
    app.get("/new/<int:n>")(lambda request, n: f"new {n}")

    @app.get("/page/", defaults={"n": 1})
    @app.get("/page/<int:n>")
    def page(request: Any, n: int) -> str:
        return f"page {n}"

    response = client.get("/old/3")
    assert response.status_code == 308
    assert response.headers["Location"] == "/new/3"
    assert client.get("/page/").text == "page 1"
    assert client.get("/page/4").text == "page 4"
    # werkzeug redirects the URL that repeats the default to the canonical one
    assert client.get("/page/1").headers["Location"] == "/page/"


def test_host_matching(build: Any) -> None:
    app = build({"routing": {"host_matching": True}})
    app.get("/", host="example.com", endpoint="main")(lambda request: "main")
    app.get("/", host="<user>.example.com", endpoint="user")(lambda request, user: f"user {user}")
    client = Client(app)
    assert client.get("/", base_url="http://example.com").text == "main"
    assert client.get("/", base_url="http://ann.example.com").text == "user ann"
    assert client.get("/", base_url="http://other.org").status_code == 404
    assert app.url_for("user", user="bob") == "http://bob.example.com/"


def test_subdomain_matching(build: Any) -> None:
    app = build({"routing": {"server_name": "example.com", "subdomain_matching": True}})
    app.get("/")(lambda request: "main")
    app.get("/", subdomain="api", endpoint="api")(lambda request: "api")
    app.get("/", subdomain="<team>", endpoint="team")(lambda request, team: f"team {team}")
    client = Client(app)
    assert client.get("/", base_url="http://example.com").text == "main"
    assert client.get("/", base_url="http://api.example.com").text == "api"
    assert client.get("/", base_url="http://red.example.com").text == "team red"
    assert client.get("/", base_url="http://10.0.0.1").status_code == 404
    assert app.url_for("team", team="blue") == "http://blue.example.com/"


def test_host_and_subdomain_need_their_config(app: App) -> None:
    with pytest.raises(RoutingError, match=r"host_matching = true"):
        app.get("/", host="example.com")(echo)
    with pytest.raises(RoutingError, match=r"subdomain_matching = true"):
        app.get("/", subdomain="api")(echo)


def test_subdomain_matching_needs_a_server_name(make_app: Any) -> None:
    from corolla import ConfigError

    with pytest.raises(ConfigError, match=r"subdomain_matching = True: needs \[routing\] server_name"):
        make_app(["routing"], {"routing": {"subdomain_matching": True}}, isolated=False)


class EvenConverter(BaseConverter):
    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def test_user_converter_from_config(build: Any) -> None:
    app = build({"routing": {"converters": {"even": f"{__name__}:EvenConverter"}}})
    app.get("/even/<even:n>")(lambda request, n: {"n": n})
    client = Client(app)
    assert client.get("/even/4").json == {"n": 4}
    assert client.get("/even/3").status_code == 404  # ValidationError -> 404, not 500
    assert app.url_for("<lambda>", n=8) == "/even/8"


def test_user_converter_on_the_url_map(app: App, client: Client) -> None:
    app.url_map.converters["even"] = EvenConverter
    app.get("/even/<even:n>", endpoint="even")(lambda request, n: str(n))
    assert client.get("/even/10").text == "10"
    assert client.get("/even/11").status_code == 404


def test_bad_converter_config_is_named(make_app: Any) -> None:
    from corolla import PluginError

    with pytest.raises(PluginError, match=r"converters.even = 'nowhere:Nothing': cannot import"):
        make_app(["routing"], {"routing": {"converters": {"even": "nowhere:Nothing"}}}, isolated=False)
    with pytest.raises(PluginError, match=r"not a subclass of werkzeug.routing.BaseConverter"):
        make_app(["routing"], {"routing": {"converters": {"even": "uuid:UUID"}}}, isolated=False)


def test_a_converter_that_is_no_import_path_is_a_plan_problem(make_app: Any) -> None:
    from corolla import ConfigError

    with pytest.raises(ConfigError, match=r"converters 'even': give 'module:Class'"):
        make_app(["routing"], {"routing": {"converters": {"even": "EvenConverter"}}}, isolated=False)


def test_unknown_converter_is_a_clear_error(app: App) -> None:
    with pytest.raises(RoutingError, match=r"'/x/<slug:s>'.*known converters: any, default, float, int"):
        app.get("/x/<slug:s>")(echo)


def test_malformed_rules_and_options(app: App) -> None:
    with pytest.raises(RoutingError, match=r"starting with '/'"):
        app.get("nope")(echo)
    with pytest.raises(RoutingError, match=r"unknown option 'strict_slash'"):
        app.get("/x", strict_slash=False)(echo)
    with pytest.raises(RoutingError, match=r"is malformed"):
        app.get("/x/<int:a>/<int:a>")(echo)
    with pytest.raises(RoutingError, match=r"'G ET' is not an HTTP method"):
        app.route("/x", methods=["G ET"])(echo)
    with pytest.raises(TypeError, match=r"not a string"):
        app.route("/x", methods="GET")  # type: ignore[arg-type]
    with pytest.raises(RoutingError, match=r"no view given"):
        app.add_url_rule("/x", "x")


def test_endpoint_defaults_to_the_qualified_name(app: App) -> None:
    class Views:
        @staticmethod
        def show(request: Any) -> str:
            return "show"

    def index(request: Any) -> str:
        return "index"

    app.get("/")(index)
    app.get("/show")(Views.show)
    assert {r.endpoint for r in app.url_map.iter_rules()} == {"index", "Views.show"}


def test_duplicate_endpoint_names_both_views(app: App) -> None:
    def index(request: Any) -> str:
        return "one"

    app.get("/")(index)
    app.get("/again")(index)  # the same view under a second rule is fine

    def other() -> Any:
        def index(request: Any) -> str:
            return "two"

        return index

    with pytest.raises(RoutingError) as info:
        app.get("/two")(other())
    message = str(info.value)
    assert "duplicate endpoint 'index'" in message
    assert "test_duplicate_endpoint_names_both_views.<locals>.index" in message
    assert "other.<locals>.index" in message
    assert "test_routing_routes.py:" in message
    assert "endpoint='...'" in message


def test_two_endpoints_on_one_rule_and_method_are_refused_naming_both(app: App, client: Client) -> None:
    def home(request: Any) -> str:
        return "home"

    def landing(request: Any) -> str:
        return "landing"

    app.get("/")(home)
    app.post("/")(landing)  # another method on the same rule is a different route
    with pytest.raises(RoutingError) as info:
        app.route("/", methods=["GET", "PUT"])(landing)
    message = str(info.value)
    assert "route '/' (GET) is registered twice" in message
    assert "endpoint 'landing'" in message and "endpoint 'home'" in message
    assert "test_two_endpoints_on_one_rule_and_method_are_refused_naming_both.<locals>.home" in message
    assert "registered by app" in message
    # Nothing was shadowed: the first stays the one that answers.
    assert client.get("/").text == "home"
    assert client.post("/").text == "landing"


def test_routes_are_frozen_after_the_first_request(app: App, client: Client) -> None:
    app.get("/", endpoint="home")(lambda request: "home")
    app.url_for("home")  # building does not freeze
    app.get("/before", endpoint="before")(lambda request: "before")
    assert client.get("/").text == "home"
    with pytest.raises(RoutingError, match=r"already served its first request.*frozen"):
        app.get("/after", endpoint="after")(lambda request: "after")
    assert client.get("/after").status_code == 404


def test_views_return_anything_the_core_makes_a_response_of(app: App, client: Client) -> None:
    app.get("/tuple", endpoint="tuple")(lambda request: ("made", 201, {"X-A": "b"}))
    app.get("/bytes", endpoint="bytes")(lambda request: b"raw")
    response = client.get("/tuple")
    assert (response.status_code, response.text, response.headers["X-A"]) == (201, "made", "b")
    assert client.get("/bytes").data == b"raw"


def test_url_rule_is_a_route_with_its_view(app: App, client: Client) -> None:
    seen: list[Any] = []

    @app.get("/r/<int:n>")
    def view(request: Any, n: int) -> str:
        seen.append(request.url_rule)
        return "ok"

    client.get("/r/1")
    (rule,) = seen
    assert isinstance(rule, Route)
    assert rule.view is view
    assert rule.group is None
    assert rule.registered_by == "app"


def test_two_apps_do_not_share_routes(build: Any) -> None:
    one, two = build(), build()
    one.get("/")(lambda request: "one")
    assert Client(one).get("/").text == "one"
    assert Client(two).get("/").status_code == 404


def test_static_matches_are_remembered_safely(app: App, client: Client) -> None:
    @app.get("/page", defaults={"lang": "en"})
    def page(request: Any, lang: str) -> str:
        request.view_args["lang"] = "mutated"  # must not leak into the next request
        return lang

    app.get("/loose/", endpoint="loose", strict_slashes=False)(lambda request: "loose")
    app.get("/plain", endpoint="plain")(lambda request: "plain")
    app.mount("/legacy", lambda environ, start_response: (start_response("200 OK", []), [b"legacy"])[1])
    for _ in range(3):
        assert client.get("/page").text == "en"
        assert client.head("/plain").status_code == 200
        assert client.get("/plain").text == "plain"
        assert client.get("/loose").text == "loose"
        assert client.get("/legacy").text == "legacy"
    for method in ("BREW", "PUT", "X1", "X2"):
        client.open("/plain", method=method)
        client.open("/legacy", method=method)
    known = app.plugins["routing"].table.static_matches
    # rules with defaults (their values are arguments) and mounts (any method) are matched every time
    assert set(known) == {("/plain", "GET"), ("/plain", "HEAD"), ("/loose", "GET")}
    assert client.post("/page").status_code == 405


def test_error_pages_with_and_without_a_response_hook(corolla_plugins: Any, build: Any) -> None:
    corolla_plugins.add(
        "stamp",
        body="""
            @hookimpl
            def corolla_response(self, request, response):
                response.headers["X-Stamp"] = str(response.status_code)
        """,
    )
    for plugins in ([], ["stamp"]):
        app = build(plugins=plugins)
        app.get("/only-get", endpoint="g")(lambda request: "g")
        client = Client(app)
        missing, wrong, head = client.get("/missing"), client.post("/only-get"), client.head("/missing")
        assert (missing.status_code, wrong.status_code, head.status_code) == (404, 405, 404)
        assert "<title>404 Not Found</title>" in missing.text
        assert head.data == b""
        assert wrong.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert missing.headers.get("X-Stamp") == ("404" if plugins else None)
        assert wrong.headers.get("X-Stamp") == ("405" if plugins else None)
