"""An app typed with the plugins' protocols, checked by mypy strict (the root pyproject lists this file).

It uses what routing, sessions, orm and templates add to ``app`` and
``request`` with no ``cast`` and no ``type: ignore``: the app's own ``App``
and ``Request`` types combine the core classes with the plugins' protocols.
tests/integration/test_typed_app.py serves it, so the types describe a
working app.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import corolla
from corolla_orm import OrmApp, OrmRequest
from corolla_routing import RoutingApp, RoutingRequest
from corolla_sessions import SessionsRequest
from corolla_templates import TemplatesApp, TemplatesRequest


class App(corolla.App, RoutingApp, OrmApp, TemplatesApp):
    """This app's type: the core's App and what routing, orm and templates add to it."""


class Request(corolla.Request, RoutingRequest, SessionsRequest, OrmRequest, TemplatesRequest):
    """What this app's views see (an annotation only: the app builds its requests itself)."""


PLUGINS = ["routing", "sessions", "orm", "templates"]


def create_app(root: Path, config: Mapping[str, Any] | None = None) -> App:
    app = App({"orm": {"url": "sqlite://"}, **(config or {})}, PLUGINS, root=root, environ={})

    @app.get("/")
    def index(request: Request) -> dict[str, Any]:
        visits = int(request.session.get("visits", 0)) + 1
        request.session["visits"] = visits
        answer = request.db.scalar(sa.select(sa.literal(42)))
        return {
            "visits": visits,
            "answer": answer,
            "here": request.url_for("index"),
            "endpoint": request.url_rule.endpoint if request.url_rule is not None else None,
        }

    @app.get("/page/<name>")
    def page(request: Request, name: str) -> corolla.Response:
        return request.render("page.html", name=name)

    @app.errorhandler(404)
    def not_found(request: Request, exception: BaseException) -> tuple[str, int]:
        return f"nothing at {request.path}", 404

    app.templates.globals["site"] = "typed"
    return app
