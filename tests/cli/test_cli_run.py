"""``corolla run`` as a subprocess: threaded, .env, and --reload surviving a broken app and watching config."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import servers

from corolla.testing import SyntheticPlugins

SCRIPT = Path(sys.executable).parent / "corolla"

ECHO = """
settings = {"word": Setting(str, "unset")}
released = threading.Event()

@hookimpl
def corolla_dispatch(self, request):
    if request.path == "/word":
        return self.config["word"]
    if request.path == "/env":
        return os.environ.get("FROM_DOTENV", "-") + " " + os.environ.get("ALREADY_SET", "-")
    if request.path == "/wait":  # answers only once /release came in, on another thread
        return "released" if type(self).released.wait(20) else "still waiting"
    if request.path == "/release":
        type(self).released.set()
        return "ok"
    if request.path == "/raise":
        raise ZeroDivisionError("the view divided by zero")
    return None
"""

APP = "from corolla import App\n\napp = App(plugins=['echo'])\n"


@pytest.fixture
def echo(corolla_plugins: SyntheticPlugins) -> SyntheticPlugins:
    corolla_plugins.add(
        "echo",
        source="import os, threading\nimport corolla\nfrom corolla import Setting, hookimpl\n\n"
        "class Plugin(corolla.Plugin):\n" + "\n".join("    " + line for line in ECHO.splitlines()),
    )
    return corolla_plugins


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def eventually(check: Callable[[], bool], what: str) -> None:
    """Poll ``check`` until it holds (the reloader restarts within seconds); fail naming ``what``.

    The bound is generous (a busy machine restarts slowly); nothing asserts how long it took.
    """
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            # The reloader replaces the process, possibly while a response is
            # on its way (IncompleteRead): the next poll asks the new one.
            pass
        time.sleep(0.2)
    pytest.fail(f"never happened: {what}")


@pytest.fixture
def serve(echo: SyntheticPlugins, tmp_path: Path) -> Iterator[Callable[..., int]]:
    """``serve(*args, **env)``: ``corolla run --port 0 ARGS`` in tmp_path; its port, once it printed it."""
    with ExitStack() as stack:

        def start(*args: str, **env: str) -> int:
            environ = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "FROM_DOTENV"))}
            environ.update(PYTHONPATH=echo.path[0], **env)
            command = [str(SCRIPT), "run", "--port", "0", *args]
            return stack.enter_context(servers.announced(command, cwd=tmp_path, env=environ)).port

        yield start


def test_run_serves_requests_on_threads(serve: Callable[..., int], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    port = serve()
    waiting: list[tuple[int, str]] = []
    thread = threading.Thread(target=lambda: waiting.append(get(port, "/wait")))
    thread.start()
    # A single-threaded server would not read /release while /wait blocks.
    assert get(port, "/release") == (200, "ok")
    thread.join(30)
    assert waiting == [(200, "released")]


def test_run_loads_dot_env_without_overriding_the_environment(serve: Callable[..., int], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / ".env").write_text("FROM_DOTENV=from-the-file\nALREADY_SET=from-the-file\n")
    port = serve(ALREADY_SET="from-the-shell")
    assert get(port, "/env") == (200, "from-the-file from-the-shell")


def test_a_dot_env_without_python_dotenv_is_named_in_a_hint(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FROM_DOTENV=x\n")
    code = (
        "import sys; sys.modules['dotenv'] = None\n"  # as if python-dotenv were not installed
        "from pathlib import Path\n"
        "from corolla.cli._run import load_dotenv\n"
        f"load_dotenv(Path({str(tmp_path)!r}))\n"
        "import os; print(os.environ.get('FROM_DOTENV', 'not loaded'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "not loaded\n"
    assert f'hint: {tmp_path / ".env"} is not loaded: install python-dotenv (pip install "corolla[dotenv]")' in (
        result.stderr
    )


def test_reload_survives_a_broken_app_and_watches_corolla_toml(serve: Callable[..., int], tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    (tmp_path / "corolla.toml").write_text('[echo]\nword = "one"\n')
    port = serve("--reload")
    assert get(port, "/word") == (200, "one")

    app.write_text(APP + "def broken(:\n")
    eventually(lambda: get(port, "/word")[0] == 500, "the broken app served as a 500")
    status, body = get(port, "/word")
    assert "The app could not be loaded; fix it and save: the server reloads." in body
    assert "SyntaxError" in body and "app.py:4" in body

    app.write_text(APP)
    eventually(lambda: get(port, "/word") == (200, "one"), "the fixed app served again")

    (tmp_path / "corolla.toml").write_text('[echo]\nword = "two"\n')
    eventually(lambda: get(port, "/word") == (200, "two"), "a corolla.toml change reloaded")


#: What werkzeug's debugger page carries (werkzeug/debug/tbtools.py), so no browser is needed to see it.
DEBUGGER_MARKERS = ('<div class="debugger">', "EVALEX = true", "Traceback <em>(most recent call last)</em>")


def test_debug_hands_a_raising_view_to_werkzeugs_debugger(serve: Callable[..., int], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    port = serve("--debug")
    status, body = get(port, "/raise")
    assert status == 500
    assert all(marker in body for marker in DEBUGGER_MARKERS), body[:500]
    assert "ZeroDivisionError: the view divided by zero" in body
    assert get(port, "/word") == (200, "unset")  # the app keeps serving


APP_RUN = """
import sys
from corolla import App

app = App(plugins=["echo"])
app.run(sys.argv[1], int(sys.argv[2]), debug=True)
"""


@pytest.mark.parametrize(("host", "debugger"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_app_run_debug_applies_the_loopback_rule(
    echo: SyntheticPlugins, tmp_path: Path, host: str, debugger: bool
) -> None:
    (tmp_path / "serve.py").write_text(APP_RUN)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON"))}
    environ["PYTHONPATH"] = echo.path[0]
    with servers.announced([sys.executable, "serve.py", host, "0"], cwd=tmp_path, env=environ) as server:
        status, body = get(server.port, "/raise")
        assert status == 500
        assert all(marker in body for marker in DEBUGGER_MARKERS) is debugger
        if not debugger:  # debug still shows the traceback, as text, without the console
            assert body.startswith("Internal Server Error (debug)") and "ZeroDivisionError" in body
    stderr = server.output
    assert ("which is not a loopback address: the interactive debugger" in stderr) is not debugger
