"""Router groups, error handlers (app-wide and per group), and routers shipped by plugins."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.test import Client

from corolla import App
from corolla_routing import Router, RoutingError


def make_api() -> Router:
    api = Router("/api", name="api", defaults={"version": 1})

    @api.get("/items/<int:item_id>")
    def item(request: Any, item_id: int, version: int) -> dict[str, Any]:
        return {"item": item_id, "version": version, "self": request.url_for("api.item", item_id=item_id)}

    @api.get("/boom")
    def boom(request: Any, version: int) -> str:
        raise KeyError("gone")

    @api.errorhandler(404)
    def api_not_found(request: Any, exc: Exception) -> dict[str, str]:
        return {"error": "not found", "path": request.path}

    @api.errorhandler(KeyError)
    def api_key_error(request: Any, exc: Exception) -> tuple[dict[str, str], int]:
        return {"error": f"missing {exc}"}, 410

    return api


def test_prefix_name_and_defaults(app: App, client: Client) -> None:
    app.include(make_api())
    assert client.get("/api/items/3").json == {"item": 3, "version": 1, "self": "/api/items/3"}
    assert app.url_for("api.item", item_id=9) == "/api/items/9"


def test_include_prefix_replaces_the_routers(app: App, client: Client) -> None:
    app.include(make_api(), prefix="/v2/")
    assert client.get("/v2/items/3").json["self"] == "/v2/items/3"
    assert client.get("/api/items/3").status_code == 404


def test_group_error_handlers_apply_under_its_prefix(app: App, client: Client) -> None:
    app.include(make_api())

    @app.errorhandler(404)
    def app_not_found(request: Any, exc: Exception) -> str:
        return "app page not found"

    api_404 = client.get("/api/nothing/here")
    assert api_404.status_code == 404  # the status comes from the exception
    assert api_404.json == {"error": "not found", "path": "/api/nothing/here"}
    assert client.get("/api/boom").status_code == 410
    assert client.get("/api/boom").json == {"error": "missing 'gone'"}
    other = client.get("/elsewhere")
    assert (other.status_code, other.text) == (404, "app page not found")


def test_app_error_handlers_by_class_and_base_class(app: App, client: Client) -> None:
    @app.get("/value", endpoint="value")
    def value(request: Any) -> str:
        raise ValueError("bad value")

    @app.get("/lookup", endpoint="lookup")
    def lookup(request: Any) -> str:
        raise IndexError("no index")

    @app.errorhandler(LookupError)
    def on_lookup(request: Any, exc: Exception) -> str:
        return f"lookup: {exc}"

    @app.errorhandler(Exception)
    def on_anything(request: Any, exc: Exception) -> tuple[str, int]:
        return f"handled {type(exc).__name__}", 400

    assert (client.get("/value").status_code, client.get("/value").text) == (400, "handled ValueError")
    lookup_response = client.get("/lookup")
    assert (lookup_response.status_code, lookup_response.text) == (500, "lookup: no index")


def test_handler_for_405_keeps_the_allow_header(app: App, client: Client) -> None:
    app.get("/only-get", endpoint="g")(lambda request: "g")
    app.errorhandler(405)(lambda request, exc: "nope")
    response = client.post("/only-get")
    assert (response.status_code, response.text) == (405, "nope")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_handler_may_return_a_response_or_an_http_exception(app: App, client: Client) -> None:
    from werkzeug.exceptions import Gone

    from corolla import Response

    app.errorhandler(404)(lambda request, exc: Response("custom", 404, {"X-H": "1"}))
    app.errorhandler(KeyError)(lambda request, exc: Gone())
    app.get("/k", endpoint="k")(lambda request: {}["x"])
    assert client.get("/missing").headers["X-H"] == "1"
    assert client.get("/k").status_code == 410


def test_errorhandler_arguments_are_checked(app: App) -> None:
    with pytest.raises(RoutingError, match=r"999 is not an HTTP error code"):
        app.errorhandler(999)
    with pytest.raises(RoutingError, match=r"pass an HTTP status code"):
        app.errorhandler("404")  # type: ignore[arg-type]


def test_custom_http_exception_handler(app: App, client: Client) -> None:
    class PaymentRequired(HTTPException):
        code = 402
        description = "pay up"

    app.get("/pay", endpoint="pay")(lambda request: (_ for _ in ()).throw(PaymentRequired()))
    app.errorhandler(PaymentRequired)(lambda request, exc: f"please {exc.description}")
    response = client.get("/pay")
    assert (response.status_code, response.text) == (402, "please pay up")


def test_routes_added_to_a_router_after_include_reach_the_app(app: App, client: Client) -> None:
    router = Router("/late", name="late")
    app.include(router)
    router.get("/x", endpoint="x")(lambda request: "late x")
    assert client.get("/late/x").text == "late x"


def test_a_router_is_included_once_per_app(app: App) -> None:
    router = Router("/r")
    app.include(router)
    with pytest.raises(RoutingError, match=r"already included"):
        app.include(router)


def test_one_router_in_two_apps(build: Any) -> None:
    router = make_api()
    one, two = build(), build()
    one.include(router)
    two.include(router, prefix="/other")
    assert Client(one).get("/api/items/1").status_code == 200
    assert Client(two).get("/other/items/1").status_code == 200


def test_unnamed_groups_keep_endpoints_and_clash_is_reported(app: App) -> None:
    def index(request: Any) -> str:
        return "i"

    first, second = Router("/a"), Router("/b")
    first.get("/")(index)

    def other_index(request: Any) -> str:
        return "j"

    second.get("/", endpoint="index")(other_index)
    app.include(first)
    with pytest.raises(RoutingError, match=r"duplicate endpoint 'index'.*use a named Router"):
        app.include(second)


def test_router_name_is_checked() -> None:
    with pytest.raises(RoutingError, match=r"without dots"):
        Router(name="a.b")


ADMIN = """
import corolla
from corolla import hookimpl
from corolla_routing import Router

admin = Router("/admin", name="admin")


@admin.get("/")
def dashboard(request):
    return "dashboard " + request.url_for("admin.dashboard")


@admin.errorhandler(404)
def admin_404(request, exc):
    return "no such admin page"


class Plugin(corolla.Plugin):
    requires = ["routing"]
    settings = {"prefix": corolla.Setting(str, "/admin")}

    @hookimpl
    def corolla_routers(self, app):
        return [(self.config["prefix"], admin)]

    @hookimpl
    def corolla_startup(self, app):
        app.add_url_rule("/admin-static/<path:filename>", endpoint="admin_static", build_only=True)
"""


def test_a_plugin_ships_a_router(corolla_plugins: Any, build: Any) -> None:
    corolla_plugins.add("admin", source=ADMIN)
    app = build({"admin": {"prefix": "/backstage"}}, plugins=["admin"])
    client = Client(app)
    assert client.get("/backstage/").text == "dashboard /backstage/"
    assert client.get("/backstage/nope").text == "no such admin page"
    by = {r.endpoint: r.registered_by for r in app.url_map.iter_rules()}
    assert by == {"admin.dashboard": "plugin 'admin'", "admin_static": "plugin 'admin'"}
    assert app.url_for("admin_static", filename="a.css") == "/admin-static/a.css"


def test_a_bad_corolla_routers_result_names_the_plugin(corolla_plugins: Any, build: Any) -> None:
    from corolla import PluginError

    corolla_plugins.add(
        "broken",
        requires=["routing"],
        body="""
            @hookimpl
            def corolla_routers(self, app):
                return ["not a router"]
        """,
    )
    with pytest.raises(PluginError, match=r"plugin 'broken': corolla_routers returned 'not a router'"):
        build(plugins=["broken"])


def test_corolla_routers_without_the_app_parameter(corolla_plugins: Any, build: Any) -> None:
    # pluggy lets an implementation take a subset of the spec's arguments.
    corolla_plugins.add(
        "shop",
        requires=["routing"],
        body="""
            @hookimpl
            def corolla_routers(self):
                from corolla_routing import Router

                shop = Router("/shop", name="shop")

                @shop.get("/")
                def index(request):
                    return "the shop"

                return shop
        """,
    )
    app = build(plugins=["shop"])
    assert Client(app).get("/shop/").text == "the shop"


def test_a_failing_corolla_routers_names_the_implementing_plugin(corolla_plugins: Any, build: Any) -> None:
    from corolla import PluginError

    corolla_plugins.add(
        "broken",
        requires=["routing"],
        body="""
            @hookimpl
            def corolla_routers(self, app):
                raise LookupError("no routers today")
        """,
    )
    with pytest.raises(PluginError, match=r"plugin 'broken' \(corolla-broken 1.0\) failed in corolla_routers") as err:
        build(plugins=["broken"])
    assert err.value.plugin == "broken"
