"""How the plugin resolves: alone with the core, and refused to plugins that need a newer routing."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

from corolla import PluginResolutionError
from corolla_routing import RoutingError


def test_loads_with_the_core_alone(make_app: Any) -> None:
    app = make_app(["routing"], isolated=False)
    assert list(app.resolution.order) == ["routing"]
    decision = app.resolution.decisions["routing"]
    assert decision.status == "enabled"
    assert decision.record.distribution == "corolla-routing"
    assert decision.record.version == version("corolla-routing")


def test_a_plugin_requiring_a_newer_routing_is_refused(corolla_plugins: Any, make_app: Any) -> None:
    corolla_plugins.add("needs-new-routing", requires=["routing>=99"])
    with pytest.raises(PluginResolutionError) as info:
        make_app(["routing", "needs-new-routing"], isolated=False)
    message = str(info.value)
    installed = version("corolla-routing")
    assert "routing>=99" in message
    assert installed in message
    (problem,) = [p for p in info.value.problems if p.plugin == "needs-new-routing"]
    assert problem.kind == "version"


def test_a_plugin_requiring_routing_gets_it(corolla_plugins: Any, make_app: Any) -> None:
    corolla_plugins.add(
        "pages",
        requires=["routing>=0.1"],
        body="""
            @hookimpl
            def corolla_startup(self, app):
                app.get("/hello", endpoint="hello")(lambda request: "hello from a plugin")
        """,
    )
    app = make_app(["routing", "pages"], isolated=False)
    assert list(app.resolution.order) == ["routing", "pages"]
    assert app.test_client().get("/hello").text == "hello from a plugin"
    (rule,) = app.url_map.iter_rules()
    assert rule.registered_by == "plugin 'pages'"


def test_entry_point_module_is_import_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, corolla_routing; print(sorted(m for m in ('click', 'jinja2', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_endpoint_clash_with_a_plugin_names_it_and_says_how_to_pin(corolla_plugins: Any, make_app: Any) -> None:
    corolla_plugins.add(
        "accounts",
        requires=["routing>=0.1"],
        body="""
            @hookimpl
            def corolla_startup(self, app):
                app.get("/auth/register", endpoint="auth.register")(lambda request: "theirs")
        """,
    )
    app = make_app(["routing", "accounts"], isolated=False)

    def register(request: Any) -> str:
        return "mine"

    with pytest.raises(RoutingError) as info:
        app.get("/register", endpoint="auth.register")(register)
    message = str(info.value)
    assert "duplicate endpoint 'auth.register'" in message
    assert "registered by plugin 'accounts'" in message
    assert "If the app did not ask for plugin 'accounts', pin the plugins it uses" in message
    assert "[plugins] enabled = [...] in corolla.toml, or App(plugins=[...])" in message


CATCH_ALL = """
@hookimpl
def corolla_dispatch(self, request):
    return "the plugin's " + request.path
"""


@pytest.mark.parametrize("name", ["aaa-pages", "zzz-pages"])
def test_a_path_the_router_owns_is_never_shadowed_by_another_dispatcher(
    corolla_plugins: Any, make_app: Any, name: str
) -> None:
    # Whichever way the load order falls, the route answers its own path; the
    # other dispatcher gets the paths no route matches.
    corolla_plugins.add(name, body=CATCH_ALL)
    app = make_app(["routing", name], isolated=False)
    app.get("/")(lambda request: "the app's index")
    client = app.test_client()
    assert client.get("/").text == "the app's index"
    assert client.get("/elsewhere").text == "the plugin's /elsewhere"
    from corolla.testing import run_cli

    routes = run_cli("routes", app=app).stdout
    assert "/" in routes and "app" in routes
    hooks = run_cli("hooks", "corolla_dispatch", app=app).stdout
    assert hooks.index("routing") < hooks.index(name)  # the call order says so too
