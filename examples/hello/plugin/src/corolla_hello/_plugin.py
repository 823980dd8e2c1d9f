from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import corolla
from corolla import hookimpl

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { color: #b0306a; margin-bottom: 0.2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #faf0f5; }
.enabled { color: #1a7f37; } .disabled, .optional-skipped { color: #777; } .refused { color: #c00; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


class HelloRequest(Protocol):
    """What this plugin adds to ``request``, for type checkers: an app types its views with
    ``class Request(corolla.Request, HelloRequest)`` and reads ``request.visitor`` without casts."""

    visitor: str


class _Request(corolla.Request, HelloRequest):
    """The request as this plugin's own hooks see it (an annotation only, never instantiated)."""


class HelloPlugin(corolla.Plugin):
    """Serves ``/`` (an HTML page) and ``/plugins.json``; declines every other path."""

    # An example: loaded only by apps that name it, never just because the
    # development environment has it installed (its "/" would shadow theirs).
    autoload = False
    settings = {"greeting": corolla.Setting(str, "Hello from Corolla", "The page's heading")}
    request_attributes = ["visitor"]

    @hookimpl
    def corolla_request_attributes(self, app: corolla.App) -> Mapping[str, Callable[[corolla.Request], Any]]:
        # Computed only when a view reads request.visitor.
        return {"visitor": lambda request: request.headers.get("User-Agent", "stranger")}

    @hookimpl
    def corolla_dispatch(self, request: _Request) -> Any:
        resolution = self.app.resolution
        if request.path == "/plugins.json":
            return {"order": list(resolution.order), "plugins": [d.as_dict() for d in resolution.decisions.values()]}
        if request.path != "/":
            return None  # the core answers 404
        rows = "".join(
            f"<tr><td><code>{html.escape(d.name)}</code></td><td>{html.escape(d.record.distribution)}</td>"
            f"<td>{html.escape(d.record.version)}</td><td class='{d.status}'>{html.escape(d.status)}</td>"
            f"<td>{html.escape(d.reason)}</td></tr>"
            for d in resolution.decisions.values()
        )
        return (
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Corolla</title><style>{STYLE}</style>"
            f"<h1>{html.escape(self.config['greeting'])}</h1>"
            f"<p>Served by the Corolla core {corolla.__version__} to {html.escape(request.visitor)}.</p>"
            "<p>The core only dispatches; everything else is a plugin. These are the plugins it found, "
            "and what it decided about each:</p>"
            "<table><tr><th>plugin</th><th>distribution</th><th>version</th><th>status</th><th>why</th></tr>"
            f"{rows}</table>"
            "<p>The same, as JSON: <a href='/plugins.json'><code>/plugins.json</code></a>. "
            "Any other path is a 404 from the core, since no routing plugin is installed yet.</p></html>"
        )
