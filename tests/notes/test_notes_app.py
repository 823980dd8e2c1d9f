"""The demo's app module and its pinned plugin set."""

from __future__ import annotations

import runpy

import pytest
from notes_support import NOTES

from corolla import App

PLUGINS = {"routing", "sessions", "orm", "forms", "templates", "auth"}


def test_the_plugin_set_is_pinned(app: App) -> None:
    assert set(app.resolution.order) == PLUGINS
    assert app.resolution.decisions["hello"].status == "disabled"  # installed (examples/hello), not loaded
    assert app.config.source("plugins", "enabled") != "default"


def test_app_py_builds_the_app_without_touching_the_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    instance = NOTES / "instance"
    existed = instance.exists()
    monkeypatch.syspath_prepend(str(NOTES))  # as `corolla` does for the app.py of its working folder
    namespace = runpy.run_path(str(NOTES / "app.py"), run_name="notes_app_module")
    app = namespace["app"]
    try:
        assert isinstance(app, App)
        assert app.root == NOTES
        assert set(app.resolution.order) == PLUGINS
        assert app.instance_path == instance
        assert instance.exists() == existed  # the secret key and the database are made on first use
    finally:
        app.close()
