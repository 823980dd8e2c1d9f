"""`make demo` itself, twice: migrate, print the address, serve; the second run keeps the data and the key.

The instance folder goes to a temporary folder (COROLLA_CORE__INSTANCE_PATH)
and the port is a free one (DEMO_PORT), so this never touches a developer's
examples/notes/instance/ or a demo already running on 8000. ``make -o`` keeps
make from rebuilding .venv in the middle of the test run.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import servers
from notes_support import PASSWORD, ROOT

VENV = Path(sys.executable).parent.parent


@contextmanager
def make_demo(instance: Path) -> Iterator[tuple[str, list[str]]]:
    """Run `make demo` until the page answers; yield its base URL and the lines it printed."""
    port = servers.free_port()
    env = {**os.environ, "COROLLA_CORE__INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1"}
    env.pop("MAKEFLAGS", None)
    process = subprocess.Popen(
        [
            shutil.which("make") or "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "demo",
            f"DEMO_PORT={port}",
            f"BIN={VENV / 'bin'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # Ctrl+C must work even when this test runs in a background job (which starts with SIGINT ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Serving the Corolla notes demo on"):
                break
        else:
            raise AssertionError("make demo stopped before serving:\n" + "\n".join(lines))
        servers.wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}", lines
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl+C, as a person would stop it
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


class Browser:
    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            return str(response.read().decode())

    def post(self, url: str, data: dict[str, str]) -> str:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(url))
        assert token is not None
        body = urllib.parse.urlencode({**data, "csrf_token": token.group(1)}).encode()
        with self.opener.open(url, body, timeout=10) as response:
            return str(response.read().decode())


def test_make_demo_twice(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    browser = Browser()
    with make_demo(instance) as (url, lines):
        assert f"Serving the Corolla notes demo on {url}/ (Ctrl+C to stop)" in lines
        assert "Create an account" in browser.get(url + "/")
        browser.post(url + "/auth/register", {"username": "demo", "password": PASSWORD, "confirm": PASSWORD})
        if "Log out" not in browser.get(url + "/"):
            browser.post(url + "/auth/login", {"username": "demo", "password": PASSWORD})
        browser.post(url + "/notes/new", {"title": "survives a restart", "body": ""})
        assert "survives a restart" in browser.get(url + "/")
    key = (instance / "secret_key").read_bytes()
    assert (instance / "app.db").is_file()

    with make_demo(instance) as (url, lines):
        assert any("Serving the Corolla notes demo" in line for line in lines)
        page = browser.get(url + "/")  # the same cookie: same secret key, same database
        assert "Signed in as <strong>demo</strong>" in page
        assert "survives a restart" in page
    assert (instance / "secret_key").read_bytes() == key
