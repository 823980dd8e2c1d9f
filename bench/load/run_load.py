"""Load run: the notes demo under gunicorn with PostgreSQL and Redis, beside Flask, with wrk.

    .venv/bin/python bench/load/run_load.py [--duration 30] [--connections 64]

Starts a throwaway PostgreSQL and Redis on 127.0.0.1 (tests/servers.py), one
user with 20 notes, and gunicorn (2 sync workers) for each app in turn:

- Corolla notes demo, sessions in Redis (the production setup): the
  logged-in page ``/`` and the JSON API ``/api/notes``;
- the same with cookie sessions, for the like-for-like ratio;
- Flask + Flask-SQLAlchemy + Flask-Login (bench/load/flask_notes), cookie
  sessions, the same page from the same tables and templates;
- the login POST (a correct password, scrypt as werkzeug's default) on both:
  Corolla's with an anonymous visitor's CSRF cookie and token, through
  corolla-auth's rate limiter (its limits raised so that it counts every
  attempt but refuses none: one address sending 64 logins at once is what
  the limiter is there to stop).

Each is driven by wrk (``--latency``) for ``--duration`` seconds at
``--connections`` connections; the table gives req/s, p50 and p99, socket
errors, non-2xx/3xx answers, and the workers' RSS before and after (MB).
Needs wrk (``apt-get install -y wrk``): without it, the run says so and exits.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "reliability"), str(ROOT / "tests" / "notes")]

import servers  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from raw_http import Browser  # noqa: E402

NOTES = ROOT / "examples" / "notes"
FLASK = Path(__file__).resolve().parent / "flask_notes"
SECRET = "bench-load-secret-key-0123456789abcdefghijklmnop"
PASSWORD = "correct horse battery staple"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def workers_rss(master: int) -> list[float]:
    """RSS (MB) of gunicorn's workers: the master's children."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) != master:
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes.append(int(found.group(1)) / 1024)
    return sorted(sizes)


def post_script(body: str, headers: dict[str, str]) -> Path:
    """A wrk script that sends every request as this urlencoded POST."""
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text("\n".join(lines) + "\n")
    return script


def wrk(
    url: str, headers: dict[str, str], duration: int, connections: int, script: Path | None = None
) -> dict[str, object]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "requests": int(total.group(1)) if total else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def measure(
    label: str,
    server: servers.Gunicorn,
    path: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    post: str | None = None,
) -> dict[str, object]:
    script = post_script(post, headers) if post is not None else None
    before = workers_rss(server.process.pid)
    try:
        result = wrk(server.url + path, {} if script else headers, args.duration, args.connections, script)
    finally:
        if script is not None:
            script.unlink()
    after = workers_rss(server.process.pid)
    shown = f"POST {path}" if post is not None else path
    result.update(label=label, path=shown, rss_before_mb=before, rss_after_mb=after)
    print(
        f"{label:44} {shown:17} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p99 {result['p99_ms']:6.1f} ms  errors {result['socket_errors']}  non-2xx/3xx {result['non_2xx_3xx']}  "
        f"RSS {'/'.join(f'{r:.0f}' for r in before)} -> {'/'.join(f'{r:.0f}' for r in after)} MB",
        flush=True,
    )
    return result


def corolla_env(instance: Path, url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "COROLLA_CORE__INSTANCE_PATH": str(instance),
        "COROLLA_CORE__SECRET_KEY": SECRET,
        "COROLLA_ORM__URL": url,
        "COROLLA_ORM__POOL_SIZE": "2",
        "COROLLA_TEMPLATES__AUTO_RELOAD": "false",
        "COROLLA_AUTH__MAX_REGISTRATIONS": "0",
        # Counted, never refused: the login row measures a login, not a 429.
        "COROLLA_AUTH__MAX_ATTEMPTS": "1000000000",
        "COROLLA_AUTH__MAX_ATTEMPTS_PER_ACCOUNT": "1000000000",
        "COROLLA_AUTH__MAX_ATTEMPTS_PER_ADDRESS": "1000000000",
    }
    if redis_url:
        env.update(COROLLA_SESSIONS__BACKEND="redis", COROLLA_SESSIONS__REDIS_URL=redis_url)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/load skipped: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 0
    sys.path.insert(0, str(NOTES))
    import notesapp

    from corolla.testing import run_cli

    results = []
    with servers.postgres_server() as pg, servers.redis_server() as redis, tempfile.TemporaryDirectory() as tmp:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(pg.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = pg.url.rsplit("/", 1)[0] + f"/{name}"
        instance = Path(tmp) / "instance"
        instance.mkdir()
        app = notesapp.create_app({"core": {"instance_path": str(instance)}, "orm": {"url": url}}, environ={})
        assert run_cli("db", "upgrade", app=app).exit_code == 0
        app.close()
        for backend, redis_url in (("redis", redis.url), ("cookie", None)):
            env = corolla_env(instance, url, redis_url)
            with servers.gunicorn("app:app", cwd=NOTES, workers=2, env=env) as server:
                browser = Browser(server.port)
                if backend == "redis":
                    browser.signup("bench")
                    token = json.loads(browser.request("GET", "/api/csrf-token").body)["csrf_token"]
                    for n in range(20):
                        body = json.dumps({"title": f"Note {n}", "body": "Some text. " * 10}).encode()
                        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
                        assert browser.request("POST", "/api/notes", body, headers).status == 201
                else:
                    browser.form("/auth/login", {"username": "bench", "password": PASSWORD})
                cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
                assert b"Signed in as" in browser.request("GET", "/").body
                label = f"Corolla notes, {backend} sessions"
                results.append(measure(label, server, "/", {"Cookie": cookie}, args))
                if backend == "redis":
                    api = {"Cookie": cookie, "Accept": "application/json"}
                    results.append(measure(label, server, "/api/notes", api, args))
                    visitor = Browser(server.port)  # anonymous: its CSRF secret is a cookie of its own
                    fields = {"csrf_token": visitor.token("/auth/login"), "username": "bench", "password": PASSWORD}
                    anonymous = {"Cookie": "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())}
                    form = urllib.parse.urlencode(fields)
                    assert visitor.request("POST", "/auth/login", form.encode(), FORM).status == 303
                    results.append(measure(label, server, "/auth/login", anonymous, args, post=form))
        env = {"FLASK_SECRET_KEY": SECRET, "FLASK_DATABASE_URL": url}
        with servers.gunicorn("app:app", cwd=FLASK, workers=2, env=env) as server:
            browser = Browser(server.port)
            form = urllib.parse.urlencode({"username": "bench", "password": PASSWORD})
            login = browser.request("POST", "/login", form.encode(), FORM)
            assert login.status == 200, login.body
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            assert b"Note 19" in browser.request("GET", "/").body
            label = "Flask + Flask-SQLAlchemy + Flask-Login"
            results.append(measure(label, server, "/", {"Cookie": cookie}, args))
            results.append(measure(label, server, "/login", {}, args, post=form))
        admin.dispose()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(
        json.dumps({"duration_s": args.duration, "connections": args.connections, "results": results}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
