"""Static files: served from the app's and plugins' folders, traversal refused, off in production."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client as _Client

from corolla import App, ConfigError
from corolla.testing import SyntheticPlugins, run_cli

Build = Callable[..., App]
Views = dict[str, Callable[..., object]]


class Client(_Client):
    """werkzeug's test client, buffering: it closes the file a static response holds, as a server does."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


FILES = {
    "static/css/site.css": "body { color: teal }",
    "static/logo.png": b"\x89PNG\r\n\x1a\nfake",
    "templates/secret.html": "template source",
    "corolla.toml": "# not for the web\n",
}


def test_serves_files_with_type_and_validators(build: Build) -> None:
    client = Client(build(FILES))
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.text == "body { color: teal }"
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/logo.png").mimetype == "image/png"
    again = client.get("/static/css/site.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_head_is_served_and_other_methods_are_refused(build: Build) -> None:
    client = Client(build(FILES))
    head = client.head("/static/css/site.css")
    assert head.status_code == 200 and head.data == b""
    post = client.post("/static/css/site.css")
    assert post.status_code == 405
    assert post.headers["Allow"] == "GET, HEAD"


def test_max_age_is_configurable(build: Build) -> None:
    client = Client(build(FILES, {"templates": {"static_max_age": 3600}}))
    assert client.get("/static/css/site.css").headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../templates/secret.html",
        "/static/../corolla.toml",
        "/static/css/../../corolla.toml",
        "/static/%2e%2e/corolla.toml",
        "/static/%2E%2E/corolla.toml",
        "/static/..%2fcorolla.toml",
        "/static/..%2Fcorolla.toml",
        "/static/%2e%2e%2fcorolla.toml",
        "/static/%252e%252e/corolla.toml",
        "/static/..%5ccorolla.toml",
        "/static/..\\corolla.toml",
        "/static//etc/passwd",
        "/static/%2fetc/passwd",
        "/static/css/site.css%00",
        "/static/css/site.css%00.png",
        "/static/",
        "/static/css",
        "/static/css/",
        "/static/missing.css",
    ],
)
def test_traversal_and_missing_files_are_404(build: Build, path: str) -> None:
    response = Client(build(FILES)).get(path)
    assert response.status_code == 404, path
    assert b"template source" not in response.data and b"not for the web" not in response.data


def test_app_static_overrides_plugin_static_by_path(build: Build, package_plugin: Callable[..., Path]) -> None:
    package_plugin("widgets", {"static/widgets/w.js": "plugin js", "static/site.css": "plugin css"})
    client = Client(build(FILES | {"static/widgets/w.js": "app js"}, plugins=["templates", "pages", "widgets"]))
    assert client.get("/static/widgets/w.js").text == "app js"
    assert client.get("/static/site.css").text == "plugin css"
    assert client.get("/static/../widgets/w.js").status_code == 404


def test_static_folder_attribute_on_a_single_module_plugin(
    build: Build, corolla_plugins: SyntheticPlugins, tmp_path: Path
) -> None:
    shipped = tmp_path / "assets"
    shipped.mkdir()
    (shipped / "x.js").write_text("x")
    corolla_plugins.add("assets", body=f"static_folder = {str(shipped)!r}")
    client = Client(build(FILES, plugins=["templates", "pages", "assets"]))
    assert client.get("/static/x.js").text == "x"


def test_other_paths_reach_the_dispatcher(build: Build, views: Views) -> None:
    views["/staticky"] = lambda request: "view"
    views["/static"] = lambda request: "bare prefix is a page"
    client = Client(build(FILES))
    assert client.get("/staticky").text == "view"
    assert client.get("/static").text == "bare prefix is a page"


def test_serve_static_false_leaves_static_to_the_front_server(build: Build, views: Views) -> None:
    views["/static/css/site.css"] = lambda request: "the dispatcher's"
    app = build(FILES, {"templates": {"serve_static": False}})
    assert "templates" not in app.pipeline  # no wrapper: nothing runs per request
    assert Client(app).get("/static/css/site.css").text == "the dispatcher's"


def test_url_path_and_folder_are_configurable(build: Build) -> None:
    app = build({"assets/a.txt": "a"}, {"templates": {"static_url_path": "/assets/", "static_folder": "assets"}})
    client = Client(app)
    assert client.get("/assets/a.txt").text == "a"
    assert client.get("/static/a.txt").status_code == 404


@pytest.mark.parametrize("bad", ["static", "/", ""])
def test_an_unusable_url_path_stops_the_app(build: Build, bad: str) -> None:
    with pytest.raises(ConfigError, match="static_url_path") as info:
        build({}, {"templates": {"static_url_path": bad}})
    [problem] = info.value.problems
    assert (problem.plugin, problem.kind) == ("templates", "wrong-value")


def test_the_static_endpoint_is_added_when_routing_is_loaded(
    build: Build, corolla_plugins: SyntheticPlugins, journal: list[object]
) -> None:
    # Stands in for corolla-routing's app.add_url_rule (tested for real after the merge).
    corolla_plugins.add(
        "routing",
        app_attributes=["add_url_rule"],
        body="""
        @hookimpl
        def corolla_app_attributes(self, app):
            from corolla_test_journal import calls

            def add_url_rule(rule, endpoint=None, view=None, **options):
                calls.append((rule, endpoint, view, options))

            return {"add_url_rule": add_url_rule}
        """,
    )
    build(FILES, {"templates": {"static_url_path": "/assets"}}, plugins=["templates", "routing"])
    assert journal == [("/assets/<path:filename>", "static", None, {"build_only": True})]


def test_without_routing_no_rule_is_added(build: Build) -> None:
    app = build(FILES)
    assert not hasattr(app, "add_url_rule")


def test_deploy_checks(build: Build) -> None:
    dev = build(FILES, {"core": {"debug": True}})
    checks = {c.id: c for c in dev.plugin_manager.hook.corolla_deploy_checks(app=dev)[0]}
    assert set(checks) == {"templates.static", "templates.auto_reload"}
    assert not checks["templates.static"].ok and "serve_static = false" in checks["templates.static"].fix
    assert not checks["templates.auto_reload"].ok


def test_deploy_checks_pass_in_production_config(build: Build) -> None:
    app = build(FILES, {"templates": {"serve_static": False}})
    results = [c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group]
    assert all(c.ok for c in results if c.id.startswith("templates."))


def test_cli_collect_gathers_every_folder_app_winning(
    build: Build, package_plugin: Callable[..., Path], tmp_path: Path
) -> None:
    package_plugin("widgets", {"static/widgets/w.js": "plugin js", "static/site.css": "plugin css"})
    app = build(FILES | {"static/widgets/w.js": "app js"}, plugins=["templates", "pages", "widgets"])
    dest = tmp_path / "collected"
    result = run_cli("static", "collect", str(dest), app=app)
    assert result.exit_code == 0, result.output
    assert (dest / "widgets" / "w.js").read_text() == "app js"
    assert (dest / "site.css").read_text() == "plugin css"
    assert (dest / "css" / "site.css").read_text() == "body { color: teal }"
    assert "serve_static = false" in result.output
    listed = run_cli("static", "folders", app=app)
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0].endswith("(the app's folder)")
    assert "(plugin 'widgets')" in listed.output
    rows = json.loads(run_cli("static", "folders", "--json", app=app).stdout)
    assert rows[0] == {"path": str(app.root / "static"), "owner": "app", "exists": True}
    assert {r["owner"] for r in rows} >= {"app", "widgets"}
    again = json.loads(run_cli("static", "collect", str(dest), "--json", app=app).stdout)
    assert again["dest"] == str(dest) and again["prefix"] == "/static/"
    assert [c["owner"] for c in again["copied"]][-1] == "app"  # copied last: the app's files win


def test_cli_needs_an_app(tmp_path: Path) -> None:
    result = run_cli("static", "folders", cwd=tmp_path)
    assert result.exit_code == 2
    assert "corolla static needs an app: pass --app module:app or set COROLLA_APP" in result.output
