"""The protocol-typed app (typed_app.py, checked by mypy strict) serves real requests."""

from __future__ import annotations

from pathlib import Path

from typed_app import create_app
from werkzeug.test import Client


def test_the_typed_app_uses_every_plugin_attribute(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ site }}: {{ name }}")
    app = create_app(tmp_path)
    try:
        client = Client(app)
        assert client.get("/").json == {"visits": 1, "answer": 42, "here": "/", "endpoint": "index"}
        assert client.get("/").json == {"visits": 2, "answer": 42, "here": "/", "endpoint": "index"}
        assert client.get("/page/home").text == "typed: home"
        response = client.get("/missing")
        assert (response.status_code, response.text) == (404, "nothing at /missing")
        assert app.db.engine.url.drivername == "sqlite"
    finally:
        app.close()
