"""The demo app (examples/hello): the core plus the in-repo ``hello`` plugin, as installed."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from werkzeug.test import Client

from corolla import App

HELLO = Path(__file__).parents[2] / "examples" / "hello"


@pytest.fixture
def app(tmp_path: Path) -> App:
    # The installed plugin (editable, from examples/hello/plugin), nothing else.
    return App(plugins=["hello"], root=tmp_path, environ={})


def test_home_page_lists_the_resolved_plugins(client: Client) -> None:
    response = client.get("/", headers={"User-Agent": "pytest"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<h1>Hello from Corolla</h1>" in response.text
    assert "to pytest." in response.text
    assert "<code>hello</code></td><td>corolla-hello</td>" in response.text
    assert "loaded at position 0" in response.text


def test_plugins_json_is_the_decision_record(client: Client) -> None:
    data = client.get("/plugins.json").json
    assert data["order"] == ["hello"]
    (hello,) = [p for p in data["plugins"] if p["name"] == "hello"]
    assert hello["status"] == "enabled"
    assert hello["distribution"] == "corolla-hello"


def test_other_paths_are_the_cores_plain_404(client: Client) -> None:
    response = client.get("/elsewhere")  # hello's dispatch returns None
    assert response.status_code == 404
    assert "The requested URL was not found on the server" in response.text


def test_greeting_is_configurable_from_the_environment(tmp_path: Path) -> None:
    app = App(plugins=["hello"], root=tmp_path, environ={"COROLLA_HELLO__GREETING": "Hi <there>"})
    assert "<h1>Hi &lt;there&gt;</h1>" in Client(app).get("/").text


def test_the_demo_module_builds_its_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HELLO))
    monkeypatch.delitem(sys.modules, "app", raising=False)
    try:
        module = importlib.import_module("app")
        assert module.app.root == HELLO.resolve()
        assert "hello" in module.app.resolution.order
    finally:
        sys.modules.pop("app", None)


def test_an_unpinned_app_leaves_the_example_plugins_out(tmp_path: Path) -> None:
    # The development environment installs corolla-hello and corolla-auth; an
    # app that names no plugins must not get their pages and endpoints.
    app = App(root=tmp_path, environ={})
    for example in ("hello", "auth"):
        assert app.resolution.decisions[example].status == "disabled"
        assert "autoload = False" in app.resolution.decisions[example].reason
    assert "routing" in app.resolution.order
    assert Client(app).get("/").status_code == 404  # no hello page shadowing the app's routes
