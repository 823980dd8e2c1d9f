"""The peers: the same hello-world as a bare WSGI function, raw werkzeug, Bottle, Falcon and Flask.

Each answers ``GET /`` with ``200`` and the body ``Hello, World!``, written
the way each framework's own documentation writes its hello-world. Imports
happen inside the builders so a missing peer names itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from harness import HELLO

WSGIApp = Callable[..., Iterable[bytes]]


def bare_wsgi() -> WSGIApp:
    """The floor: a WSGI function with the headers precomputed."""
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(HELLO)))]
    body = [HELLO]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return body

    return app


def werkzeug_raw() -> WSGIApp:
    """werkzeug's Request and Response, no framework: what Flask and Corolla build on."""
    from werkzeug.wrappers import Request, Response

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        Request(environ)
        return Response("Hello, World!")(environ, start_response)

    return app


def bottle() -> WSGIApp:
    import bottle as _bottle

    app = _bottle.Bottle()

    def hello() -> str:
        return "Hello, World!"

    app.route("/")(hello)  # what @app.route("/") does; bottle is untyped
    return cast(WSGIApp, app)


def falcon() -> WSGIApp:
    import falcon as _falcon

    class Hello:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = _falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    app = _falcon.App()
    app.add_route("/", Hello())
    return app


def flask() -> WSGIApp:
    from flask import Flask

    app = Flask("bench_flask")

    @app.route("/")
    def hello() -> str:
        return "Hello, World!"

    return app


#: name -> builder, in the order of the table (cheapest first, by design).
PEERS: dict[str, Callable[[], WSGIApp]] = {
    "bare WSGI": bare_wsgi,
    "Falcon": falcon,
    "Bottle": bottle,
    "werkzeug": werkzeug_raw,
    "Flask": flask,
}

#: The figures the issue quotes for this kind of machine, in µs per request.
TARGETS_US: dict[str, float] = {"bare WSGI": 0.44, "Falcon": 3.8, "Bottle": 11.5, "werkzeug": 20.0, "Flask": 40.0}
