"""@app.before_request / after_request / teardown_request: the app-local plugin 'app', on the core's own hooks."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from corolla import App, Request
from corolla.testing import SyntheticPlugins, run_cli

MakeApp = Callable[..., App]

# A dispatch plugin with a wrapper of its own, to see where the app's hooks run.
PAGES = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def outer(request):
        request.seen = ["plugin wrapper"]
        return handler(request)
    return outer

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/boom":
        raise RuntimeError("boom")
    request.seen.append("view")
    return "seen: " + ", ".join(request.seen)
"""


@pytest.fixture
def app(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> App:
    corolla_plugins.add("pages", body=PAGES)
    return make_app()


def test_before_request_runs_inside_plugin_wrappers_just_before_the_view(app: App) -> None:
    @app.before_request
    def load_user(request: Request) -> None:
        request.seen.append("before")  # type: ignore[attr-defined]
        request.user = request.args.get("user")  # type: ignore[attr-defined]

    assert app.test_client().get("/").text == "seen: plugin wrapper, before, view"


def test_a_value_from_before_request_answers_instead_of_the_view(app: App) -> None:
    calls: list[str] = []

    @app.before_request
    def first(request: Request) -> Any:
        calls.append("first")
        return ("closed for maintenance", 503) if request.args.get("closed") else None

    @app.before_request
    def second(request: Request) -> None:
        calls.append("second")

    client = app.test_client()
    response = client.get("/?closed=1")
    assert (response.status_code, response.text) == (503, "closed for maintenance")
    assert calls == ["first"]
    assert client.get("/").status_code == 200 and calls == ["first", "first", "second"]


def test_after_request_changes_every_response_in_reverse_order(app: App) -> None:
    @app.after_request
    def registered_first(request: Request, response: Any) -> Any:
        response.headers["X-Order"] = response.headers.get("X-Order", "") + "first"
        return response

    @app.after_request
    def registered_second(request: Request, response: Any) -> None:
        response.headers["X-Order"] = response.headers.get("X-Order", "") + "second,"

    client = app.test_client()
    assert client.get("/").headers["X-Order"] == "second,first"
    assert client.get("/boom").headers["X-Order"] == "second,first"  # error responses too


def test_after_request_returning_another_response_is_an_error(app: App, caplog: pytest.LogCaptureFixture) -> None:
    from corolla import Response

    @app.after_request
    def replace(request: Request, response: Any) -> Any:
        return Response("other")

    assert app.test_client().get("/").status_code == 500
    assert "returned a new Response; change the response it is given in place" in caplog.text


def test_teardown_request_sees_the_exception_and_a_failing_one_is_logged(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[tuple[str, str]] = []

    @app.teardown_request
    def record(request: Request, exception: Exception | None) -> None:
        seen.append((request.path, repr(exception)))

    @app.teardown_request
    def broken(request: Request, exception: Exception | None) -> None:
        raise ValueError("teardown broke")

    client = app.test_client()
    with caplog.at_level(logging.ERROR, "corolla"):
        assert client.get("/").status_code == 200
        assert client.get("/boom").status_code == 500
    assert seen == [("/", "None"), ("/boom", "RuntimeError('boom')")]
    assert "teardown_request function test_teardown_request_sees_the_exception" in caplog.text
    assert "broken failed on 'GET /'" in caplog.text


def test_the_app_plugin_is_shown_by_corolla_hooks_and_plugins_list(app: App) -> None:
    assert "app" not in app.plugin_manager.list_name_plugin()[0]  # nothing registered without hooks
    assert run_cli("plugins", "list", "--json", app=app).stdout.count('"name": "app"') == 0

    @app.before_request
    def before(request: Request) -> None:
        pass

    @app.teardown_request
    def teardown(request: Request, exception: Exception | None) -> None:
        pass

    hooks = run_cli("hooks", "corolla_wrap_request", app=app).stdout
    assert "app [trylast]" in hooks  # the implementation, named like any plugin's

    rows = {r["name"]: r for r in json.loads(run_cli("plugins", "list", "--json", app=app).stdout)}
    assert rows["app"]["distribution"] == "(the app)"
    assert rows["app"]["reason"] == "the app's own request hooks: before_request, teardown_request"
    (line,) = [line for line in run_cli("plugins", "list", app=app).stdout.splitlines() if " (the app) " in line]
    assert line.split()[:2] == ["-", "app"] and line.endswith(
        "the app's own request hooks: before_request, teardown_request"
    )
    # Only the hooks in use are implemented: no corolla_response, so the fast path stays.
    assert app._pipeline.fast
    assert [impl.plugin_name for impl in app.plugin_manager.hook.corolla_response.get_hookimpls()] == []


def test_app_is_a_reserved_plugin_name(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    from corolla import PluginResolutionError

    corolla_plugins.add("app")
    with pytest.raises(PluginResolutionError, match="uses the reserved name 'app'"):
        make_app()
