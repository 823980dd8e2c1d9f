"""The apps bench_serve.py puts behind real servers; ``BENCH_SERVE_APP`` says which one ``app`` is.

Imported by each server worker after the fork (never preloaded): ``corolla-hello``
and ``flask-hello`` answer ``GET /`` with ``Hello, World!`` as the routing
decorators write it; ``corolla-page`` and ``flask-page`` are bench_users.py's
full page (session user, 20 rows from SQLite, a Jinja2 loop) over the
template and database bench_serve.py made in ``BENCH_SERVE_ROOT``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _hello(kind: str) -> Any:
    if kind == "corolla":
        from corolla import App

        app = App(plugins=["routing"], root=os.environ["BENCH_SERVE_ROOT"], environ={})

        @app.get("/")
        def hello(request: Any) -> str:
            return "Hello, World!"

        return app
    from flask import Flask

    flask_app = Flask("bench_serve")

    @flask_app.route("/")
    def flask_hello() -> str:
        return "Hello, World!"

    return flask_app


def _build() -> Any:
    kind, _, scenario = os.environ["BENCH_SERVE_APP"].partition("-")
    if scenario == "hello":
        return _hello(kind)
    import bench_users

    root = Path(os.environ["BENCH_SERVE_ROOT"])
    return bench_users.page_apps(root, f"sqlite:///{root / 'page.db'}")["Corolla" if kind == "corolla" else "Flask"]


app = _build()
