"""``[core] trace_hooks`` (``corolla run --trace-hooks``): every request-time hook call logged; nothing when off."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from werkzeug.test import Client

import corolla
from corolla import App
from corolla.cli._run import is_loopback
from corolla.testing import SyntheticPlugins, run_cli

BODY = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def wrapped(request):
        return handler(request)
    return wrapped

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/boom":
        raise ValueError("boom")
    return "traced"

@hookimpl
def corolla_handle_exception(self, request, exception):
    return ("handled", 500)

@hookimpl
def corolla_teardown(self, request, exception):
    pass
"""


@pytest.fixture
def traced_plugin(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    corolla_plugins.add("tracer", version="0.5", body=BODY)
    return corolla_plugins


def test_every_hook_call_is_logged_with_plugin_and_duration(
    traced_plugin: SyntheticPlugins, make_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(config={"core": {"trace_hooks": True}})
    with caplog.at_level(logging.INFO, logger="corolla.trace"):
        assert Client(app).get("/x?token=secret").text == "traced"
        assert Client(app).get("/boom").text == "handled"
    lines = [r.getMessage() for r in caplog.records if r.name == "corolla.trace"]
    hooks = [line.split()[2] for line in lines]
    assert hooks == [
        "corolla_dispatch",
        "corolla_wrap_request",
        "corolla_teardown",
        "corolla_dispatch",
        "corolla_wrap_request",
        "corolla_handle_exception",
        "corolla_teardown",
    ]
    assert lines[0].startswith("'GET /x' corolla_dispatch in plugin 'tracer' (corolla-tracer 0.5): ")
    assert all(line.endswith(" ms") for line in lines)
    assert not any("secret" in line for line in lines)


def test_off_compiles_the_plain_functions(traced_plugin: SyntheticPlugins, make_app: Callable[..., App]) -> None:
    app = make_app()
    plugin = app.plugins["tracer"]
    assert app._pipeline.teardown_hooks == [plugin.corolla_teardown]
    assert app._pipeline.exception_hook == plugin.corolla_handle_exception
    traced = make_app(config={"core": {"trace_hooks": True}})
    assert traced._pipeline.teardown_hooks != [traced.plugins["tracer"].corolla_teardown]


def test_deploy_check_refuses_tracing(traced_plugin: SyntheticPlugins, make_app: Callable[..., App]) -> None:
    app = make_app(config={"core": {"trace_hooks": True}})
    result = run_cli("check", "--deploy", "--json", app=app)
    assert result.exit_code == 1
    assert '"id": "core.trace_hooks",\n      "ok": false' in result.stdout


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("10.1.2.3", False)],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# A plugin declaring its own request-time hook and compiling it with corolla.hook_functions
# (as the templates plugin does for corolla_template_context); another plugin implements it.
GREETING_SPECS = """
import corolla


class GreetingSpecs:
    @corolla.hookspec
    def greeting_words(self, request, name):
        \"\"\"Words to greet ``name`` with on this request.\"\"\"


class Plugin(corolla.Plugin):
    hookspecs = GreetingSpecs

    @corolla.hookimpl
    def corolla_startup(self, app):
        self.parts = corolla.hook_functions(app, "greeting_words")

    @corolla.hookimpl
    def corolla_dispatch(self, request):
        return " ".join(fn(request, "ada") for _, fn in self.parts)
"""

WORDS = """
@hookimpl(optionalhook=True)
def greeting_words(self, name):
    return "hello " + name
"""


@pytest.fixture
def greeting(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    corolla_plugins.add("greeting", source=GREETING_SPECS)
    corolla_plugins.add("words", body=WORDS, after=["greeting"])
    return corolla_plugins


def test_hook_functions_traces_a_plugin_declared_hook(
    greeting: SyntheticPlugins, make_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(config={"core": {"trace_hooks": True}})
    assert [plugin for plugin, _ in app.plugins["greeting"].parts] == ["words"]
    with caplog.at_level(logging.INFO, logger="corolla.trace"):
        assert Client(app).get("/hi").text == "hello ada"  # the implementation takes a subset of the arguments
    lines = [r.getMessage() for r in caplog.records if r.name == "corolla.trace"]
    assert any(line.startswith("'GET /hi' greeting_words in plugin 'words' (corolla-words 1.0): ") for line in lines)


def test_hook_functions_are_the_plain_functions_when_tracing_is_off(
    greeting: SyntheticPlugins, make_app: Callable[..., App]
) -> None:
    app = make_app()
    [(plugin, fn)] = app.plugins["greeting"].parts
    assert plugin == "words"
    assert fn("request", "bob") == "hello bob"
    with pytest.raises(LookupError, match="no hook specification 'nope'"):
        corolla.hook_functions(app, "nope")
