"""``corolla serve``: the installed script running a real gunicorn on 127.0.0.1.

The app is a folder's ``app.py`` found as ``corolla run`` finds it; its view
answers with its version and the worker's pid, so the tests see which worker
and which code answered. Bounded: a handful of requests, every wait with a
deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import servers

SCRIPT = Path(sys.executable).parent / "corolla"

APP = """
import os

from corolla import App

app = App(plugins=["routing"])


@app.get("/")
def index(request):
    return f"{VERSION} {os.getpid()}"
"""


def write_app(folder: Path, version: str) -> None:
    (folder / "app.py").write_text(textwrap.dedent(APP).replace("{VERSION}", version))


def environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON"))}
    # No .pyc: app.py is rewritten within the second, and a cached .pyc of the same size and
    # mtime second would be taken for the new code.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@contextmanager
def serving(folder: Path, *args: str, app: str | None = None) -> Iterator[tuple[int, subprocess.Popen[bytes], Path]]:
    # Handed a listening socket (--bind fd://N): the port cannot be taken in between.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = int(listener.getsockname()[1])
    log = folder / "serve.log"
    named = ["--app", app] if app else []
    with listener, log.open("wb") as out:
        process = subprocess.Popen(
            [str(SCRIPT), *named, "serve", "--bind", f"fd://{listener.fileno()}", *args],
            cwd=folder,
            env=environ(),
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    try:
        if not servers.wait_for_line(log, "Booting worker", process, timeout=30):
            raise RuntimeError(f"corolla serve exited with code {process.returncode}:\n{log.read_text()}")
        yield port, process, log
    finally:
        servers._stop(process)


def get(port: int) -> tuple[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        version, pid = response.read().decode().split()
        return version, int(pid)


def wait_for(condition: object, what: str, log: Path, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {deadline} s; server log:\n{log.read_text()}")


def booted(log: Path) -> list[int]:
    return [int(line.rsplit(":", 1)[1]) for line in log.read_text().splitlines() if "Booting worker with pid" in line]


def test_serves_the_working_folders_app_with_a_worker_per_core_and_an_access_log(tmp_path: Path) -> None:
    write_app(tmp_path, "v1")
    with serving(tmp_path) as (port, _, log):
        wait_for(lambda: len(booted(log)) == (os.cpu_count() or 1), "one worker per core booting", log)
        version, pid = get(port)
        assert version == "v1"
        assert pid in booted(log)
        wait_for(lambda: '"GET / HTTP/1.1" 200' in log.read_text(), "the access log line", log)
        text = log.read_text()
        assert "Using worker: sync" in text


def test_threads_use_the_threaded_worker_and_the_access_log_can_be_off(tmp_path: Path) -> None:
    write_app(tmp_path, "v1")
    with serving(tmp_path, "--workers", "1", "--threads", "4", "--no-access-log") as (port, _, log):
        assert get(port)[0] == "v1"
        wait_for(lambda: "Using worker: gthread" in log.read_text(), "the gthread worker", log)
        assert "GET / HTTP/1.1" not in log.read_text()
        assert len(booted(log)) == 1


def test_sighup_reloads_the_code_gracefully(tmp_path: Path) -> None:
    write_app(tmp_path, "v1")
    with serving(tmp_path, "--workers", "1") as (port, process, log):
        version, old_pid = get(port)
        assert version == "v1"
        write_app(tmp_path, "v2")
        process.send_signal(signal.SIGHUP)
        # The master never imported the app: the new worker imports the new code.
        wait_for(lambda: get(port)[0] == "v2", "serving the new code", log)
        version, new_pid = get(port)
        assert new_pid != old_pid
        assert process.poll() is None  # the master stayed up, and kept the port


def test_app_named_with_app_may_be_a_wsgi_wrapper(tmp_path: Path) -> None:
    write_app(tmp_path, "v1")
    (tmp_path / "wsgi_wrapped.py").write_text(
        textwrap.dedent(
            """
            from werkzeug.middleware.proxy_fix import ProxyFix

            from app import app

            application = ProxyFix(app, x_for=1)
            """
        )
    )
    with serving(tmp_path, "-w", "1", app="wsgi_wrapped:application") as (port, _, _log):
        assert get(port)[0] == "v1"


def test_without_an_app_it_says_how_to_name_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "serve"], cwd=tmp_path, env=environ(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "corolla serve needs an app: pass --app module:app or set COROLLA_APP" in result.stderr


@pytest.mark.parametrize("setting", ["--workers", "--threads"])
def test_counts_below_one_are_refused(tmp_path: Path, setting: str) -> None:
    write_app(tmp_path, "v1")
    result = subprocess.run(
        [str(SCRIPT), "serve", setting, "0"], cwd=tmp_path, env=environ(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "0 is not in the range x>=1" in result.stderr
