"""Run every benchmark in one process, print a table, write ``bench/results/latest.json``.

    python bench/run.py            # the full run (about a minute and a half)
    python bench/run.py --quick    # a smoke run (a few seconds; figures are rough)

Scenarios (see bench/README.md):

1. per request, in-process: Corolla's core with a one-line dispatch plugin
   beside a bare WSGI function, raw werkzeug, Bottle, Falcon and Flask;
2. per request, the cost of installed plugins: start-up-only plugins,
   pass-through wrappers, and no-op request-time hooks;
3. start-up: ``python -c "<build the app>"``, Corolla against Flask;
4. 500 plugins: ``resolve()`` in memory, and ``App()`` over 500 distributions;
5. each standard plugin beside its Flask (and Bottle, Falcon, werkzeug)
   equivalent: ``bench_<plugin>.py``, each run in its own process after the
   scenarios above (``--only-plugins`` runs just these), its table printed
   as it comes.

Everything is measured in this one run, interleaved where it can be, so the
ratios between figures are meaningful; the absolute figures depend on the
machine. Nothing here is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import corolla_apps
import harness
import peers
import resolution
import startup

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
#: The plugins' own benchmarks, each standalone (``python bench/<name>.py``).
PLUGIN_BENCHES = [
    "bench_users",
    "bench_serve",
    "bench_routing",
    "bench_sessions",
    "bench_orm",
    "bench_forms",
    "bench_templates",
    "bench_auth",
    "bench_cli",
]


@dataclass(frozen=True)
class Settings:
    repeats: int  # per-request rounds
    seconds_per_repeat: float
    startup_runs: int
    resolve_repeats: int
    app_plugins: int  # synthetic distributions on disk
    app_runs: int


FULL = Settings(repeats=81, seconds_per_repeat=0.03, startup_runs=15, resolve_repeats=21, app_plugins=500, app_runs=5)
QUICK = Settings(repeats=5, seconds_per_repeat=0.005, startup_runs=1, resolve_repeats=3, app_plugins=100, app_runs=1)


def progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r  {message:<60}", end="", file=sys.stderr, flush=True)


def done(label: str, start: float) -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 64 + "\r", end="", file=sys.stderr)
    print(f"# {label}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def per_request(settings: Settings, tmp: Path) -> dict[str, dict[str, Any]]:
    environ = harness.make_environ()
    cases = []
    for name, build in peers.PEERS.items():
        app = build()
        harness.check(name, app, environ)
        cases.append(harness.Case(name, app))
    synthetic, apps = corolla_apps.build_all(tmp / "plugins", tmp)
    try:
        for name, app in apps.items():
            harness.check(name, app, environ)
            cases.append(harness.Case(name, app))
        harness.measure(
            cases, environ, repeats=settings.repeats, seconds_per_repeat=settings.seconds_per_repeat, progress=progress
        )
    finally:
        for app in apps.values():
            app.close()
        synthetic.deactivate()
    return {case.name: case.summary() for case in cases}


def environment() -> dict[str, Any]:
    names = ["corolla", "werkzeug", "pluggy", "packaging", "flask", "bottle", "falcon"]
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": {name: version(name) for name in names},
    }


# -- the table ---------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def render(results: dict[str, Any]) -> str:
    env, req = results["environment"], results["per_request"]
    s = results["settings"]
    lines = [
        f"Corolla benchmarks, {env['date']}, {results['mode']} run",
        f"Python {env['python']} ({env['implementation']}) on {env['platform']}, {env['cpus']} CPUs",
        "versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()),
        "",
        f"1. Per request, in-process: GET / -> 200 'Hello, World!' (median of {s['repeats']} repeats, µs per call)",
        f"   {'app':<22}{'µs':>8}{'x bare':>9}{'x Corolla':>11}   issue's figure (µs)",
    ]
    corolla = req["Corolla"]["median_us"]
    bare = req["bare WSGI"]["median_us"]
    for name in ["bare WSGI", "Corolla", *[n for n in peers.PEERS if n != "bare WSGI"]]:
        us = req[name]["median_us"]
        target = f"{peers.TARGETS_US[name]:g}" if name in peers.TARGETS_US else "< Bottle (goal: Falcon)"
        lines.append(f"   {name:<22}{us:>8.2f}{_ratio(us, bare):>9}{_ratio(us, corolla):>11}   {target}")

    lines += ["", "2. Per request, installed plugins (µs; delta against Corolla with its dispatch plugin alone)"]
    lines.append(f"   {'variant':<36}{'µs':>8}{'delta':>9}{'per plugin':>12}")
    for name, row in results["plugins"].items():
        per = f"{row['per_plugin_us']:+.3f}" if row.get("per_plugin_us") is not None else ""
        lines.append(f"   {name:<36}{row['median_us']:>8.2f}{row['delta_us']:>+9.2f}{per:>12}   {row['note']}")

    runs = s["startup_runs"]
    lines += ["", f"3. Start-up: wall time of python -c '...' (median of {runs} run(s), fresh interpreter each)"]
    st = results["startup"]
    flask = st["Flask(__name__)"]["median_ms"]
    for name, row in st.items():
        lines.append(f"   {name:<26}{row['median_ms']:>8.1f} ms{_ratio(row['median_ms'], flask):>9} Flask(__name__)")
    lines.append(f"   (App(), all installed, loaded: {', '.join(results['startup_plugins']) or 'no plugins'})")

    r, a = results["resolve"], results["app_many"]
    edges = ", ".join(f"{n} {k}" for k, n in sorted(r["edges"].items()))
    lines += [
        "",
        f"4. {r['plugins']} plugins",
        f"   resolve() in memory ({edges} edges): {r['median_ms']:.1f} ms median of {r['repeats']}"
        f" (min {r['min_ms']:.1f}; target < 50 ms)",
        f"   App() over {a['plugins']} distributions on disk, fresh interpreter: {a['app_cold_median_ms']:.0f} ms"
        f" median of {a['runs']} (process wall time {a['process_wall_median_ms']:.0f} ms)",
    ]
    p = a["phases_median_ms"]
    lines.append(
        f"     cold: import corolla {p['import_corolla_ms']:.0f}, discover {p['discover_cold_ms']:.0f},"
        f" load (imports) {p['load_cold_ms']:.0f}, resolve {p['resolve_cold_ms']:.0f} ms"
    )
    lines.append(
        f"     warm App() {p['app_warm_ms']:.0f} ms = discover {p['discover_warm_ms']:.0f}"
        f" + load {p['load_warm_ms']:.0f} + resolve {p['resolve_warm_ms']:.0f}"
        f" + config/registration/compile {p['rest_of_app_ms']:.0f} ms"
    )
    return "\n".join(lines)


def plugin_costs(req: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    base = req["Corolla"]["median_us"]
    notes = {
        "Corolla": "dispatch plugin only",
        "+ no-op corolla_handle_exception": "only called on errors",
        "+ no-op corolla_response": "needs a werkzeug Response for every response",
        "+ no-op corolla_teardown": "stays on the fast path: one call per request",
    }
    out = {}
    for name, extra in corolla_apps.VARIANTS.items():
        us = req[name]["median_us"]
        count = len(extra) if len(extra) > 1 else None
        note = notes.get(name, "")
        if extra == corolla_apps.STARTUP:
            note = f"target: delta < 1 µs ({'met' if us - base < 1 else 'MISSED'})"
        out[name] = {
            "median_us": us,
            "delta_us": round(us - base, 4),
            "per_plugin_us": round((us - base) / count, 4) if count else None,
            "note": note,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the JSON (default {RESULTS})")
    parser.add_argument("--only-plugins", action="store_true", help="run only the plugins' benchmarks")
    args = parser.parse_args(argv)
    if args.only_plugins:
        return plugin_benches(args.quick)
    settings = QUICK if args.quick else FULL
    began = time.perf_counter()
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "environment": environment(),
        "settings": settings.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="corolla-bench-") as tmp:
        start = time.perf_counter()
        results["per_request"] = per_request(settings, Path(tmp))
        results["plugins"] = plugin_costs(results["per_request"])
        done("per request", start)
    start = time.perf_counter()
    results["startup"] = startup.run(settings.startup_runs, progress)
    results["startup_plugins"] = startup.corolla_plugins()
    done("start-up", start)
    start = time.perf_counter()
    results["resolve"] = resolution.time_resolve(500, settings.resolve_repeats, progress)
    results["app_many"] = resolution.time_app(settings.app_plugins, settings.app_runs, progress)
    done(f"500 plugins (on disk: {settings.app_plugins})", start)
    results["total_s"] = round(time.perf_counter() - began, 1)

    print(render(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n(total {results['total_s']} s; written to {args.output})")
    return plugin_benches(args.quick)


def plugin_benches(quick: bool) -> int:
    """Run every ``bench_<plugin>.py`` in turn, in its own process; print each table."""
    failed = []
    for name in PLUGIN_BENCHES:
        print(f"\n== {name}.py" + (" --quick" if quick else ""), flush=True)
        command = [sys.executable, str(Path(__file__).with_name(f"{name}.py")), *(["--quick"] if quick else [])]
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
