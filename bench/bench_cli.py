"""The command line's wall time: ``corolla --help`` and ``corolla plugins list`` beside ``flask --help``.

Each command runs as a fresh process (the installed console scripts in this
environment), in an empty temporary folder with no ``COROLLA_*`` or
``FLASK_*`` variables, so no app, ``corolla.toml`` or ``.flaskenv`` is found:
the no-app case every fresh shell sees. Every plugin installed in this
environment counts (here the five standard plugins and corolla-auth).
``corolla --help`` plans the installed set and asks each enabled plugin for
its commands' names on a bare instance (no plugin is configured or started,
so nothing heavy is imported); ``corolla plugins list`` only plans
(discovery, declarations, resolution, config). ``corolla routes --help`` is
a plugin's command: invoking one builds and starts an app over the installed
set, the price of running a plugin's command, paid only then. The
"+20 plugins" rows add twenty synthetic plugin distributions that each add
a command, to show what plugins' commands cost ``--help``. The "+200
manifest plugins" rows add two hundred synthetic plugin distributions that
each ship a ``corolla-plugin.toml`` (two settings, a hook, listed in
``RECORD`` as a wheel's package data would be) and no command: inspection
reads those manifests and imports none of them, so these rows show what
discovery, manifest parsing and resolution cost per installed plugin
(issue 14 asks for ``corolla plugins list`` under 150 ms there). One
discarded warm-up run each (writes ``.pyc`` files), then rounds interleave
the commands; medians are reported.

    .venv/bin/python bench/bench_cli.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "corolla --help": [str(BIN / "corolla"), "--help"],
    "corolla plugins list": [str(BIN / "corolla"), "plugins", "list"],
    "corolla plugins list --json": [str(BIN / "corolla"), "plugins", "list", "--json"],
    "corolla hooks": [str(BIN / "corolla"), "hooks"],
    "corolla routes --help": [str(BIN / "corolla"), "routes", "--help"],
    "flask --help": [str(BIN / "flask"), "--help"],
}


#: Extra synthetic plugins, each adding one command, for the "+ N plugins" rows.
EXTRA_PLUGINS = 20

#: Synthetic plugins with a manifest (no command), for the "+ N manifest plugins" rows.
MANIFEST_PLUGINS = 200

COMMAND_PLUGIN = """
import corolla


def make_command(app):
    import click

    @click.command("cmd-{n}")
    def command():
        \"\"\"A command from plugin {n}.\"\"\"

    return command


class Plugin(corolla.Plugin):
    commands = {{"cmd-{n}": "{module}:make_command"}}
"""


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "FLASK_", "PYTHON"))}


def with_plugins(folder: str) -> dict[str, str]:
    """An environment where EXTRA_PLUGINS synthetic plugins (real dist-info) are importable."""
    from corolla.testing import SyntheticPlugins

    plugins = SyntheticPlugins(folder)
    for n in range(EXTRA_PLUGINS):
        module = f"bench_extra{n:02d}"
        plugins.add(f"extra{n:02d}", module=module, source=COMMAND_PLUGIN.format(n=n, module=module))
    env = clean_environ()
    env["PYTHONPATH"] = folder
    return env


def with_manifest_plugins(folder: str) -> dict[str, str]:
    """An environment with MANIFEST_PLUGINS synthetic plugins, each shipping a corolla-plugin.toml."""
    from corolla.testing import SyntheticPlugins

    plugins = SyntheticPlugins(folder)
    settings = {"level": 'Setting(int, default=1, help="A level.")', "label": 'Setting(str, default="x")'}
    for n in range(MANIFEST_PLUGINS):
        after = ["sessions"] if n % 2 else []
        body = "def corolla_configure(self, app):\n    pass\n"
        plugins.add(f"many{n:03d}", manifest=True, settings=settings, after=after, body=body)
    env = clean_environ()
    env["PYTHONPATH"] = folder
    return env


def wall_time(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(runs: int) -> dict[str, Any]:
    env = clean_environ()
    commands = {name: argv for name, argv in COMMANDS.items() if Path(argv[0]).exists()}
    missing = sorted(set(COMMANDS) - set(commands))
    envs = dict.fromkeys(commands, env)
    with (
        tempfile.TemporaryDirectory(prefix="corolla-bench-cli-") as cwd,
        tempfile.TemporaryDirectory() as site,
        tempfile.TemporaryDirectory() as manifest_site,
    ):
        many = with_plugins(site)
        manifests = with_manifest_plugins(manifest_site)
        for name in ("corolla --help", "corolla plugins list"):
            if name in commands:
                extra = f"{name} (+{EXTRA_PLUGINS} plugins with commands)"
                commands[extra] = commands[name]
                envs[extra] = many
        for name in ("corolla --help", "corolla plugins list"):
            if name in commands:
                extra = f"{name} (+{MANIFEST_PLUGINS} manifest plugins)"
                commands[extra] = commands[name]
                envs[extra] = manifests
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for name, argv in commands.items():
            wall_time(argv, cwd, envs[name])
        for round_no in range(runs):
            names = list(commands)
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                samples[name].append(wall_time(commands[name], cwd, envs[name]))
    results = {
        name: {
            "median_ms": round(statistics.median(times) * 1e3, 1),
            "min_ms": round(min(times) * 1e3, 1),
            "runs": len(times),
        }
        for name, times in samples.items()
    }
    return {"results": results, "missing": missing, "python": sys.version.split()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 15")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    data = run(3 if args.quick else 15)
    if args.json:
        print(json.dumps(data, indent=2))
        return
    results = data["results"]
    flask = results.get("flask --help", {}).get("median_ms")
    width = max(len(name) for name in results)
    print(f"{'command':<{width}} {'median ms':>10} {'min ms':>8} {'vs flask --help':>16}")
    for name, figures in results.items():
        ratio = f"{figures['median_ms'] / flask:.2f}x" if flask else "-"
        print(f"{name:<{width}} {figures['median_ms']:>10.1f} {figures['min_ms']:>8.1f} {ratio:>16}")
    if data["missing"]:
        print(f"not installed (pip install --group bench): {', '.join(data['missing'])}")


if __name__ == "__main__":
    main()
