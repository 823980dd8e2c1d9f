"""A third-party plugin raising in a per-request hook, in an app with an error handler.

Policy (docs/deploy.md, "failure behaviour"): the app keeps serving. A
plugin is never switched off at run time: a failure in one request says
nothing certain about the next, and quarantining a plugin the app was
planned with would serve requests the plan never allowed (no CSRF check, no
session). Each failure is a 500 page without details, logged once with the
plugin's name, distribution and version, the hook and the place it raised,
and counted: ``corolla plugins why NAME`` shows the count over every worker.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import servers
from raw_http import send

from corolla import App
from corolla.testing import SyntheticPlugins

WRAPPER = """
@hookimpl
def corolla_wrap_request(self, app, handler):
    def audited(request):
        if request.path.startswith("/audited"):
            raise LookupError("the audit log is full")
        return handler(request)
    return audited
"""


def test_a_failing_wrapper_is_named_when_the_app_has_a_500_handler(
    corolla_plugins: SyntheticPlugins, make_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    corolla_plugins.add("audit", version="0.9", distribution="corolla-audit", body=WRAPPER)
    app = make_app(["routing", "audit"], isolated=False)
    app.route("/audited/page", endpoint="audited")(lambda request: "never")  # type: ignore[attr-defined]
    app.route("/fine", endpoint="fine")(lambda request: "fine")  # type: ignore[attr-defined]
    app.errorhandler(500)(lambda request, error: ("our own 500 page", 500))  # type: ignore[attr-defined]
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        failed = [client.get("/audited/page") for _ in range(3)]
        fine = client.get("/fine")
    assert [r.status_code for r in failed] == [500, 500, 500]
    assert all(r.text == "our own 500 page" for r in failed)  # no details, no traceback
    assert fine.status_code == 200 and fine.text == "fine"  # routes the hook does not touch keep working
    records = [r for r in caplog.records if "LookupError" in r.getMessage()]
    assert len(records) == 3
    message = records[0].getMessage()
    assert "raised in plugin 'audit' (corolla-audit 0.9)" in message, message
    assert "answered by the 500 error handler" in message


GUNICORN_APP = """
from corolla import App

app = App({"core": {"secret_key": "failure-count-tests-secret-key-0123456789abcdef"}}, ["routing", "audit"])

@app.route("/audited/page")
def audited(request):
    return "never"

@app.route("/fine")
def fine(request):
    return "fine"
"""


def test_plugins_why_counts_a_plugins_failures_over_every_gunicorn_worker(tmp_path: Path) -> None:
    plugins = SyntheticPlugins(tmp_path / "plugins")
    plugins.add("audit", version="0.9", distribution="corolla-audit", body=WRAPPER)
    (tmp_path / "app.py").write_text(textwrap.dedent(GUNICORN_APP))
    paths = [str(plugins.folder), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {"PYTHONPATH": os.pathsep.join(paths)}
    failing = b"GET /audited/page HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    with servers.gunicorn("app:app", cwd=tmp_path, workers=2, env=env) as server:
        # A sync worker serves one connection at a time: the one holding an unfinished request is busy,
        # so the next ones go to the other worker; then the held one fails on the first. Both count.
        with socket.create_connection((servers.HOST, server.port), timeout=10) as held:
            held.sendall(failing[:-2])
            answers = [send(server.port, failing) for _ in range(5)]
            held.sendall(b"\r\n")
            held_answer = b""
            while chunk := held.recv(65536):
                held_answer += chunk
        assert held_answer.startswith(b"HTTP/1.1 500") and b"LookupError" not in held_answer
        assert [a.status for a in answers] == [500] * 5
        assert not any(b"LookupError" in a.body or b"Traceback" in a.body for a in answers)  # no details
        fine = send(server.port, b"GET /fine HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        assert (fine.status, fine.body) == (200, b"fine")  # the routes the hook does not touch keep working

    def corolla(*args: str) -> str:
        command = [str(Path(sys.executable).with_name("corolla")), "--app", "app:app", *args]
        done = subprocess.run(command, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    failures = json.loads(corolla("plugins", "why", "audit", "--json"))["failures"]
    assert failures["total"] == 6  # five on one worker, one on the other: every worker's, added up
    (kind,) = failures["kinds"]
    assert (kind["count"], kind["error"], kind["hook"]) == (6, "LookupError", "corolla_wrap_request")
    assert kind["message"] == "the audit log is full"
    text = corolla("plugins", "why", "audit")
    assert "failures while serving: 6, from " in text
    assert "corolla_wrap_request" in text and "the audit log is full" in text
    assert json.loads(corolla("plugins", "why", "routing", "--json"))["failures"]["total"] == 0
    assert "forgot 6 failures of audit" in corolla("plugins", "failures", "audit", "--clear")
    assert corolla("plugins", "failures").startswith("No plugin failure is recorded in instance/")
