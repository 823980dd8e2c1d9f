"""Over HTTP on loopback: Corolla and Flask on gunicorn (sync, gthread) and granian (WSGI), in one run.

    .venv/bin/python bench/bench_serve.py            # 3 rounds of 3 s per server and app (about 2 minutes)
    .venv/bin/python bench/bench_serve.py --quick    # 1 s each

Needs ``wrk`` (``apt-get install wrk``) and, for its rows, granian (``pip install granian``);
a missing one is reported, not guessed. Each server runs 2 worker processes (the cores
of the machine the README's figures come from); gthread with 4 threads per worker. The
Corolla app is served by ``corolla serve`` (gunicorn rows; ``--no-access-log``, as the
peers log no access either), Flask by ``gunicorn``; both by ``granian --interface wsgi``.
Corolla's and Flask's servers of one row run at the same time and wrk (1 thread, 16
connections, 3 s, against 127.0.0.1) measures them in alternation, 3 rounds after a
warm-up, so drift on the machine lands on both; the figure is the best round's requests
per second and its mean latency. wrk shares the machine with the servers, as nothing
else can here: the ratios between rows are what matter.

Scenarios: ``GET /`` hello-world, bench_users.py's full page (a logged-in session,
20 rows through SQLAlchemy from SQLite, a Jinja2 loop), and the notes demo's own
logged-in index page (its six plugins, a user with 20 notes, on its own SQLite database
in a temporary folder; Corolla only: Flask has no notes demo).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {timeout} s")


def command(server: str, framework: str, port: int) -> list[str]:
    threads = ["--threads", str(THREADS)] if server == "gunicorn gthread" else []
    target = "app:app" if framework == "notes" else "serve_apps:app"
    if server.startswith("gunicorn"):
        if framework in ("corolla", "notes"):
            return [str(BIN / "corolla"), "--app", target, "serve", "--port", str(port),
                    "--workers", str(WORKERS), "--no-access-log", *threads]  # fmt: skip
        return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                *threads, "serve_apps:app"]  # fmt: skip
    return [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--no-access-log", target]  # fmt: skip


@contextmanager
def server(name: str, framework: str, scenario: str, root: Path) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "BENCH_SERVE_APP": f"{framework}-{scenario}", "BENCH_SERVE_ROOT": str(root)}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cwd = HERE
    if framework == "notes":
        env.update(notes_environ(root))
        cwd = NOTES
    process = subprocess.Popen(
        command(name, framework, port), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NOTES = HERE.parent / "examples" / "notes"
NOTES_SECRET = "bench-notes-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

REGISTER = """
import re, sys
from werkzeug.test import Client
from app import app

client = Client(app)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/auth/register").text).group(1)
password = "correct horse battery staple"
data = {"username": "ann", "password": password, "confirm": password, "csrf_token": token}
assert client.post("/auth/register", data=data).status_code == 303
for i in range(20):
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/notes/new").text).group(1)
    data = {"title": f"note <{i}>", "body": f"body & text {i}", "csrf_token": token}
    assert client.post("/notes/new", data=data).status_code == 303
print("session=" + client.get_cookie("session").value)
"""


def notes_environ(root: Path) -> dict[str, str]:
    """The notes demo on its own SQLite database under ``root`` (never its instance/ folder)."""
    return {"COROLLA_ORM__URL": f"sqlite:///{root / 'notes.db'}", "COROLLA_CORE__SECRET_KEY": NOTES_SECRET}


def notes_login(root: Path) -> str:
    """Migrate the notes demo's database, register a user with 20 notes; that user's Cookie header."""
    env = {**os.environ, **notes_environ(root)}
    subprocess.run([str(BIN / "corolla"), "db", "upgrade"], cwd=NOTES, env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", REGISTER], cwd=NOTES, env=env, check=True, capture_output=True, text=True, timeout=120
    )
    return done.stdout.strip().splitlines()[-1]


def check_logged_in(port: int, cookie: str) -> None:
    """The notes index with ``cookie`` lists the user's notes (not the welcome page): else the figure would lie."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    if "note &lt;19&gt;" not in page:
        raise RuntimeError("the notes demo did not show the logged-in user's notes; the benchmark would be wrong")


def wrk(port: int, seconds: int, cookie: str | None) -> tuple[float, float, int]:
    """(requests per second, mean latency in ms, non-2xx responses)."""
    args = ["wrk", "-t1", "-c16", f"-d{seconds}s", f"http://127.0.0.1:{port}/"]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    latency = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, latency, int(bad.group(1)) if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 s per measurement")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench_serve.py needs wrk (apt-get install wrk); skipped", file=sys.stderr)
        return 0
    seconds = 1 if args.quick else 3
    servers = ["gunicorn sync", "gunicorn gthread"]
    if (BIN / "granian").exists():
        servers.append("granian")
    else:
        print("granian is not installed (pip install granian): its rows are skipped", file=sys.stderr)
    sys.path.insert(0, str(HERE))
    import bench_users

    rows = []
    rounds = 1 if args.quick else 3
    with tempfile.TemporaryDirectory(prefix="corolla-bench-serve-") as tmp:
        root = Path(tmp)
        apps = bench_users.page_apps(root, bench_users.prepare_page(root))
        cookie = bench_users.login_cookies(apps)  # the same secret: valid for the servers' apps
        notes_cookie = notes_login(root)
        for scenario in ("hello", "page", "notes"):
            header = {"hello": None, "page": cookie, "notes": notes_cookie}[scenario]
            for name in servers:
                if scenario == "notes":
                    # Only Corolla has the notes demo: one server, measured alone.
                    with server(name, "notes", scenario, root) as port:
                        check_logged_in(port, header or "")
                        wrk(port, 1, header)
                        best_notes = max(wrk(port, seconds, header)[:2] for _ in range(rounds))
                    rows.append((scenario, name, "corolla", *best_notes))
                    print(f"# notes {name}: {best_notes[0]:.0f} req/s", file=sys.stderr)
                    continue
                # Both servers up at once, measured in alternation (the idle one costs nothing):
                # drift on the machine lands on both; the best of the rounds is kept.
                with (
                    server(name, "corolla", scenario, root) as corolla_port,
                    server(name, "flask", scenario, root) as flask_port,
                ):
                    ports = {"corolla": corolla_port, "flask": flask_port}
                    for port in ports.values():
                        wrk(port, 1, header)  # warm-up
                    best: dict[str, tuple[float, float]] = {}
                    for _ in range(rounds):
                        for framework, port in ports.items():
                            rps, latency, bad = wrk(port, seconds, header)
                            if bad:
                                raise RuntimeError(f"{framework} on {name}: {bad} responses were not 2xx/3xx")
                            if framework not in best or rps > best[framework][0]:
                                best[framework] = (rps, latency)
                for framework, (rps, latency) in best.items():
                    rows.append((scenario, name, framework, rps, latency))
                    print(f"# {scenario} {name} {framework}: {rps:.0f} req/s, {latency:.2f} ms", file=sys.stderr)
    what = f"{WORKERS} workers, wrk 1 thread, 16 connections, best of {rounds} rounds of {seconds} s"
    print(f"Over HTTP on 127.0.0.1: {what}")
    print("| scenario | server | Corolla req/s | Flask req/s | Corolla / Flask | Corolla ms | Flask ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    by = {(s, n, f): (r, lat) for s, n, f, r, lat in rows}
    for scenario in ("hello", "page", "notes"):
        for name in servers:
            cr, cl = by[(scenario, name, "corolla")]
            if scenario == "notes":
                print(f"| notes demo, logged in, 20 notes | {name} | {cr:.0f} | | | {cl:.2f} | |")
                continue
            fr, fl = by[(scenario, name, "flask")]
            print(f"| {scenario} | {name} | {cr:.0f} | {fr:.0f} | {cr / fr:.2f} | {cl:.2f} | {fl:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
