"""``corolla routes``, run through the command line in-process (``corolla.testing.run_cli``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corolla import App
from corolla.testing import run_cli
from corolla_routing import Router


def routes(app: App, *args: str) -> Any:
    return run_cli("routes", *args, app=app)


def populate(app: App) -> None:
    @app.get("/")
    def index(request: Any) -> str:
        return "home"

    @app.route("/users/<int:user_id>", methods=["GET", "DELETE"])
    def user(request: Any, user_id: int) -> str:
        return "user"

    api = Router("/api", name="api")
    api.post("/items")(lambda request: "made")
    app.include(api)
    app.add_url_rule("/static/<path:filename>", "static", build_only=True)
    app.mount("/legacy", lambda environ, start_response: [])


def test_text_table(app: App) -> None:
    populate(app)
    result = routes(app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ENDPOINT", "METHODS", "RULE", "VIEW", "REGISTERED", "BY"]
    body = "\n".join(lines[1:])
    assert "index" in body and "test_routing_cli.populate.<locals>.index (" in body
    assert "GET, HEAD" in body
    assert "api.<lambda>" in body and "app, group 'api'" in body
    assert "(build only)" in body
    # sorted by rule: '/' first, '/users/...' last
    assert lines[1].startswith("index ") and lines[-1].startswith("user ")


def test_json_and_sort_by_endpoint(app: App) -> None:
    populate(app)
    result = routes(app, "--json", "--sort", "endpoint")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    endpoints = [row["endpoint"] for row in data]
    assert endpoints == sorted(endpoints)
    user = next(row for row in data if row["endpoint"] == "user")
    assert user == {
        "endpoint": "user",
        "methods": ["DELETE", "GET", "HEAD"],
        "rule": "/users/<int:user_id>",
        "view": user["view"],
        "registered_by": "app",
        "group": None,
        "host": None,
        "subdomain": None,
        "build_only": False,
    }
    assert user["view"].startswith("test_routing_cli.populate.<locals>.user (")
    assert "test_routing_cli.py:" in user["view"]
    mounts = [row for row in data if row["endpoint"] == "mount:/legacy"]
    assert [m["rule"] for m in mounts] == ["/legacy", "/legacy/<path:_mounted_path>"]
    assert mounts[0]["methods"] == []
    api = next(row for row in data if row["endpoint"].startswith("api."))
    assert (api["group"], api["rule"]) == ("api", "/api/items")


def test_no_routes(app: App) -> None:
    result = routes(app)
    assert result.exit_code == 0
    assert "No routes" in result.output


def test_without_an_app_it_asks_for_one(tmp_path: Path) -> None:
    result = run_cli("routes", cwd=tmp_path)
    assert result.exit_code == 2
    assert "corolla routes needs an app: pass --app module:app or set COROLLA_APP" in result.output


def test_bad_sort_is_refused(app: App) -> None:
    result = routes(app, "--sort", "view")
    assert result.exit_code == 2
    assert "'view' is not one of 'rule', 'endpoint'" in result.output


def test_json_group_is_the_raw_name_and_the_table_keeps_the_label(app: App) -> None:
    named = Router("/api", name="api")
    named.get("/n", endpoint="n")(lambda request: "n")
    unnamed = Router("/plain")
    unnamed.get("/u", endpoint="u")(lambda request: "u")
    app.include(named)
    app.include(unnamed)
    result = routes(app, "--json")
    assert result.exit_code == 0, result.output
    groups = {row["endpoint"]: row["group"] for row in json.loads(result.output)}
    assert groups == {"api.n": "api", "u": None}
    table = routes(app)
    assert "app, group 'api'" in table.output and "app, group at '/plain'" in table.output
