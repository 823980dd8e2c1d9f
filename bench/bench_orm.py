"""The orm plugin per request, beside Flask + Flask-SQLAlchemy, in one run.

    .venv/bin/python bench/bench_orm.py          # full run (about a minute)
    .venv/bin/python bench/bench_orm.py --quick  # a smoke run; rough figures

Two questions, each answered by cases timed in the same interleaved rounds
(bench/harness.py):

1. A view that reads one row by primary key from SQLite (``session.get``)
   and returns its name: Corolla + orm (``request.db``) versus Flask +
   Flask-SQLAlchemy (``db.session``) on the same database file, with the same
   engine options (SQLAlchemy's defaults: no pre-ping). Corolla's default
   (``pool_pre_ping = true``) is timed too, so its price is visible.
2. What the orm plugin costs a request that never touches ``request.db``:
   Corolla with and without the plugin, same hello-world view. Target: under
   1 µs.

Both sides get a fresh session per request, check a pooled connection out
and back in, and run one SELECT; neither caches the row across requests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import harness

WSGIApp = Callable[..., Iterable[bytes]]
ROW = b"the first row"

READ_ROW = """
@hookimpl
def corolla_dispatch(self, request):
    from bench_orm_models import Item
    return request.db.get(Item, 1).name
"""

HELLO = """
@hookimpl
def corolla_dispatch(self, request):
    return "Hello, World!"
"""

MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from corolla_orm import Model


class Item(Model):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""


def make_database(path: Path) -> str:
    import sqlalchemy as sa

    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(50))"))
        conn.execute(sa.text("INSERT INTO items (id, name) VALUES (1, :name)"), {"name": ROW.decode()})
    engine.dispose()
    return url


def flask_sqlalchemy(url: str) -> WSGIApp:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    # Columns written out, not Mapped[...]: annotations of a class inside a
    # function cannot be resolved under `from __future__ import annotations`.
    class FlaskItem(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "items"
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(50))

    app = Flask("bench_orm_flask")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)

    @app.route("/")
    def read_row() -> str:
        return str(db.session.get(FlaskItem, 1).name)

    return app


def corolla_apps(folder: Path, url: str) -> dict[str, Any]:
    from corolla import App
    from corolla._synthetic import SyntheticPlugins  # corolla.testing would import pytest

    plugins = SyntheticPlugins(folder / "plugins")
    plugins.activate()
    (folder / "plugins" / "bench_orm_models.py").write_text(MODELS)
    plugins.add("read-row", requires=["orm"], body=READ_ROW)
    plugins.add("hello", body=HELLO)
    path = [*plugins.path, *sys.path]  # the synthetic plugins, and the installed orm plugin

    def app(names: list[str], **orm: Any) -> Any:
        return App({"orm": {"url": url, **orm}}, names, root=folder, plugin_path=path, environ={})

    return {
        "Corolla + orm, pre-ping off": app(["orm", "read-row"], pool_pre_ping=False),
        "Corolla + orm, default (pre-ping on)": app(["orm", "read-row"]),
        "Corolla, hello, no orm plugin": app(["hello"]),
        "Corolla, hello, orm loaded, request.db untouched": app(["orm", "hello"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    args = parser.parse_args(argv)
    repeats, seconds = (5, 0.005) if args.quick else (41, 0.03)
    environ = harness.make_environ()
    with tempfile.TemporaryDirectory(prefix="corolla-bench-orm-") as tmp:
        folder = Path(tmp)
        url = make_database(folder / "bench.db")
        apps: dict[str, Any] = {"Flask + Flask-SQLAlchemy": flask_sqlalchemy(url), **corolla_apps(folder, url)}
        bodies = {name: ROW if "hello" not in name else harness.HELLO for name in apps}
        us = harness.time_apps(apps, environ, bodies, repeats=repeats, seconds_per_repeat=seconds)
        harness.close_apps(apps.values())
    flask = us["Flask + Flask-SQLAlchemy"]
    print(f"Per request, in-process, median of {repeats} repeats (µs per call); SQLite, one row by primary key:")
    for name in ("Flask + Flask-SQLAlchemy", "Corolla + orm, pre-ping off", "Corolla + orm, default (pre-ping on)"):
        print(f"  {name:<50} {us[name]:8.2f} µs   {us[name] / flask:5.2f}x Flask")
    base = us["Corolla, hello, no orm plugin"]
    untouched = us["Corolla, hello, orm loaded, request.db untouched"]
    print("A request that never touches request.db (hello-world view):")
    print(f"  {'Corolla, no orm plugin':<50} {base:8.2f} µs")
    print(f"  {'Corolla, orm loaded, request.db untouched':<50} {untouched:8.2f} µs   +{untouched - base:.2f} µs")
    verdict = "met" if untouched - base < 1.0 else "MISSED"
    print(f"  target: under 1 µs over no orm plugin: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
