"""corolla-auth per request, beside Flask + Flask-SQLAlchemy doing the same by hand, in one run.

    .venv/bin/python bench/bench_auth.py          # full run (about 30 s)
    .venv/bin/python bench/bench_auth.py --quick  # a smoke run; rough figures

1. A ``@login_required`` page for a logged-in user: verify the signed session
   cookie, read the user id, load the user by primary key from SQLite, answer
   with the username. Corolla: the five standard plugins + auth
   (``request.user``); Flask: ``session`` + Flask-SQLAlchemy's
   ``db.session.get`` in a hand-written ``login_required`` (Flask-Login is
   not among the bench dependencies; it does the same two steps). Same
   database file, same row, each side sending its own cookie.
2. What the auth plugin costs a request that never reads ``request.user``:
   the same five-plugin Corolla app answering ``Hello, World!`` with and
   without auth loaded. Target: under 1 µs (it adds one lazy attribute and
   routes; no wrapper).
3. A whole login (POST /auth/login: CSRF check, the two rate-limit counts,
   the password check, clearing the account's counter, a new session id,
   the flash message, the 303), with a cheap hash (``pbkdf2:sha256:1000``) so
   the framework's share shows; then one login with werkzeug's default
   scrypt, whose cost is on purpose.

Timing: bench/harness.py (timeit loops, interleaved rounds, medians).
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import harness
from werkzeug.test import Client

WSGIApp = Callable[..., Iterable[bytes]]
PLUGINS = ["routing", "sessions", "orm", "forms", "templates"]
SECRET = "bench-secret-" * 4
USERNAME = b"alice"
PASSWORD = "a long password"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def with_environ(app: WSGIApp, **extra: Any) -> WSGIApp:
    """``app`` called with ``extra`` in its environ (its own cookie; a fresh body stream)."""
    body = extra.pop("body", None)

    def wrapped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ.update(extra)
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    return wrapped


def corolla_app(folder: Path, url: str, *, auth: bool, method: str = "pbkdf2:sha256:1000") -> Any:
    from corolla import App

    names = [*PLUGINS, "auth"] if auth else PLUGINS
    config = {"core": {"secret_key": SECRET}, "orm": {"url": url, "pool_pre_ping": False}}
    if auth:
        config["auth"] = {"password_method": method, "max_attempts": 1_000_000_000}
    app = App(config, names, root=folder, environ={})

    if auth:
        from corolla_auth import login_required

        @app.get("/")
        @login_required
        def home(request: Any) -> str:
            return str(request.user.username)

    else:

        @app.get("/")
        def home(request: Any) -> str:
            return "Hello, World!"

    @app.get("/hello")
    def hello(request: Any) -> str:
        return "Hello, World!"

    return app


def migrate(app: Any) -> None:
    from corolla.testing import run_cli

    result = run_cli("db", "upgrade", app=app)
    if result.exit_code != 0:
        raise RuntimeError(f"corolla db upgrade failed: {result.output}")


def corolla_logged_in(app: Any) -> tuple[str, Client]:
    client = Client(app)
    token = TOKEN.search(client.get("/auth/register").text).group(1)  # type: ignore[union-attr]
    data = {"username": USERNAME.decode(), "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    response = client.post("/auth/register", data=data)
    if response.status_code != 303:
        raise RuntimeError(f"registering failed: {response.status_code} {response.text[:300]}")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return f"session={cookie.value}", client


def flask_app(url: str) -> tuple[WSGIApp, str]:
    import functools

    from flask import Flask, abort, redirect, session
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    class FlaskUser(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "auth_user"
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80))

    app = Flask("bench_auth_flask")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    db.init_app(app)

    def login_required(view: Any) -> Any:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user_id = session.get("_auth_user_id")
            user = db.session.get(FlaskUser, user_id) if user_id is not None else None
            if user is None:
                return redirect("/login")
            return view(user, *args, **kwargs)

        return wrapper

    @app.route("/")
    @login_required
    def home(user: Any) -> str:
        return str(user.username)

    @app.route("/bench-login")
    def bench_login() -> str:
        session["_auth_user_id"] = 1
        return "ok"

    client = app.test_client()
    client.get("/bench-login")
    cookie = client.get_cookie("session")
    if cookie is None:
        abort(500)
    return app, f"session={cookie.value}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    args = parser.parse_args(argv)
    repeats, seconds = (5, 0.005) if args.quick else (31, 0.03)
    environ = harness.make_environ()
    with tempfile.TemporaryDirectory(prefix="corolla-bench-auth-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        auth_app = corolla_app(folder, url, auth=True)
        migrate(auth_app)
        cookie, client = corolla_logged_in(auth_app)
        flask, flask_cookie = flask_app(url)
        plain = corolla_app(folder, url, auth=False)

        token = TOKEN.search(client.get("/auth/login").text).group(1)  # type: ignore[union-attr]
        login_cookie = f"session={client.get_cookie('session').value}"  # type: ignore[union-attr]
        body = urlencode({"username": USERNAME.decode(), "password": PASSWORD, "csrf_token": token}).encode()
        login = with_environ(
            auth_app,
            REQUEST_METHOD="POST",
            PATH_INFO="/auth/login",
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(body)),
            HTTP_COOKIE=login_cookie,
            body=body,
        )
        apps = {
            "Flask + Flask-SQLAlchemy, by hand": with_environ(flask, HTTP_COOKIE=flask_cookie),
            "Corolla + auth (request.user)": with_environ(auth_app, HTTP_COOKIE=cookie),
            "Corolla, 5 plugins, hello": with_environ(plain, PATH_INFO="/hello"),
            "Corolla, 5 plugins + auth, hello": with_environ(auth_app, PATH_INFO="/hello"),
        }
        cases = []
        for name, app in apps.items():
            harness.check(name, app, environ, USERNAME if "hello" not in name else harness.HELLO)
            cases.append(harness.Case(name, app))
        check_login(login, environ)
        cases.append(harness.Case("Corolla + auth, POST /auth/login (pbkdf2, 1000 rounds)", login))
        harness.measure(cases, environ, repeats=repeats, seconds_per_repeat=seconds)
        scrypt = scrypt_login_ms(folder, url)
        auth_app.close()
        plain.close()
    us = {case.name: case.median_us for case in cases}
    flask_us = us["Flask + Flask-SQLAlchemy, by hand"]
    print(f"Per request, in-process, median of {repeats} repeats (µs per call); SQLite:")
    print("A @login_required page, logged in (cookie -> user id -> user row):")
    for name in ("Flask + Flask-SQLAlchemy, by hand", "Corolla + auth (request.user)"):
        print(f"  {name:<55} {us[name]:8.2f} µs   {us[name] / flask_us:5.2f}x Flask")
    base, loaded = us["Corolla, 5 plugins, hello"], us["Corolla, 5 plugins + auth, hello"]
    print("A request that never reads request.user (hello-world view):")
    print(f"  {'Corolla, 5 plugins':<55} {base:8.2f} µs")
    print(f"  {'Corolla, 5 plugins + auth':<55} {loaded:8.2f} µs   {loaded - base:+.2f} µs")
    print(f"  target: under 1 µs over no auth plugin: {'met' if loaded - base < 1.0 else 'MISSED'}")
    name = "Corolla + auth, POST /auth/login (pbkdf2, 1000 rounds)"
    print("A whole login:")
    print(f"  {name:<55} {us[name]:8.2f} µs")
    print(f"  {'the same with werkzeug default scrypt (one login)':<55} {scrypt:8.2f} ms")
    return 0


def check_login(app: WSGIApp, environ: dict[str, Any]) -> None:
    seen: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda data: None

    b"".join(app(environ.copy(), start_response))
    if not seen or not seen[0].startswith("303"):
        raise RuntimeError(f"the login case answered {seen[:1]}, not 303; the benchmark would be wrong")


def scrypt_login_ms(folder: Path, url: str) -> float:
    from werkzeug.security import generate_password_hash

    app = corolla_app(folder, url, auth=True, method="")
    with app.db.begin() as db:
        from corolla_auth import User

        db.get(User, 1).password_hash = generate_password_hash(PASSWORD)
    client = Client(app)
    token = TOKEN.search(client.get("/auth/login").text).group(1)  # type: ignore[union-attr]
    data = {"username": USERNAME.decode(), "password": PASSWORD, "csrf_token": token}
    start = time.perf_counter()
    response = client.post("/auth/login", data=data)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 303:
        raise RuntimeError(f"the scrypt login answered {response.status_code}")
    app.close()
    return elapsed


if __name__ == "__main__":
    raise SystemExit(main())
