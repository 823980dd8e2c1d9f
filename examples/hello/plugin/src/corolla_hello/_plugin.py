from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import corolla
from corolla import hookimpl


class HelloPlugin(corolla.Plugin):
    """Serves ``/`` (an HTML page) and ``/plugins.json``; declines every other path."""

    settings = {"greeting": corolla.Setting(str, "Hello from Corolla", "The page's heading")}
    request_attributes = ["visitor"]

    @hookimpl
    def corolla_request_attributes(self, app: corolla.App) -> Mapping[str, Callable[[corolla.Request], Any]]:
        # Computed only when a view reads request.visitor.
        return {"visitor": lambda request: request.headers.get("User-Agent", "stranger")}

    @hookimpl
    def corolla_dispatch(self, request: corolla.Request) -> Any:
        if request.path == "/plugins.json":
            decisions = self.app.resolution.decisions.values()
            return {"order": list(self.app.resolution.order), "plugins": [d.as_dict() for d in decisions]}
        if request.path != "/":
            return None  # the core answers 404
        rows = "".join(
            f"<tr><td>{html.escape(d.name)}</td><td>{html.escape(d.record.version)}</td>"
            f"<td>{html.escape(d.status)}</td><td>{html.escape(d.reason)}</td></tr>"
            for d in self.app.resolution.decisions.values()
        )
        return (
            f"<!doctype html><title>Corolla</title><h1>{html.escape(self.config['greeting'])}</h1>"
            f"<p>Served by the Corolla core {corolla.__version__} to {html.escape(request.visitor)}.</p>"
            f"<table><tr><th>plugin</th><th>version</th><th>status</th><th>why</th></tr>{rows}</table>"
            '<p><a href="/plugins.json">/plugins.json</a></p>'
        )
