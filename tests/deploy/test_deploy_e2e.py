"""The notes demo deployed as docs/deploy.md says: PostgreSQL, Redis, ``corolla serve`` (gunicorn), two workers.

Everything is real and on 127.0.0.1: the session's PostgreSQL cluster (a
database of this module's own) and Redis (tests/servers.py), ``corolla db
upgrade`` / ``check --deploy`` / ``static collect`` as subprocesses, and
``corolla serve`` (gunicorn) started with ``examples/notes/deploy/gunicorn.conf.py`` and the
``COROLLA_*`` environment of ``deploy/production.env`` plus the three secrets.
The one addition is a WSGI wrapper around ``deploy/wsgi.py`` that names the
worker's pid in an ``X-Worker-Pid`` header, so the tests can say which worker
answered. Requests carry the headers nginx adds (``deploy/nginx.conf``), so
the app sees https, the public host and the client's address.
"""

from __future__ import annotations

import html
import http.client
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import textwrap
import threading
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg
import pytest
import servers

NOTES = Path(__file__).resolve().parents[2] / "examples" / "notes"
DEPLOY = NOTES / "deploy"
CLI = Path(sys.executable).with_name("corolla")
HOST = "notes.example.com"  # the public name nginx passes on (Host, X-Forwarded-Host); [core] trusted_hosts
CLIENT_ADDR = "203.0.113.7"  # the visitor's address as nginx saw it (X-Forwarded-For)
PASSWORD = "correct horse battery staple"
CONCURRENT_CREATES = 200

WRAPPER = '''
"""deploy/wsgi.py's application, each response naming the worker that made it."""
import os

from wsgi import application as deployed

PID = str(os.getpid())  # imported after the fork: each worker imports the app itself (no preload)


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Worker-Pid", PID)], exc_info)

    return deployed(environ, start)
'''


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as systemd's EnvironmentFile= reads them (no quotes, # comments)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and key == key.strip() and key.isupper(), f"{path.name}: not KEY=value: {line!r}"
            values[key] = value
    return values


def clean_environ() -> dict[str, str]:
    """This run's environment without any COROLLA_* variable: only the deployment's own count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COROLLA_")}


def corolla(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """The ``corolla`` command in examples/notes, as an operator runs it there."""
    result = subprocess.run(
        [str(CLI), *args], cwd=NOTES, env={**clean_environ(), **env}, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, f"corolla {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@dataclass
class Deployment:
    env: dict[str, str]  # the COROLLA_* variables the service runs with
    database: str  # libpq connection string of the app's database
    server: servers.Gunicorn
    access_log: Path


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: servers.Postgres, redis_server: servers.Redis
) -> Iterator[Deployment]:
    """The notes app migrated into its own PostgreSQL database and served by gunicorn with two workers."""
    name = "notes_e2e"
    conninfo = (
        f"host={servers.HOST} port={postgres_server.port} user={postgres_server.user} "
        f"password={postgres_server.password}"
    )
    with psycopg.connect(f"{conninfo} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    secrets_env = {  # what /etc/corolla-notes/secrets.env holds (deploy/secrets.env.example)
        "COROLLA_CORE__SECRET_KEY": secrets.token_urlsafe(48),
        "COROLLA_ORM__URL": postgres_server.url.rsplit("/", 1)[0] + "/" + name,
        "COROLLA_SESSIONS__REDIS_URL": redis_server.url,
    }
    assert set(secrets_env) == set(read_env_file(DEPLOY / "secrets.env.example"))
    env = {**read_env_file(DEPLOY / "production.env"), **secrets_env}
    folder = tmp_path_factory.mktemp("deploy-e2e")
    # The release's lock, made where the set was tested (here: this checkout's environment).
    corolla("plugins", "lock", "--output", str(folder / "corolla.lock"), env=env)
    env["COROLLA_PLUGINS__LOCK"] = str(folder / "corolla.lock")

    corolla("db", "upgrade", env=env)

    (folder / "e2e_wsgi.py").write_text(textwrap.dedent(WRAPPER))
    gunicorn_env = {**env, "PYTHONPATH": str(folder)}
    args = ["--config", str(DEPLOY / "gunicorn.conf.py"), "--access-log", str(folder / "access.log")]
    with servers.corolla_serve("e2e_wsgi:application", cwd=NOTES, workers=2, env=gunicorn_env, args=args) as server:
        yield Deployment(env, f"{conninfo} dbname={name}", server, folder / "access.log")


# -- a visitor behind nginx ------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str
    pid: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Visitor:
    """One browser behind nginx: a cookie jar, and each request over a new connection (any worker may take it)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def headers(self, method: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Host": HOST,  # nginx: proxy_set_header Host $host, X-Forwarded-*
            "X-Forwarded-Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT_ADDR,
            "Connection": "close",
        }
        if method not in ("GET", "HEAD"):
            headers["Origin"] = f"https://{HOST}"  # what a browser sends; CSRF's https check wants this site
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request_bytes(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
        """The raw request, for sending by hand (see :func:`held_worker`)."""
        lines = [f"{method} {path} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in self.headers(method, headers).items()]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def send(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Reply:
        connection = http.client.HTTPConnection(servers.HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=self.headers(method, headers))
            response = connection.getresponse()
            reply = Reply(response.status, response.msg, response.read().decode(), response.getheader("X-Worker-Pid"))
        finally:
            connection.close()
        self.keep_cookies(reply.headers)
        return reply

    def keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for raw in headers.get_all("Set-Cookie") or ():
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                assert morsel["secure"], f"{raw!r}: production cookies are Secure"
                with self.lock:
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def get(self, path: str) -> Reply:
        return self.send("GET", path)

    def post_form(self, path: str, data: dict[str, str]) -> Reply:
        """POST ``data`` with the CSRF token of the form page at ``path``, as a browser submits it."""
        page = self.get(path)
        assert page.status == 200, page.text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token, page.text
        body = urllib.parse.urlencode({**data, "csrf_token": html.unescape(token.group(1))}).encode()
        return self.send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def api(self, method: str, path: str, payload: Any = None, token: str | None = None) -> Reply:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            headers["X-CSRFToken"] = token
        body = b"" if payload is None else json.dumps(payload).encode()
        return self.send(method, path, body, headers)

    def sign_up(self, username: str) -> None:
        registered = self.post_form("/auth/register", {"username": username, "password": PASSWORD, "confirm": PASSWORD})
        assert registered.status == 303, registered.text
        logged_in = self.post_form("/auth/login", {"username": username, "password": PASSWORD})
        assert logged_in.status == 303, logged_in.text
        assert logged_in.headers["Location"] == "/"
        home = self.get("/")
        assert f"Signed in as <strong>{username}</strong>" in home.text, home.text


def flashes(text: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', text)]


class HeldWorker:
    """A request whose headers are sent but not finished: the sync worker that accepted it waits for the rest.

    With two workers, every request made meanwhile is answered by the other
    one. Connections are accepted in the order they arrive, so the held one
    is taken first. :meth:`finish` sends the end of the headers and returns
    the held request's reply, made after everything done meanwhile.
    """

    def __init__(self, visitor: Visitor, method: str, path: str) -> None:
        self.visitor = visitor
        head = visitor.request_bytes(method, path)
        self.sock = socket.create_connection((servers.HOST, visitor.port), timeout=60)
        self.sock.sendall(head[:-2])  # all but the blank line that ends the headers

    def finish(self) -> Reply:
        self.sock.sendall(b"\r\n")
        raw = b""
        while chunk := self.sock.recv(65536):
            raw += chunk
        self.sock.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, _, header_text = head.decode("latin-1").partition("\r\n")
        headers = http.client.parse_headers(io.BytesIO(header_text.encode("latin-1") + b"\r\n\r\n"))
        self.visitor.keep_cookies(headers)
        return Reply(int(status_line.split()[1]), headers, body.decode(), headers["X-Worker-Pid"])


# -- the tests ---------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_production_config(deployment: Deployment) -> None:
    assert corolla("plugins", "check", env=deployment.env).stdout.startswith("ok: the plugin set resolves")
    result = corolla("check", "--deploy", "--json", env=deployment.env, check=False)
    report = json.loads(result.stdout)
    failed = [c for c in report["checks"] if not c["ok"]]
    assert (result.returncode, report["errors"], failed) == (0, [], [])
    ids = {c["id"] for c in report["checks"]}
    assert {
        "core.secret_key", "core.plugins_pinned", "core.plugins_locked", "sessions.cookie_secure", "orm.sqlite",
        "orm.pool_pre_ping", "orm.migrations", "templates.static", "forms.csrf_enabled", "auth.rate_limit",
    } <= ids  # fmt: skip
    messages = {c["id"]: c["message"] for c in report["checks"]}
    assert messages["core.secret_key"] == "the secret key comes from environment COROLLA_CORE__SECRET_KEY"
    assert messages["orm.migrations"].startswith("the database is at head")
    assert "corolla.toml" in messages["core.plugins_pinned"]


def test_docs_show_the_real_check_output(deployment: Deployment) -> None:
    """docs/deploy.md shows what `corolla check --deploy` prints for this deployment (the folder aside)."""
    printed = corolla("check", "--deploy", env=deployment.env).stdout
    docs = (NOTES.parents[1] / "docs" / "deploy.md").read_text()
    shown = re.search(r"```console\n\$ corolla check --deploy\n(.*?)```", docs, re.DOTALL)
    assert shown, "docs/deploy.md lost its `corolla check --deploy` example"
    lock_folder = deployment.access_log.parent  # where the fixture wrote the lock
    expected = printed.replace(f"{NOTES}/", "/srv/corolla-notes/app/").replace(
        f"{lock_folder}/", "/srv/corolla-notes/app/"
    )
    assert shown.group(1) == expected, f"update docs/deploy.md's example to the real output:\n{expected}"


def test_check_deploy_fails_without_the_production_environment(deployment: Deployment, tmp_path: Path) -> None:
    # The development configuration: corolla.toml alone (its instance folder in tmp_path, not the checkout).
    result = corolla("check", "--deploy", "--json", env={"COROLLA_CORE__INSTANCE_PATH": str(tmp_path)}, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = {c["id"] for c in json.loads(result.stdout)["checks"] if not c["ok"]}
    assert failed == {  # as docs/deploy.md lists them
        "templates.static", "orm.sqlite", "orm.migrations", "sessions.cookie_secure", "core.secret_key",
        "core.trusted_hosts", "core.ssl_redirect", "core.plugins_locked",
    }  # fmt: skip
    assert not list(tmp_path.iterdir())  # check writes nothing: no secret key, no SQLite file


def test_a_forged_host_is_refused_and_responses_carry_the_security_headers(deployment: Deployment) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_ADDR}
    connection = http.client.HTTPConnection(servers.HOST, deployment.server.port, timeout=30)
    try:
        connection.request("GET", "/notes//new", headers={"Host": "evil.example", **forwarded})
        response = connection.getresponse()
        assert response.status == 400 and "evil.example" in response.read().decode()
    finally:
        connection.close()
    page = Visitor(deployment.server.port).get("/auth/login")
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_collected_for_nginx_and_not_served_by_the_app(deployment: Deployment, tmp_path: Path) -> None:
    dest = tmp_path / "static"
    result = corolla("static", "collect", str(dest), env=deployment.env)
    assert "set [templates] serve_static = false" in result.stdout
    assert (dest / "style.css").read_bytes() == (NOTES / "static" / "style.css").read_bytes()
    page = Visitor(deployment.server.port).get("/static/style.css")
    assert page.status == 404  # nginx's job (deploy/nginx.conf: location /static/)


def test_the_app_sees_the_client_and_https_as_nginx_passes_them(deployment: Deployment) -> None:
    """deploy/wsgi.py's ProxyFix: the client's address (auth's rate limit) and https (CSRF's Origin check)."""
    mallory = Visitor(deployment.server.port)
    refused = mallory.post_form("/auth/login", {"username": "nobody", "password": "wrong password"})
    assert refused.status == 200 and "Invalid username or password" in refused.text, refused.text
    with psycopg.connect(deployment.database) as conn:
        keys = {key for (key,) in conn.execute("SELECT key FROM auth_login_attempt").fetchall()}
    assert f"addr:{CLIENT_ADDR}" in keys and "addr:127.0.0.1" not in keys

    page = mallory.get("/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, page.text
    body = urllib.parse.urlencode({"username": "nobody", "password": "x", "csrf_token": html.unescape(token.group(1))})
    forged = mallory.send(
        "POST", "/auth/login", body.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"},
    )  # fmt: skip
    # A valid token, sent from another site: refused, and the app knows it is https://notes.example.com.
    assert forged.status == 400, forged.text
    assert "(https://evil.example) is not this site (https://notes.example.com)" in forged.text


def test_one_session_whichever_worker_answers(deployment: Deployment) -> None:
    alice = Visitor(deployment.server.port)
    alice.sign_up("alice")
    session_cookie = dict(alice.cookies)

    # Hold one worker, create a note on the other: its flash message goes into the session in Redis.
    held = HeldWorker(alice, "GET", "/")
    created = alice.post_form("/notes/new", {"title": "Written on one worker", "body": "read on the other"})
    assert created.status == 303, created.text
    home = held.finish()
    assert created.pid != home.pid
    assert home.status == 200
    assert "Signed in as <strong>alice</strong>" in home.text
    assert "Written on one worker" in home.text
    assert flashes(home.text) == ["Note “Written on one worker” created."]

    # And the other way round: the worker held before writes, the other reads.
    held = HeldWorker(alice, "GET", "/")
    token = alice.api("GET", "/api/csrf-token").json()["csrf_token"]
    reply = alice.api("POST", "/api/notes", {"title": "Via the API"}, token)
    assert reply.status == 201, reply.text
    listing = alice.api("GET", "/api/notes")
    first = held.finish()
    assert first.status == 200 and "Via the API" in first.text
    assert len({reply.pid, listing.pid, first.pid}) == 2 and first.pid not in {reply.pid, listing.pid}
    assert [n["title"] for n in listing.json()["notes"]] == ["Via the API", "Written on one worker"]

    # Every request was served with the one session: the cookie never changed after the login.
    assert alice.cookies == session_cookie

    # Logging out on one worker ends the session on both (it is deleted from Redis).
    held = HeldWorker(alice, "GET", "/api/notes")
    page = alice.get("/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, page.text
    out = alice.send(
        "POST", "/auth/logout", urllib.parse.urlencode({"csrf_token": html.unescape(token.group(1))}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert out.status == 303, out.text
    after = held.finish()
    assert after.pid != out.pid
    assert (after.status, after.json()) == (401, {"error": "login required"})


def test_no_note_is_lost_under_concurrent_creates(deployment: Deployment) -> None:
    bob = Visitor(deployment.server.port)
    bob.sign_up("bob")
    token = bob.api("GET", "/api/csrf-token").json()["csrf_token"]

    def create(number: int) -> Reply:
        return bob.api("POST", "/api/notes", {"title": f"note {number}", "body": "x" * number}, token)

    with ThreadPoolExecutor(max_workers=32) as pool:
        replies = list(pool.map(create, range(CONCURRENT_CREATES)))

    assert [r.status for r in replies] == [201] * CONCURRENT_CREATES, {r.status: r.text for r in replies}
    assert len({r.pid for r in replies}) == 2  # both workers took their share
    ids = {r.json()["id"] for r in replies}
    assert len(ids) == CONCURRENT_CREATES

    listed = bob.api("GET", "/api/notes").json()["notes"]
    assert sorted(n["title"] for n in listed) == sorted(f"note {i}" for i in range(CONCURRENT_CREATES))
    assert {n["id"] for n in listed} == ids

    with psycopg.connect(deployment.database) as conn:
        rows = conn.execute(
            "SELECT n.title, length(n.body) FROM notes n JOIN auth_user u ON u.id = n.owner_id WHERE u.username = %s",
            ("bob",),
        ).fetchall()
    assert sorted(rows) == sorted((f"note {i}", i) for i in range(CONCURRENT_CREATES))

    # gunicorn's access log (deploy/gunicorn.conf.py's format) tells the same: both workers, every create.
    logged = re.findall(
        rf'^{re.escape(CLIENT_ADDR)} "POST /api/notes HTTP/1.1" 201 \d+ \d+ms worker <(\d+)>',
        deployment.access_log.read_text(),
        re.MULTILINE,
    )
    assert len(logged) >= CONCURRENT_CREATES and set(logged) == {r.pid for r in replies}
