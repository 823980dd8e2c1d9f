"""Start-up: the wall time of ``python -c "<build the app>"``, fresh interpreter each run.

This is what a worker pays before its first request (and what ``corolla``
commands pay each time): interpreter start, imports, and building the app.
Corolla's ``App()`` is timed with no plugin, with routing and sessions, and
with every plugin installed in this environment (the five standard plugins,
auth and hello, whose models import SQLAlchemy and WTForms), beside Flask
alone and Flask with Flask-SQLAlchemy and Flask-WTF. Runs are interleaved like the in-process
cases, after one discarded warm-up run each (which also writes ``.pyc``
files), and each command runs in an empty temporary folder with no
``COROLLA_*`` variables, so no ``corolla.toml`` or environment leaks in.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

_FLASK_FULL = (
    "import flask, flask_sqlalchemy, flask_wtf; app = flask.Flask(__name__); "
    "app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite://'; flask_sqlalchemy.SQLAlchemy(app); flask_wtf.CSRFProtect(app)"
)
COMMANDS: dict[str, str] = {
    "python -c pass": "pass",
    "import corolla": "import corolla",
    "App(), no plugin": "import corolla; corolla.App(plugins=[])",
    "App(routing, sessions)": "import corolla; corolla.App(plugins=['routing', 'sessions'])",
    "App(), all installed": "import corolla; corolla.App()",
    "import flask": "import flask",
    "Flask(__name__)": "import flask; flask.Flask(__name__)",
    "Flask + SQLAlchemy + WTF": _FLASK_FULL,
}


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("COROLLA_")}


def wall_time(code: str, cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True)
    return time.perf_counter() - start


def run(runs: int, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    env = clean_environ()
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="corolla-bench-startup-") as cwd:
        for code in COMMANDS.values():
            wall_time(code, cwd, env)
        for round_no in range(runs):
            for name, code in COMMANDS.items():
                samples[name].append(wall_time(code, cwd, env))
            progress(f"run {round_no + 1}/{runs}")
    return {
        name: {
            "command": f'python -c "{COMMANDS[name]}"',
            "median_ms": round(statistics.median(times) * 1e3, 2),
            "min_ms": round(min(times) * 1e3, 2),
            "runs": len(times),
        }
        for name, times in samples.items()
    }


def corolla_plugins() -> list[str]:
    """The plugins ``App()`` loads in this environment, for the table."""
    with tempfile.TemporaryDirectory(prefix="corolla-bench-startup-") as cwd:
        code = "import corolla; print(','.join(corolla.App().resolution.order))"
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=cwd, env=clean_environ(), check=True, capture_output=True, text=True
        )
    return [name for name in out.stdout.strip().split(",") if name]
