"""The documented gunicorn setup (deploy/gunicorn.conf.py) logs the app's lines with time, level and logger name."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import servers
from raw_http import send
from reliability_support import NOTES


def read_until(server: servers.Gunicorn, pattern: str, limit: float = 10.0) -> str:
    """The server's output once a line matches ``pattern`` (bounded: ``limit`` seconds)."""
    assert server.log is not None
    deadline = time.monotonic() + limit
    text = ""
    while time.monotonic() < deadline:
        text = server.log.read_text(errors="replace")
        if re.search(pattern, text, re.M):
            return text
        time.sleep(0.1)
    raise AssertionError(f"no line matching {pattern!r} in:\n{text}")


def test_app_log_lines_carry_time_level_and_logger_under_the_shipped_gunicorn_config(
    tmp_path: Path, notes_db: Path
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copyfile(notes_db, instance / "app.db")
    env = {
        "COROLLA_CORE__INSTANCE_PATH": str(instance),
        "COROLLA_CORE__SECRET_KEY": "reliability-tests-secret-key-0123456789abcdef",
        "GUNICORN_WORKERS": "1",
    }
    config = ["-c", str(NOTES / "deploy" / "gunicorn.conf.py")]
    with servers.gunicorn("wsgi:application", cwd=NOTES, workers=1, env=env, args=config) as server:
        # A POST without its CSRF token: the forms plugin logs a warning on logger corolla.forms.
        head = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        response = send(server.port, head + b"Content-Length: 3\r\n\r\na=b")
        assert response.status == 400
        output = read_until(server, r"CSRF check failed")
    line = next(line for line in output.splitlines() if "CSRF check failed" in line)
    assert re.match(
        r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[WARNING\] corolla\.forms: CSRF check", line
    ), line
    # The app's start-up line too (INFO, logger corolla), and gunicorn's own lines once each.
    assert re.search(r"\[INFO\] corolla: corolla \S+ started with plugins", output), output
    assert output.count("Booting worker with pid") == 1, output
