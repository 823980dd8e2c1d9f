"""cProfile of one scenario, to see where the time goes.

    python bench/profiling.py request "Corolla"                    # a per-request variant (or a peer: "Flask")
    python bench/profiling.py request "+ no-op corolla_teardown"
    python bench/profiling.py app 500                              # App() over 500 synthetic distributions (warm)

Prints the functions sorted by internal time (``--sort cumulative`` to
change). Profiling slows Python calls several-fold, so read the shares, not
the absolute times; the figures come from ``run.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import timeit
from pathlib import Path

import corolla_apps
import harness
import peers
import resolution

from corolla import App
from corolla._synthetic import SyntheticPlugins


def profile_request(name: str, calls: int, tmp: Path) -> cProfile.Profile:
    environ = harness.make_environ()
    if name in peers.PEERS:
        app = peers.PEERS[name]()
    else:
        plugins = corolla_apps.write_plugins(tmp / "plugins")
        if name not in corolla_apps.VARIANTS:
            raise SystemExit(f"unknown variant {name!r}; one of: {', '.join([*peers.PEERS, *corolla_apps.VARIANTS])}")
        app = corolla_apps.build(plugins, tmp, corolla_apps.VARIANTS[name])
    harness.check(name, app, environ)
    timer = timeit.Timer(
        harness.STATEMENT, globals={"app": app, "environ": environ, "start_response": harness.start_response}
    )
    timer.timeit(1000)
    profiler = cProfile.Profile()
    profiler.runcall(timer.timeit, calls)
    return profiler


def profile_app(n: int, tmp: Path) -> cProfile.Profile:
    synthetic = SyntheticPlugins(tmp / "plugins")
    for spec in resolution.shape(n):
        synthetic.add(**spec)
    synthetic.activate()
    root = tmp / "app"
    root.mkdir()
    App(plugin_path=synthetic.path, root=root, environ={}).close()  # imports the modules: profile the rest
    profiler = cProfile.Profile()
    profiler.runcall(lambda: App(plugin_path=synthetic.path, root=root, environ={}).close())
    return profiler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["request", "app"])
    parser.add_argument("what", help="request: a variant or peer name; app: the number of plugins")
    parser.add_argument("--calls", type=int, default=20000, help="requests to profile (default 20000)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    parser.add_argument("--limit", type=int, default=30, help="rows to print (default 30)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corolla-bench-profile-") as tmp:
        if args.scenario == "request":
            profiler = profile_request(args.what, args.calls, Path(tmp))
        else:
            profiler = profile_app(int(args.what), Path(tmp))
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
