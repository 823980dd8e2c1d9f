"""The ``corolla`` script over the REAL installed plugins (the five standard ones and corolla-auth).

``corolla --help`` and the built-in inspection commands must not start a
plugin nor import the heavy libraries plugins use (SQLAlchemy, WTForms,
Jinja2, alembic, redis); they are imported only by the command that needs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "wtforms", "jinja2", "alembic", "redis")
STANDARD = {"routing", "sessions", "orm", "forms", "templates", "auth"}  # auth: installed, not autoloaded

# Runs the console script's entry point, then prints which heavy modules it imported.
PROBE = """
import json, sys
from corolla.cli import main
try:
    main(sys.argv[1:-1])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[-1].split(",")))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def probe(cwd: Path, *args: str) -> tuple[str, int, list[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "NO_COLOR"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args, ",".join(HEAVY)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    *warnings, last = result.stderr.strip().splitlines()
    report = json.loads(last)
    return result.stdout, report["code"], report["heavy"], "\n".join(warnings)


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_the_real_plugins_are_installed(empty: Path) -> None:
    out, code, _, _ = probe(empty, "plugins", "list", "--json")
    assert code == 0
    assert STANDARD <= {row["name"] for row in json.loads(out)}


def test_help_in_an_empty_folder_imports_no_heavy_library(empty: Path) -> None:
    out, code, heavy, warnings = probe(empty, "--help")
    assert code == 0
    assert heavy == []
    assert warnings == ""
    # The plugins' commands are still listed, in their own section, with the plugin adding each.
    section = out.split("Commands added by plugins:\n", 1)[1]
    assert "  db " in section and "[orm]" in section
    assert "  routes " in section and "[routing]" in section
    assert "  static " in section and "[templates]" in section


@pytest.mark.parametrize(
    "args",
    [
        ("plugins", "list"),
        ("plugins", "check"),
        ("plugins", "graph"),
        ("plugins", "why", "templates"),
        ("plugins", "show", "orm"),
        ("check",),
    ],
)
def test_builtin_commands_import_no_heavy_library(empty: Path, args: tuple[str, ...]) -> None:
    _, code, heavy, _ = probe(empty, *args)
    assert code == 0
    assert heavy == []


def test_a_plugin_command_imports_what_it_needs(empty: Path) -> None:
    # Its help is built by the factory alone: no app, no plugin started, nothing heavy.
    out, code, heavy, _ = probe(empty, "db", "--help")
    assert code == 0
    assert "Usage: corolla db" in out
    assert heavy == []
    # Running it loads the app (none here, so it stops and says how to name one).
    out, code, heavy, warnings = probe(empty, "routes")
    assert code == 2
    assert "corolla routes needs an app: pass --app module:app or set COROLLA_APP" in warnings


def test_plugins_check_reports_the_set_when_app_py_does_not_import(empty: Path) -> None:
    (empty / "app.py").write_text("import nonexistent_mod\n")
    out, code, _, warnings = probe(empty, "plugins", "check")
    assert code == 1  # the app's own set is unknown: the gate cannot pass
    assert "the plugin set it would start with is unknown" in out
    assert warnings.startswith("warning: could not load the app 'app.py'")
    assert "ModuleNotFoundError: No module named 'nonexistent_mod' (at app.py:1)" in warnings
