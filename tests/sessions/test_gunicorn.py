"""Two gunicorn workers sharing sessions through a real Redis."""

from __future__ import annotations

import http.client
import os
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
        cookie = None
        pids = set()
        for expected in range(1, 41):
            body, set_cookie = get(server.port, cookie)
            count, pid = body.split()
            assert int(count) == expected  # every worker sees the session the other wrote
            pids.add(pid)
            if set_cookie:
                cookie = set_cookie.split(";", 1)[0]
            if len(pids) == 2 and expected >= 4:
                break
        assert len(pids) == 2, "gunicorn's two workers should both have answered within 40 requests"
