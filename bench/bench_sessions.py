"""Sessions per request: a cookie-session counter in Corolla, Flask, Bottle and werkzeug + itsdangerous.

    python bench/bench_sessions.py            # the full run (about 20 s)
    python bench/bench_sessions.py --quick    # a smoke run (a few seconds; rough figures)
    python bench/bench_sessions.py --profile  # cProfile of the Corolla counter instead

1. Read-increment-write: every app answers ``GET /`` by reading a counter
   from its signed session cookie, adding one and sending the new cookie.
   Each request carries the same cookie (the counter at 1), so every call
   does the full work: verify, decode, encode, sign, ``Set-Cookie``; the
   body is ``2``, checked once before timing. One ``Cookie`` header carries
   all four apps' cookies (distinct names), as a browser sends several.

   * Corolla: the sessions plugin (cookie backend) and a one-line dispatch plugin;
   * Flask: ``session`` (itsdangerous ``URLSafeTimedSerializer``, tagged JSON);
   * Bottle: ``request.get_cookie(..., secret=...)`` (pickle + HMAC);
   * werkzeug + itsdangerous: ``Request``, ``URLSafeTimedSerializer``, ``Response.set_cookie``,
     what one writes by hand on the libraries Corolla uses.

2. The cost of the plugin on a request that does not touch the session:
   Corolla answering ``Hello, World!`` with and without the sessions plugin
   loaded (the same dispatch plugin); target under 1 µs.

Timing: bench/harness.py (timeit loops, interleaved rounds, medians).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import timeit
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import harness

from corolla import App
from corolla._synthetic import SyntheticPlugins  # corolla.testing would import pytest

WSGIApp = Callable[..., Iterable[bytes]]

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NAMES = {"Corolla": "corolla_session", "Flask": "flask_session", "Bottle": "bottle_n", "werkzeug + itsdangerous": "wz"}

DISPATCH = """
@hookimpl
def corolla_dispatch(self, request):
    if self.config["count"]:
        session = request.session
        n = session["n"] = session.get("n", 0) + 1
        return str(n)
    return "Hello, World!"
"""


# -- the apps -----------------------------------------------------------------


def corolla_app(plugins: SyntheticPlugins, root: Path, *, sessions: bool, count: bool) -> WSGIApp:
    config = {
        "core": {"secret_key": SECRET},
        "sessions": {"cookie_name": NAMES["Corolla"]},
        "bench-view": {"count": count},
    }
    if not sessions:
        del config["sessions"]
    enabled = ["sessions", "bench-view"] if sessions else ["bench-view"]
    return App(config, enabled, root=root, environ={})


def flask_app() -> WSGIApp:
    from flask import Flask, session

    app = Flask("bench_sessions")
    app.secret_key = SECRET
    app.config["SESSION_COOKIE_NAME"] = NAMES["Flask"]

    @app.route("/")
    def count() -> str:
        n = session["n"] = session.get("n", 0) + 1
        return str(n)

    return app


def bottle_app() -> WSGIApp:
    import bottle

    app = bottle.Bottle()
    name = NAMES["Bottle"]

    def count() -> str:
        n = int(bottle.request.get_cookie(name, secret=SECRET) or 0) + 1
        bottle.response.set_cookie(name, str(n), secret=SECRET, httponly=True, samesite="lax", path="/")
        return str(n)

    app.route("/")(count)
    return app  # type: ignore[no-any-return]


def werkzeug_app() -> WSGIApp:
    from itsdangerous import BadSignature, URLSafeTimedSerializer
    from werkzeug.wrappers import Request, Response

    serializer = URLSafeTimedSerializer(SECRET, salt="cookie-session")
    name = NAMES["werkzeug + itsdangerous"]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        data: dict[str, Any] = {}
        raw = request.cookies.get(name)
        if raw:
            try:
                data = serializer.loads(raw, max_age=31 * 24 * 3600)
            except BadSignature:
                data = {}
        n = data["n"] = data.get("n", 0) + 1
        response = Response(str(n))
        response.set_cookie(name, serializer.dumps(data), httponly=True, samesite="Lax")
        response.vary.add("Cookie")
        return response(environ, start_response)

    return app


# -- running ------------------------------------------------------------------


def first_cookie(app: WSGIApp, name: str) -> str:
    """The cookie ``app`` sets on a first visit (the counter at 1)."""
    seen: list[list[tuple[str, str]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Any:
        seen.append(headers)
        return lambda data: None

    result = app(harness.make_environ(), start_response)
    b"".join(result)
    getattr(result, "close", lambda: None)()
    for key, value in seen[0]:
        if key == "Set-Cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0]
    raise RuntimeError(f"{name}: no cookie set on the first visit; the benchmark would be wrong")


def build(tmp: Path) -> tuple[dict[str, WSGIApp], dict[str, WSGIApp], SyntheticPlugins]:
    plugins = SyntheticPlugins(tmp / "plugins")
    plugins.add("bench-view", settings={"count": "Setting(bool, False)"}, optional=["sessions"], body=DISPATCH)
    plugins.activate()
    counters = {
        "Corolla": corolla_app(plugins, tmp, sessions=True, count=True),
        "Flask": flask_app(),
        "Bottle": bottle_app(),
        "werkzeug + itsdangerous": werkzeug_app(),
    }
    untouched = {
        "Corolla, no sessions plugin": corolla_app(plugins, tmp, sessions=False, count=False),
        "Corolla + sessions, untouched": corolla_app(plugins, tmp, sessions=True, count=False),
    }
    return counters, untouched, plugins


def environ_with_cookies(counters: dict[str, WSGIApp]) -> dict[str, Any]:
    environ = harness.make_environ()
    environ["HTTP_COOKIE"] = "; ".join(first_cookie(app, NAMES[name]) for name, app in counters.items())
    return environ


def run(quick: bool) -> None:
    repeats, seconds = (5, 0.005) if quick else (41, 0.03)
    with tempfile.TemporaryDirectory(prefix="corolla-bench-sessions-") as folder:
        counters, untouched, plugins = build(Path(folder))
        try:
            environ = environ_with_cookies(counters)
            bodies = {**dict.fromkeys(counters, b"2"), **dict.fromkeys(untouched, harness.HELLO)}
            us = harness.time_apps(
                {**counters, **untouched}, environ, bodies, repeats=repeats, seconds_per_repeat=seconds
            )
        finally:
            for app in [*counters.values(), *untouched.values()]:
                close = getattr(app, "close", None)
                if isinstance(app, App) and close:
                    close()
            plugins.deactivate()
    corolla = us["Corolla"]
    print(f"Sessions benchmark ({'quick' if quick else 'full'} run; median of {repeats} repeats, µs per request)")
    print("1. Read-increment-write of a counter in a signed cookie session")
    print(f"   {'app':<26}{'µs':>9}{'x Corolla':>11}")
    for name in counters:
        print(f"   {name:<26}{us[name]:>9.2f}{us[name] / corolla:>10.2f}x")
    flask_ratio = us["Flask"] / corolla
    bottle_ratio = us["Bottle"] / corolla
    flask_verdict = "met" if flask_ratio >= 2 else "MISSED"
    bottle_verdict = "met" if bottle_ratio >= 1 else "not yet"
    print(f"   Corolla is {flask_ratio:.2f}x faster than Flask (target >= 2x: {flask_verdict})")
    print(f"   Corolla is {bottle_ratio:.2f}x faster than Bottle (goal >= 1x: {bottle_verdict})")
    base = us["Corolla, no sessions plugin"]
    loaded = us["Corolla + sessions, untouched"]
    delta = loaded - base
    print("2. A request that does not touch the session")
    print(f"   {'Corolla, no sessions plugin':<34}{base:>9.2f}")
    print(
        f"   {'Corolla + sessions, untouched':<34}{loaded:>9.2f}   delta {delta:+.2f} µs "
        f"(target < 1 µs: {'met' if delta < 1 else 'MISSED'})"
    )


def profile(calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="corolla-bench-sessions-") as folder:
        counters, untouched, plugins = build(Path(folder))
        app = counters["Corolla"]
        environ = environ_with_cookies({"Corolla": app})
        harness.check("Corolla", app, environ, body=b"2")
        timer = timeit.Timer(
            harness.STATEMENT, globals={"app": app, "environ": environ, "start_response": harness.start_response}
        )
        timer.timeit(1000)
        profiler = cProfile.Profile()
        profiler.runcall(timer.timeit, calls)
        plugins.deactivate()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    parser.add_argument("--profile", action="store_true", help="cProfile the Corolla counter instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile(20_000)
    else:
        run(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
