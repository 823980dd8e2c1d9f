"""With the real routing plugin: views rendering templates, ``url_for`` in templates, the ``static`` endpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from corolla import App

MakeApp = Callable[..., App]


def site(make_app: MakeApp, tmp_path: Path, config: dict[str, Any] | None = None) -> App:
    root = tmp_path / "site"
    (root / "templates").mkdir(parents=True)
    (root / "static" / "css").mkdir(parents=True)
    (root / "static" / "css" / "site.css").write_text("body {}")
    (root / "templates" / "home.html").write_text(
        "<link href=\"{{ url_for('static', filename='css/site.css') }}\">"
        "<a href=\"{{ url_for('user', name=name) }}\">{{ name }}</a>"
    )
    app = make_app(["routing", "templates"], config, isolated=False, root=root)

    @app.get("/")  # type: ignore[attr-defined, misc]
    def home(request: Any) -> Any:
        return request.render("home.html", name="<ann>")

    @app.get("/users/<name>", endpoint="user")  # type: ignore[attr-defined, misc]
    def user(request: Any, name: str) -> str:
        return name

    return app


def test_url_for_static_and_views_in_templates(make_app: MakeApp, tmp_path: Path) -> None:
    client = Client(site(make_app, tmp_path))
    response = client.get("/")
    assert response.status_code == 200
    assert response.text == '<link href="/static/css/site.css"><a href="/users/%3Cann%3E">&lt;ann&gt;</a>'
    with client.get("/static/css/site.css") as static:
        assert static.text == "body {}"


def test_static_url_follows_the_setting_and_the_script_root(make_app: MakeApp, tmp_path: Path) -> None:
    app = site(make_app, tmp_path, {"templates": {"static_url_path": "/assets"}})
    assert app.url_for("static", filename="x.js") == "/assets/x.js"  # type: ignore[attr-defined]
    response = Client(app).get("/", environ_overrides={"SCRIPT_NAME": "/shop"})
    assert 'href="/shop/assets/css/site.css"' in response.text


def test_the_static_rule_is_build_only(make_app: MakeApp, tmp_path: Path) -> None:
    app = site(make_app, tmp_path, {"templates": {"serve_static": False}})
    assert Client(app).get("/static/css/site.css").status_code == 404  # the front server's job now
    assert app.url_for("static", filename="css/site.css") == "/static/css/site.css"  # type: ignore[attr-defined]


def test_both_load_without_ordering_warnings(
    make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="corolla"):
        app = site(make_app, tmp_path)
    assert list(app.resolution.order) == ["templates", "routing"]
    assert caplog.records == []


def test_a_missing_static_file_uses_the_apps_404_handler(make_app: MakeApp, tmp_path: Path) -> None:
    app = site(make_app, tmp_path)

    @app.errorhandler(404)  # type: ignore[attr-defined, misc]
    def not_found(request: Any, error: Exception) -> tuple[str, int]:
        return "custom 404", 404

    response = Client(app).get("/static/../corolla.toml")
    assert (response.status_code, response.text) == (404, "custom 404")
