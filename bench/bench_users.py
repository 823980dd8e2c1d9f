"""The path users actually write, beside Falcon, Bottle, Flask, raw werkzeug and bare WSGI, in one run.

    .venv/bin/python bench/bench_users.py            # the full run (10,000 routes in the large row; ~4 min)
    .venv/bin/python bench/bench_users.py --quick    # a smoke run (1,000 routes there; rough figures)
    .venv/bin/python bench/bench_users.py --only "form, 20 fields" --profile   # cProfile of Corolla in one row

Every row is one scenario written the way each framework's documentation
writes it: Corolla with the routing plugin's decorators (``@app.get``) and
the standard plugins, Flask with ``@app.route``, Bottle with ``app.route``,
Falcon with a resource class. The figure is µs per request (median; see
harness.py: prebuilt environ, shallow copy per call, body drained and
closed), all rows timed in the same run so the ratios are meaningful. The
table prints each peer as a ratio to Corolla's figure (``x Corolla``: above
1.00 the peer is slower). Nothing is asserted.

User-facing rows (what an app written with Corolla's documented API costs):
hello as an explicit ``Response`` and as a ``str``, the ``(body, headers)``
and ``(body, status, headers)`` tuples, a ``dict`` as JSON, one int parameter
among 10, 100 and 10,000 routes, a 20-field urlencoded form, a cookie session
read and written, a 404 among 101 routes, and a full page (session user, 20
rows through SQLAlchemy from SQLite, a Jinja2 loop) with its no-framework
floor. The synthetic rows (Corolla's core with a one-line dispatch plugin)
are run.py's scenario 1.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import timeit
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import bench_routing
import bench_sessions
import harness
from werkzeug.test import EnvironBuilder

WSGIApp = Callable[..., Iterable[bytes]]
HELLO = harness.HELLO
PEERS = ["Corolla", "Falcon", "Bottle", "Flask", "werkzeug", "floor"]


class BodyEnviron(dict):  # type: ignore[type-arg]
    """An environ whose ``copy()`` gives each call a fresh ``wsgi.input`` with the same body.

    The harness calls ``environ.copy()`` before every request; a POST body is
    a stream read once, so each copy gets its own (a ``BytesIO`` costs every
    app, the floor included, the same ~0.2 µs).
    """

    body = b""

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        environ = dict(self)
        environ["wsgi.input"] = io.BytesIO(self.body)
        return environ


def environ_for(path: str = "/", method: str = "GET", body: bytes | None = None, **kw: Any) -> dict[str, Any]:
    headers = [("User-Agent", "corolla-bench/1.0"), ("Accept", "*/*")]
    if body is None:
        return EnvironBuilder(path=path, method=method, headers=headers, **kw).get_environ()
    built = EnvironBuilder(
        path=path, method=method, headers=headers, data=body, content_type="application/x-www-form-urlencoded"
    ).get_environ()
    environ = BodyEnviron(built)
    environ.body = body
    return environ


# -- the rows ---------------------------------------------------------------------
#
# Each row builder returns (environ, expected status, expected body, {peer: app}).


def corolla_app(root: Path, plugins: list[str] | None = None, config: dict[str, Any] | None = None) -> Any:
    from corolla import App

    return App(config or {}, ["routing", *(plugins or [])], root=root, environ={})


def hello_response(root: Path) -> dict[str, WSGIApp]:
    import bottle
    import falcon
    import flask
    from werkzeug.wrappers import Request as WRequest
    from werkzeug.wrappers import Response as WResponse

    from corolla import Response

    app = corolla_app(root)

    @app.get("/")
    def hello(request: Any) -> Any:
        return Response("Hello, World!", mimetype="text/plain")

    fl = flask.Flask("bench_users")

    @fl.route("/")
    def fl_hello() -> Any:
        return flask.Response("Hello, World!", mimetype="text/plain")

    bt = bottle.Bottle()

    def bt_hello() -> str:
        bottle.response.content_type = "text/plain; charset=utf-8"
        return "Hello, World!"

    bt.route("/")(bt_hello)

    class Hello:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    fa = falcon.App()
    fa.add_route("/", Hello())

    def wz(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        WRequest(environ)
        return WResponse("Hello, World!", mimetype="text/plain")(environ, start_response)

    return {"Corolla": app, "Falcon": fa, "Bottle": bt, "Flask": fl, "werkzeug": wz, "floor": floor(HELLO)}


def floor(body: bytes, status: str = "200 OK", content_type: str = "text/plain; charset=utf-8") -> WSGIApp:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, headers)
        return [body]

    return app


def hello_variant(root: Path, kind: str) -> dict[str, WSGIApp]:
    """``str``, ``(body, headers)``, ``(body, status, headers)`` or ``dict``, in each framework's way."""
    import bottle
    import falcon
    import flask

    app = corolla_app(root)
    fl = flask.Flask("bench_users")
    bt = bottle.Bottle()
    status = 201 if kind == "status-headers" else 200
    headers = {"X-Bench": "1"}
    value: Any = {"hello": "world"} if kind == "dict" else "Hello, World!"

    @app.get("/")
    def view(request: Any) -> Any:
        if kind == "headers":
            return "Hello, World!", headers
        if kind == "status-headers":
            return "Hello, World!", 201, headers
        return value

    @fl.route("/")
    def fl_view() -> Any:
        if kind == "headers":
            return "Hello, World!", headers
        if kind == "status-headers":
            return "Hello, World!", 201, headers
        return value

    def bt_view() -> Any:
        if kind in ("headers", "status-headers"):
            bottle.response.set_header("X-Bench", "1")
            bottle.response.status = status
        return value

    bt.route("/")(bt_view)

    class Resource:
        def on_get(self, req: Any, resp: Any) -> None:
            if kind == "dict":
                resp.media = value
                return
            resp.content_type = falcon.MEDIA_HTML
            resp.text = value
            if kind in ("headers", "status-headers"):
                resp.set_header("X-Bench", "1")
                resp.status = status

    fa = falcon.App()
    fa.add_route("/", Resource())
    if kind == "dict":
        body, ctype = b'{"hello":"world"}', "application/json"
    else:
        body, ctype = HELLO, "text/html; charset=utf-8"
    return {
        "Corolla": app,
        "Falcon": fa,
        "Bottle": bt,
        "Flask": fl,
        "floor": floor(body, "201 Created" if status == 201 else "200 OK", ctype),
    }


def routed(root: Path, n: int) -> dict[str, WSGIApp]:
    """bench_routing's apps: ``/`` plus n routes, half static, half ``/item<i>/<int:item_id>``."""
    apps = {
        "Corolla": bench_routing.corolla(n, root),
        "Falcon": bench_routing.falcon(n, root),
        "Bottle": bench_routing.bottle(n, root),
        "Flask": bench_routing.flask(n, root),
        "werkzeug": bench_routing.werkzeug_routing(n, root),
    }
    return apps


FIELDS = 20
FORM_BODY = "&".join(f"field{i}=value+{i}%21" for i in range(FIELDS)).encode()


def form(root: Path) -> dict[str, WSGIApp]:
    import bottle
    import falcon
    import flask
    from werkzeug.wrappers import Request as WRequest
    from werkzeug.wrappers import Response as WResponse

    app = corolla_app(root)

    @app.post("/")
    def view(request: Any) -> str:
        return str(len(request.form))

    fl = flask.Flask("bench_users")

    @fl.post("/")
    def fl_view() -> str:
        return str(len(flask.request.form))

    bt = bottle.Bottle()
    bt.post("/")(lambda: str(len(bottle.request.forms)))

    class Resource:
        def on_post(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = str(len(req.get_media()))

    fa = falcon.App()
    fa.add_route("/", Resource())

    def wz(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return WResponse(str(len(WRequest(environ).form)))(environ, start_response)

    def bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # The floor reads the body and splits it, nothing more.
        data = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        body = str(len(data.split(b"&"))).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return {"Corolla": app, "Falcon": fa, "Bottle": bt, "Flask": fl, "werkzeug": wz, "floor": bare}


# -- the full page ------------------------------------------------------------------

PAGE = """\
<!doctype html>
<title>Notes of {{ user }}</title>
<h1>Hello, {{ user }}!</h1>
<ul>
{% for note in notes %}  <li class="{{ loop.cycle('odd', 'even') }}">{{ note.title }}: {{ note.body }}</li>
{% endfor %}</ul>
"""
ROWS = 20


def make_database(path: Path) -> str:
    import sqlalchemy as sa

    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, title VARCHAR(80), body VARCHAR(200))"))
        for i in range(ROWS):
            conn.execute(
                sa.text("INSERT INTO notes (id, title, body) VALUES (:i, :t, :b)"),
                {"i": i + 1, "t": f"note <{i}>", "b": f"body & text {i}"},
            )
    engine.dispose()
    return url


def page_apps(root: Path, url: str) -> dict[str, WSGIApp]:
    """The full page in Corolla (sessions, orm, templates), in Flask (+ Flask-SQLAlchemy), and its floor.

    ``root`` holds ``templates/page.html``; ``url`` a database made by ``make_database``.
    Each app also has ``/login``, which puts the user in its session.
    """
    import flask
    import jinja2
    import sqlalchemy as sa
    from bench_users_models import Note, SANote
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy.orm import Session

    secret = bench_sessions.SECRET
    app = corolla_app(
        root,
        ["sessions", "orm", "templates"],
        {"core": {"secret_key": secret}, "orm": {"url": url}, "sessions": {"cookie_name": "corolla_page"}},
    )

    @app.get("/")
    def page(request: Any) -> Any:
        notes = request.db.scalars(sa.select(Note).order_by(Note.id)).all()
        return request.render("page.html", user=request.session["user"], notes=notes)

    @app.get("/login")
    def login(request: Any) -> str:
        request.session["user"] = "ann"
        return "in"

    db = SQLAlchemy()

    class FlaskNote(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "notes"
        id = db.Column(db.Integer, primary_key=True)
        title = db.Column(db.String(80))
        body = db.Column(db.String(200))

    fl = flask.Flask("bench_users_page", root_path=str(root))
    fl.secret_key = secret
    fl.config["SESSION_COOKIE_NAME"] = "flask_page"
    fl.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(fl)

    @fl.route("/")
    def fl_page() -> str:
        notes = db.session.scalars(sa.select(FlaskNote).order_by(FlaskNote.id)).all()
        return flask.render_template("page.html", user=flask.session["user"], notes=notes)

    @fl.route("/login")
    def fl_login() -> str:
        flask.session["user"] = "ann"
        return "in"

    # The floor: the same query and render, no framework (no session either:
    # the user's name is known).
    engine = sa.create_engine(url)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / "templates"), autoescape=jinja2.select_autoescape(), auto_reload=False
    )

    def bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with Session(engine) as session:
            notes = session.scalars(sa.select(SANote).order_by(SANote.id)).all()
            body = env.get_template("page.html").render(user="ann", notes=notes).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return {"Corolla": app, "Flask": fl, "floor": bare}


def prepare_page(root: Path) -> str:
    """The template and the database of the full page under ``root``; the database URL."""
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "page.html").write_text(PAGE)
    return make_database(root / "page.db")


def login_cookies(apps: dict[str, WSGIApp]) -> str:
    """The Cookie header carrying Corolla's and Flask's logged-in sessions."""
    from werkzeug.test import Client

    cookies = []
    for name, wsgi in (("corolla_page", apps["Corolla"]), ("flask_page", apps["Flask"])):
        response = Client(wsgi).get("/login")
        cookies.append(next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name)).split(";")[0])
    return "; ".join(cookies)


def full_page(root: Path) -> tuple[dict[str, WSGIApp], str]:
    """(apps, the Cookie header carrying each app's logged-in session)."""
    apps = page_apps(root, prepare_page(root))
    return apps, login_cookies(apps)


# -- running ------------------------------------------------------------------------


def rows(root: Path, quick: bool) -> list[tuple[str, dict[str, Any], int, bytes | None, dict[str, WSGIApp]]]:
    """(row name, environ, status, body or None, apps) for every row."""
    many = 1000 if quick else 10_000
    out: list[tuple[str, dict[str, Any], int, bytes | None, dict[str, WSGIApp]]] = []
    get = environ_for()
    out.append(("hello, explicit Response (text/plain)", get, 200, HELLO, hello_response(root)))
    out.append(("hello, str (text/html)", get, 200, HELLO, hello_variant(root, "str")))
    out.append(("hello, (body, headers)", get, 200, HELLO, hello_variant(root, "headers")))
    out.append(("hello, (body, status, headers)", get, 201, None, hello_variant(root, "status-headers")))
    out.append(("JSON, dict", get, 200, None, hello_variant(root, "dict")))  # spacing differs by framework
    for n in (10, 100, many):
        half = max(n // 2, 1)
        environ = environ_for(f"/item{half - 1}/42")
        out.append((f"int parameter, {n:,} routes", environ, 200, HELLO, routed(root / f"r{n}", n)))
    post = environ_for("/", "POST", FORM_BODY)
    out.append((f"form, {FIELDS} urlencoded fields", post, 200, str(FIELDS).encode(), form(root)))
    counters = {
        "Corolla": bench_sessions.corolla_app(bench_sessions_plugins(root), root, sessions=True, count=True),
        "Bottle": bench_sessions.bottle_app(),
        "Flask": bench_sessions.flask_app(),
        "werkzeug": bench_sessions.werkzeug_app(),
    }
    names = {**bench_sessions.NAMES, "werkzeug": bench_sessions.NAMES["werkzeug + itsdangerous"]}
    cookie = environ_for()
    cookie["HTTP_COOKIE"] = "; ".join(bench_sessions.first_cookie(app, names[name]) for name, app in counters.items())
    out.append(("cookie session, read + write", cookie, 200, b"2", counters))
    missing = environ_for("/missing/path")
    apps_404 = routed(root / "r404", 100)
    out.append(("404 among 101 routes", missing, 404, None, {**apps_404, "floor": floor(b"", "404 Not Found")}))
    pages, page_cookie = full_page(root)
    page = environ_for()
    page["HTTP_COOKIE"] = page_cookie
    out.append((f"full page: session, {ROWS} rows (SQLAlchemy, SQLite), Jinja2", page, 200, None, pages))
    return out


_SESSION_PLUGINS: list[Any] = []


def bench_sessions_plugins(root: Path) -> Any:
    from corolla._synthetic import SyntheticPlugins  # corolla.testing would import pytest

    plugins = SyntheticPlugins(root / "plugins")
    plugins.add(
        "bench-view", settings={"count": "Setting(bool, False)"}, optional=["sessions"], body=bench_sessions.DISPATCH
    )
    plugins.activate()
    _SESSION_PLUGINS.append(plugins)
    return plugins


def time_row(
    environ: dict[str, Any], status: int, body: bytes | None, apps: dict[str, WSGIApp], repeats: int, seconds: float
) -> dict[str, float]:
    for name, app in apps.items():
        if body is not None:
            harness.check(name, app, environ, body, status)
        else:
            check_status(name, app, environ, status)
    cases = [harness.Case(name, app) for name, app in apps.items()]
    harness.measure(cases, environ, repeats=repeats, seconds_per_repeat=seconds)
    MINIMA.update({case.name: min(case.samples) * 1e6 for case in cases})
    return {case.name: case.median_us for case in cases}


#: The fastest repeat of each app in the last row timed (the full page's overhead is also given from these).
MINIMA: dict[str, float] = {}


def check_status(name: str, app: WSGIApp, environ: dict[str, Any], status: int) -> None:
    seen: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
        seen.append(line)
        return lambda data: None

    result = app(environ.copy(), start_response)
    b"".join(result)
    getattr(result, "close", lambda: None)()
    if not seen or not seen[0].startswith(str(status)):
        raise RuntimeError(f"{name}: expected {status}, got {seen[:1]}; the benchmark would be wrong")


def render(results: dict[str, dict[str, float]], repeats: int) -> str:
    lines = [
        f"User-facing rows, in-process (µs per request, median of {repeats}; x Corolla: the peer's time / Corolla's)",
        "| scenario | Corolla | Falcon | Bottle | Flask | werkzeug | floor | x Falcon | x Bottle | x Flask |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, us in results.items():
        c = us["Corolla"]
        cells = [f"{us[p]:.1f}" if p in us else "" for p in PEERS]
        ratios = [f"{us[p] / c:.2f}" if p in us else "" for p in ("Falcon", "Bottle", "Flask")]
        lines.append(f"| {row} | " + " | ".join(cells + ratios) + " |")
    page = next((us for row, us in results.items() if row.startswith("full page")), None)
    if page:
        for label, figures in (("medians", page), ("fastest repeats", PAGE_MINIMA)):
            over_c, over_f = figures["Corolla"] - figures["floor"], figures["Flask"] - figures["floor"]
            lines.append(
                f"full page above its no-framework floor ({label}): Corolla +{over_c:.1f} µs, Flask +{over_f:.1f} µs "
                f"(Corolla's overhead is {over_c / over_f:.2f} of Flask's; target at most 0.33)"
            )
    return "\n".join(lines)


PAGE_MINIMA: dict[str, float] = {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run; 1,000 routes in the large row")
    parser.add_argument("--only", help="run only the rows whose name starts with this")
    parser.add_argument("--profile", action="store_true", help="cProfile Corolla in the --only row instead")
    args = parser.parse_args(argv)
    repeats, seconds = (5, 0.005) if args.quick else (31, 0.02)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="corolla-bench-users-") as tmp:
        try:
            for name, environ, status, body, apps in rows(Path(tmp), args.quick):
                if args.only and not name.startswith(args.only):
                    continue
                if args.profile:
                    profile(apps["Corolla"], environ)
                    return 0
                # The full page is 100 times longer than the other rows, and as noisy in µs:
                # three times the repeats.
                many = 3 if name.startswith("full page") else 1
                results[name] = time_row(environ, status, body, apps, repeats * many, seconds)
                if name.startswith("full page"):
                    PAGE_MINIMA.update(MINIMA)
                print(f"# {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in results[name].items()), file=sys.stderr)
        finally:
            for plugins in _SESSION_PLUGINS:
                plugins.deactivate()
    print(render(results, repeats))
    return 0


def profile(app: WSGIApp, environ: dict[str, Any], calls: int = 20_000) -> None:
    timer = timeit.Timer(
        harness.STATEMENT, globals={"app": app, "environ": environ, "start_response": harness.start_response}
    )
    timer.timeit(1000)
    profiler = cProfile.Profile()
    profiler.runcall(timer.timeit, calls)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    sys.exit(main())
