"""Hooks other plugins use: the template context (a hook the templates plugin declares), deploy checks."""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

SPEC_PLUGIN = """
import corolla
from corolla import hookimpl, hookspec


class Specs:
    @hookspec
    def corolla_template_context(self, request):
        "As the templates plugin declares it."


class Plugin(corolla.Plugin):
    hookspecs = Specs
    optional = ["routing"]

    @hookimpl
    def corolla_startup(self, app):
        self.context_outside = app.plugin_manager.hook.corolla_template_context(request=None)
"""


def test_template_context_gives_url_for(corolla_plugins: Any, build: Any) -> None:
    corolla_plugins.add("fake-templates", source=SPEC_PLUGIN)
    app = build(plugins=["fake-templates"])
    app.get("/users/<int:user_id>", endpoint="user")(
        lambda request, user_id: app.plugin_manager.hook.corolla_template_context(request=request)[0]["url_for"](
            "user", user_id=user_id, _external=True
        )
    )
    (outside,) = app.plugins["fake-templates"].context_outside
    assert outside["url_for"]("user", user_id=2) == "/users/2"
    assert Client(app).get("/users/5", base_url="http://example.org").text == "http://example.org/users/5"


def test_the_template_context_makes_the_url_adapter_only_when_url_for_is_called(
    corolla_plugins: Any, build: Any
) -> None:
    corolla_plugins.add("fake-templates", source=SPEC_PLUGIN)
    app = build(plugins=["fake-templates"])

    @app.get("/page")
    def page(request: Any) -> dict[str, bool]:
        (context,) = app.plugin_manager.hook.corolla_template_context(request=request)
        before = request.touched("url_adapter")
        url = context["url_for"]("page")
        return {"before": before, "after": request.touched("url_adapter"), "url": url}

    assert Client(app).get("/page").json == {"before": False, "after": True, "url": "/page"}


def test_routing_loads_without_the_template_hook(build: Any) -> None:
    app = build()  # the implementation is optionalhook=True: no error while nobody declares the hook
    assert app.plugin_manager.hook.corolla_template_context.spec is None


def test_deploy_check_wants_routes(build: Any) -> None:
    app = build()
    (check,) = [c for c in app.plugins["routing"].corolla_deploy_checks(app=app) if c.id == "routing.routes"]
    assert (check.ok, check.message) == (False, "0 routes registered")
    app.get("/", endpoint="home")(lambda request: "home")
    results = app.plugin_manager.hook.corolla_deploy_checks(app=app)
    (check,) = [c for checks in results for c in checks if c.id == "routing.routes"]
    assert (check.ok, check.message) == (True, "1 route registered")
