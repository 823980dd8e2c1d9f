"""The installed ``corolla`` script, run as a subprocess: exit codes, colour on a terminal only, run."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import servers

from corolla.testing import SyntheticPlugins

SCRIPT = Path(sys.executable).parent / "corolla"

DISPATCH = """
@hookimpl
def corolla_dispatch(self, request):
    return "pong" if request.path == "/ping" else None
"""


def environ(plugins: SyntheticPlugins, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "NO_COLOR"))}
    env["PYTHONPATH"] = plugins.path[0]
    env.update(extra)
    return env


def corolla(plugins: SyntheticPlugins, cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env=environ(plugins, **extra), capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def pinger(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> SyntheticPlugins:
    corolla_plugins.add("pinger", version="3.1", body=DISPATCH)
    return corolla_plugins


def test_version_and_help(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    import platform
    from importlib.metadata import version

    import corolla as core

    lines = corolla(pinger, tmp_path, "--version").stdout.splitlines()
    assert lines[:5] == [
        f"corolla {core.__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"werkzeug {version('werkzeug')}",
        f"pluggy {version('pluggy')}",
        f"click {version('click')}",
    ]
    # Every installed plugin, the synthetic one among the real ones (PYTHONPATH comes first).
    assert lines[5] == "plugins (installed):"
    assert any(line.split() == ["pinger", "corolla-pinger", "3.1"] for line in lines[6:])
    assert any(line.split() == ["routing", "corolla-routing", version("corolla-routing")] for line in lines[6:])
    out = corolla(pinger, tmp_path, "--help").stdout
    assert "plugins" in out and "hooks" in out and "run" in out


def test_plugins_list_json_sees_installed_plugins(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    result = corolla(pinger, tmp_path, "plugins", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["pinger"]["version"] == "3.1"
    assert rows["pinger"]["status"] == "enabled"


def test_exit_codes(corolla_plugins: SyntheticPlugins, tmp_path: Path) -> None:
    corolla_plugins.add("needy", requires=["nothing-provides-this"])
    assert corolla(corolla_plugins, tmp_path, "plugins", "check").returncode == 1
    assert corolla(corolla_plugins, tmp_path, "plugins", "show", "nope").returncode == 2
    result = corolla(corolla_plugins, tmp_path, "--app", "missing_module", "run")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: could not load the app 'missing_module'")
    assert len(result.stderr.strip().splitlines()) == 1


def run_in_a_terminal(
    plugins: SyntheticPlugins, cwd: Path, *args: str, stream: str = "stdout", **extra: str
) -> tuple[str, str]:
    """``corolla`` with ``stream`` (stdout or stderr) on a terminal, the other piped: (terminal text, piped text)."""
    controller, terminal = pty.openpty()
    on_terminal = {"stdout": terminal} if stream == "stdout" else {"stderr": terminal}
    piped = {"stderr": subprocess.PIPE} if stream == "stdout" else {"stdout": subprocess.PIPE}
    proc = subprocess.Popen(
        [str(SCRIPT), *args], cwd=cwd, env=environ(plugins, **extra), text=True, **on_terminal, **piped
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, err = proc.communicate(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode(), (err if stream == "stdout" else out)


def test_colour_only_on_a_terminal_without_no_color(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    assert "\x1b[32m" in run_in_a_terminal(pinger, tmp_path, "plugins", "list")[0]
    assert "\x1b[" not in run_in_a_terminal(pinger, tmp_path, "plugins", "list", NO_COLOR="1")[0]
    assert "\x1b[" not in corolla(pinger, tmp_path, "plugins", "list").stdout


def test_an_empty_no_color_does_not_disable_colour(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    # https://no-color.org: only a non-empty NO_COLOR disables colour.
    assert "\x1b[32m" in run_in_a_terminal(pinger, tmp_path, "plugins", "list", NO_COLOR="")[0]


def test_warnings_are_coloured_by_stderr_not_stdout(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import nonexistent_mod\n")
    terminal, piped = run_in_a_terminal(pinger, tmp_path, "plugins", "check", stream="stderr")
    assert "\x1b[33m" in terminal and "warning: " in terminal
    assert piped.startswith("error: ") and "\x1b[" not in piped
    terminal, piped = run_in_a_terminal(pinger, tmp_path, "plugins", "check", stream="stdout")
    assert "\x1b[31m" in terminal
    assert piped.startswith("warning: could not load the app") and "\x1b[" not in piped


def test_plugins_list_imports_no_heavy_library(pinger: SyntheticPlugins, tmp_path: Path) -> None:
    code = (
        "import sys\nfrom corolla.cli import main\n"
        "try:\n    main(['plugins', 'list', '--json'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'jinja2', 'wtforms', 'redis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=environ(pinger), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
    light = subprocess.run(
        [sys.executable, "-c", "import sys, corolla; print('click' in sys.modules)"],
        env=environ(pinger),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert light.stdout.strip() == "False"


@pytest.fixture
def served(pinger: SyntheticPlugins, tmp_path: Path) -> Iterator[servers.Announced]:
    (tmp_path / "app.py").write_text("from corolla import App\n\napp = App(plugins=['pinger'])\n")
    command = [str(SCRIPT), "run", "--port", "0", "--trace-hooks", "--debug", "--host", "0.0.0.0"]
    with servers.announced(command, cwd=tmp_path, env=environ(pinger)) as server:
        yield server


def test_run_serves_traces_hooks_and_warns_about_debug_on_a_network(served: servers.Announced) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/ping?token=secret", timeout=10) as response:
        assert response.read() == b"pong"
    stderr = served.stop()
    assert "WARNING: --debug on 0.0.0.0, which is not a loopback address" in stderr
    assert "interactive debugger (which runs any code a visitor types) is OFF" in stderr
    trace = [line for line in stderr.splitlines() if " trace " in line]
    assert len(trace) == 1, stderr
    assert "'GET /ping' corolla_dispatch in plugin 'pinger' (corolla-pinger 3.1):" in trace[0]
    assert trace[0].endswith(" ms")
    assert "secret" not in trace[0]  # the trace logs the path, never the query string
