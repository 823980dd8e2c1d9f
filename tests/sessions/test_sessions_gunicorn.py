"""Two gunicorn workers sharing sessions through a real Redis."""

from __future__ import annotations

import http.client
import os
import socket
import textwrap

import servers
from sessions_support import SECRET, VIEWS_BODY

from corolla.testing import SyntheticPlugins

APP = """
import os
from corolla import App

SECRET = "@SECRET@"
URL = "@URL@"

def count(request):
    session = request.session
    session["n"] = session.get("n", 0) + 1
    return f"{session['n']} {os.getpid()}"

app = App(
    {"core": {"secret_key": SECRET}, "sessions": {"backend": "redis", "redis_url": URL}},
    ["sessions", "views"],
)
app.views["/count"] = count
"""


def get(port: int, cookie: str | None) -> tuple[str, str | None]:
    connection = http.client.HTTPConnection(servers.HOST, port, timeout=10)
    try:
        connection.request("GET", "/count", headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200, body
        return body, response.getheader("Set-Cookie")
    finally:
        connection.close()


def test_two_workers_share_redis_sessions(tmp_path, redis_url):
    plugins = SyntheticPlugins(tmp_path / "plugins")
    plugins.add("views", app_attributes=["views"], requires=["sessions"], body=VIEWS_BODY)
    source = APP.replace("@SECRET@", SECRET).replace("@URL@", redis_url)
    (tmp_path / "sessions_app.py").write_text(textwrap.dedent(source))
    env = {"PYTHONPATH": os.pathsep.join([str(plugins.folder), os.environ.get("PYTHONPATH", "")])}
    with servers.gunicorn("sessions_app:app", cwd=tmp_path, workers=2, env=env) as server:
        body, set_cookie = get(server.port, None)
        assert body.split()[0] == "1" and set_cookie
        cookie = set_cookie.split(";", 1)[0]
        # A sync worker serves one connection at a time: a request whose headers are not
        # finished keeps the worker that accepted it busy, so the next request must go to
        # the other worker. Connections are accepted in order, so the half request is first.
        with socket.create_connection((servers.HOST, server.port), timeout=10) as held:
            held.sendall(f"GET /count HTTP/1.1\r\nHost: test\r\nCookie: {cookie}\r\n".encode())
            body, _ = get(server.port, cookie)
            count, other_pid = body.split()
            assert count == "2"
            held.sendall(b"Connection: close\r\n\r\n")
            raw = b""
            while chunk := held.recv(65536):
                raw += chunk
        head, _, text = raw.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 200"), head
        count, first_pid = text.split()
        assert count == "3"  # the second worker saw what the first wrote, and the other way round
        assert first_pid != other_pid
