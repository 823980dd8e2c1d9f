"""Deprecated hook specifications: every plugin still implementing one is named, with its fix."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from corolla import App, HookDeprecationWarning, deprecated_hookspec, hookspecs
from corolla.testing import SyntheticPlugins, run_cli

MakeApp = Callable[..., App]

DECLARES = '''
class Specs:
    @corolla.deprecated_hookspec(since="1.1", removed_in="2.0", replacement="greeting_text")
    def greeting(self, request):
        """Return the greeting (deprecated: implement greeting_text)."""

    @corolla.hookspec
    def greeting_text(self, request):
        """Return the greeting."""

hookspecs = Specs

@hookimpl
def corolla_dispatch(self, request):
    hook = self.app.plugin_manager.hook
    return ", ".join([*hook.greeting(request=request), *hook.greeting_text(request=request)])
'''

OLD = """
@hookimpl
def greeting(self, request):
    return "old"
"""


def add_greeters(plugins: SyntheticPlugins) -> None:
    plugins.add("greet", version="1.1", body=DECLARES)
    plugins.add("old-style", requires=["greet"], body=OLD)
    plugins.add("new-style", requires=["greet"], body='@hookimpl\ndef greeting_text(self, request):\n    return "new"')


def test_app_names_each_plugin_still_implementing_a_deprecated_hook(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    add_greeters(corolla_plugins)
    message = (
        "plugin 'old-style' (corolla-old-style 1.0) implements greeting, deprecated since greet 1.1, removed in 2.0; "
        "implement greeting_text instead; fix: implement greeting_text instead of greeting "
        "(upgrade the plugin if a newer release does)"
    )
    with caplog.at_level(logging.WARNING, "corolla"), pytest.warns(HookDeprecationWarning) as warned:
        app = make_app()

    assert [str(w.message) for w in warned] == [message]
    assert warned[0].message.deprecation.replacement == "greeting_text"  # type: ignore[union-attr]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        message.replace("; fix: ", " (fix: ") + ")"
    ]
    # Deprecated, not removed: the implementation still runs.
    assert Client(app).get("/").text == "old, new"


def test_a_deprecated_core_hook_names_the_plugin(
    corolla_plugins: SyntheticPlugins, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A core build in which corolla_startup is deprecated in favour of a (made-up) corolla_ready.
    @deprecated_hookspec(since="0.1", removed_in="0.2", replacement="corolla_ready")
    def corolla_startup(app: Any) -> None:
        """Deprecated."""

    monkeypatch.setattr(hookspecs, "corolla_startup", corolla_startup)
    corolla_plugins.add("starter", body="@hookimpl\ndef corolla_startup(self, app):\n    pass")
    corolla_plugins.add("quiet")

    with pytest.warns(HookDeprecationWarning) as warned:
        make_app()

    assert [str(w.message).split(";")[0] for w in warned] == [
        "plugin 'starter' (corolla-starter 1.0) implements corolla_startup, "
        "deprecated since corolla 0.1, removed in 0.2"
    ]


def test_plugins_check_and_hooks_show_the_deprecation(corolla_plugins: SyntheticPlugins, make_app: MakeApp) -> None:
    add_greeters(corolla_plugins)

    check = run_cli("plugins", "check", "--json", plugin_path=corolla_plugins.path)  # starts no app
    data = json.loads(check.stdout)
    assert check.exit_code == 0 and data["ok"]
    [warning] = [w for w in data["warnings"] if w["kind"] == "deprecated-hook"]
    assert warning["plugin"] == "old-style"
    assert warning["fix"].startswith("implement greeting_text instead of greeting")

    with pytest.warns(HookDeprecationWarning):
        app = make_app()
    hooks = run_cli("hooks", "greeting", app=app)
    assert "greeting is deprecated since greet 1.1, removed in 2.0; implement greeting_text instead" in hooks.stdout
    listed = run_cli("hooks", "--json", app=app)
    [spec] = [h for h in json.loads(listed.stdout) if h["name"] == "greeting"]
    assert spec["deprecated"] == {"since": "1.1", "removed_in": "2.0", "replacement": "greeting_text"}

    markdown = run_cli("hooks", "--markdown", plugin_path=corolla_plugins.path).stdout
    section = markdown.split("### `greeting`", 1)[1]
    assert section.split("**Deprecated**: ", 1)[1].startswith(
        "deprecated since greet 1.1, removed in 2.0; implement greeting_text instead."
    )
