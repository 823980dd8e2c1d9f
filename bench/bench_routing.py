"""Routing per request: Corolla with corolla-routing beside Flask, Bottle, Falcon and raw werkzeug routing.

    .venv/bin/python bench/bench_routing.py            # the full run (about 3 minutes, 2 of them Falcon and
                                                       # Bottle registering 10,000 routes)
    .venv/bin/python bench/bench_routing.py --quick    # a smoke run (1,000 routes in the large scenario; rough)
    .venv/bin/python bench/bench_routing.py --profile "param, 100 routes"   # cProfile of Corolla there

Every framework gets the same routes: ``/`` plus N routes, half static
(``/page<i>``) and half with an int converter (``/item<i>/<int:item_id>``).
Scenarios (all in one run, interleaved rounds, medians; see harness.py):

- hello: ``GET /`` among 20 routes
- param, 100 routes / param, 10,000 routes (``--many``): ``GET`` of the *last* int route
  (``/item<N/2-1>/42``): the worst place for a router that tries its regexes
  in order
- 404: ``GET /missing/path`` among 100 routes
- 405: ``POST`` to an int route among 100 routes (only GET is routed)

Each app is checked once before timing (status and body), so no case is
timed answering something else. Nothing is asserted: the figures are for
reading; the ratios between figures of one run are what matter.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import harness
from werkzeug.test import EnvironBuilder

WSGIApp = Callable[..., Iterable[bytes]]
BODY = b"Hello, World!"


def shape(n: int) -> tuple[list[str], list[str]]:
    """(static paths, int-route prefixes) for n routes."""
    half = max(n // 2, 1)
    return [f"/page{i}" for i in range(half)], [f"/item{i}" for i in range(half)]


def corolla(n: int, root: Path) -> WSGIApp:
    from corolla import App

    app = App(plugins=["routing"], root=root, environ={})
    statics, items = shape(n)
    app.add_url_rule("/", "index", lambda request: "Hello, World!")
    for i, path in enumerate(statics):
        app.add_url_rule(path, f"page{i}", lambda request: "Hello, World!")
    for i, prefix in enumerate(items):
        app.add_url_rule(prefix + "/<int:item_id>", f"item{i}", lambda request, item_id: "Hello, World!")
    return app  # type: ignore[return-value]


def flask(n: int, root: Path) -> WSGIApp:
    from flask import Flask

    app = Flask("bench_routing")
    statics, items = shape(n)
    app.add_url_rule("/", "index", lambda: "Hello, World!")
    for i, path in enumerate(statics):
        app.add_url_rule(path, f"page{i}", lambda: "Hello, World!")
    for i, prefix in enumerate(items):
        app.add_url_rule(prefix + "/<int:item_id>", f"item{i}", lambda item_id: "Hello, World!")
    return app  # type: ignore[return-value]


def bottle(n: int, root: Path) -> WSGIApp:
    import bottle as _bottle

    app = _bottle.Bottle()
    statics, items = shape(n)
    app.route("/")(lambda: "Hello, World!")
    for path in statics:
        app.route(path)(lambda: "Hello, World!")
    for prefix in items:
        app.route(prefix + "/<item_id:int>")(lambda item_id: "Hello, World!")
    return app  # type: ignore[no-any-return]


def falcon(n: int, root: Path) -> WSGIApp:
    import falcon as _falcon

    class Hello:
        def on_get(self, req: Any, resp: Any, item_id: int | None = None) -> None:
            resp.content_type = _falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    app = _falcon.App()
    statics, items = shape(n)
    app.add_route("/", Hello())
    for path in statics:
        app.add_route(path, Hello())
    for prefix in items:
        app.add_route(prefix + "/{item_id:int}", Hello())
    return app


def werkzeug_routing(n: int, root: Path) -> WSGIApp:
    """werkzeug's Map/Rule with its Request and Response, no framework: what the docs show."""
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import Map, Rule
    from werkzeug.wrappers import Request, Response

    statics, items = shape(n)
    rules = [Rule("/", endpoint="index", methods=["GET"])]
    rules += [Rule(path, endpoint=f"page{i}", methods=["GET"]) for i, path in enumerate(statics)]
    rules += [Rule(prefix + "/<int:item_id>", endpoint=f"item{i}", methods=["GET"]) for i, prefix in enumerate(items)]
    url_map = Map(rules)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, values = url_map.bind_to_environ(request.environ).match()
            response: Any = Response("Hello, World!")
        except HTTPException as exc:
            response = exc
        return response(environ, start_response)  # type: ignore[no-any-return]

    return app


FRAMEWORKS: dict[str, Callable[[int, Path], WSGIApp]] = {
    "Corolla": corolla,
    "Falcon": falcon,
    "Bottle": bottle,
    "werkzeug routing": werkzeug_routing,
    "Flask": flask,
}


def scenarios(many: int = 10_000) -> dict[str, tuple[int, str, str, int]]:
    """name -> (routes, method, path, expected status)."""
    last_100 = shape(100)[1][-1]
    last_many = shape(many)[1][-1]
    return {
        "hello, 20 routes": (20, "GET", "/", 200),
        "param, 100 routes": (100, "GET", f"{last_100}/42", 200),
        f"param, {many:,} routes": (many, "GET", f"{last_many}/42", 200),
        "404, 100 routes": (100, "GET", "/missing/path", 404),
        "405, 100 routes": (100, "POST", f"{last_100}/42", 405),
    }


def environ_for(method: str, path: str) -> dict[str, Any]:
    builder = EnvironBuilder(path=path, method=method, headers=[("User-Agent", "corolla-bench/1.0"), ("Accept", "*/*")])
    return builder.get_environ()


def run(quick: bool, many: int) -> dict[str, dict[str, float]]:
    repeats, seconds = (5, 0.005) if quick else (31, 0.02)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        apps: dict[tuple[str, int], WSGIApp] = {}
        for scenario, (n, method, path, status) in scenarios(many).items():
            environ = environ_for(method, path)
            cases = []
            for name, build in FRAMEWORKS.items():
                app = apps.get((name, n))
                if app is None:
                    app = apps[(name, n)] = build(n, Path(tmp))
                harness.check(f"{name} / {scenario}", app, environ, BODY, status)
                cases.append(harness.Case(name, app))
            harness.measure(cases, environ, repeats=repeats, seconds_per_repeat=seconds)
            results[scenario] = {case.name: case.median_us for case in cases}
            print(f"# {scenario}: done", file=sys.stderr, flush=True)
    return results


def render(results: dict[str, dict[str, float]]) -> str:
    names = list(FRAMEWORKS)
    lines = [
        "Routing, per request (µs, median; ratio = framework / Corolla)",
        f"{'scenario':<22}" + "".join(f"{n:>18}" for n in names),
    ]
    for scenario, row in results.items():
        base = row["Corolla"]
        cells = [f"{row[n]:>9.2f} ({row[n] / base:>4.1f}x)" for n in names]
        lines.append(f"{scenario:<22}" + "".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def profile(scenario: str) -> None:
    import cProfile
    import pstats
    import timeit

    n, method, path, status = scenarios()[scenario]
    with tempfile.TemporaryDirectory() as tmp:
        app = corolla(n, Path(tmp))
        environ = environ_for(method, path)
        harness.check("Corolla", app, environ, BODY, status)
        timer = timeit.Timer(
            harness.STATEMENT, globals={"app": app, "environ": environ, "start_response": harness.start_response}
        )
        timer.timeit(1000)
        profiler = cProfile.Profile()
        profiler.runcall(timer.timeit, 50_000)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    parser.add_argument("--profile", metavar="SCENARIO", help="profile Corolla in one scenario instead")
    parser.add_argument(
        "--many",
        type=int,
        help="routes in the large scenario (default 10,000; 1,000 with --quick: Falcon and Bottle take "
        "about 90 s and 30 s to register 10,000 routes)",
    )
    args = parser.parse_args(argv)
    many = args.many or (1_000 if args.quick else 10_000)
    if args.profile:
        profile(args.profile)
        return 0
    print(render(run(args.quick, many)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
