"""Real servers for the tests: Redis, PostgreSQL and gunicorn on 127.0.0.1.

Each is a context manager that starts the real program on a free port in a
temporary folder and stops it (and removes its data) on exit. The session
fixtures in ``tests/conftest.py`` share one Redis and one PostgreSQL per test
run. Nothing here mocks a server: a missing program is an error that says
how to install it (``.ci/run`` installs them all).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 20.0) -> None:
    """Block until something accepts connections on ``port`` (or fail, with the process's output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}:\n{out}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout} s")


def find_program(name: str, *extra_dirs: str) -> str:
    """The path of ``name`` on PATH or in ``extra_dirs``, or an error naming how to install it."""
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in extra_dirs if (Path(d) / name).exists()),
        None,
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed; .ci/run installs it (apt-get install redis-server postgresql)")
    return found


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


class Redis:
    """A running ``redis-server``: ``url`` is ``redis://127.0.0.1:<port>/0``."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process
        self.url = f"redis://{HOST}:{port}/0"


@contextmanager
def redis_server() -> Iterator[Redis]:
    """Start ``redis-server`` on a free port with no persistence; stop it on exit."""
    program = find_program("redis-server")
    with tempfile.TemporaryDirectory(prefix="corolla-redis-") as folder:
        port = free_port()
        args = [program, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", folder]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield Redis(port, process)
        finally:
            _stop(process)


_PG_DIRS = [str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


class Postgres:
    """A running PostgreSQL cluster: ``url`` is a SQLAlchemy URL for psycopg 3 (database ``corolla``)."""

    def __init__(self, port: int, data: Path, as_user: list[str], pg_ctl: str) -> None:
        self.port = port
        self.data = data
        self.user = "corolla"
        self.password = "corolla-test-password"
        self.database = "corolla"
        self._as_user = as_user
        self._pg_ctl = pg_ctl
        self.url = f"postgresql+psycopg://{self.user}:{self.password}@{HOST}:{port}/{self.database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as_user, self._pg_ctl, "-D", str(self.data), "-w", "-t", "30", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown), e.g. to test an unreachable database."""
        self._ctl("-m", "fast", "stop")

    def start(self) -> None:
        """Start the server again after :meth:`stop`."""
        self._ctl("-l", str(self.data / "server.log"), "start")


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """``initdb`` + ``pg_ctl`` a throwaway cluster on a free port; remove it on exit.

    As root, the cluster runs as the ``postgres`` user (initdb refuses root).
    """
    initdb = find_program("initdb", *_PG_DIRS)
    pg_ctl = find_program("pg_ctl", *_PG_DIRS)
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="corolla-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    pwfile = folder / "pw"
    try:
        pwfile.write_text("corolla-test-password\n")
        if as_user:
            shutil.chown(pwfile, "postgres", "postgres")
        subprocess.run(
            [
                *as_user,
                initdb,
                "-D",
                str(data),
                "-U",
                "corolla",
                "--pwfile",
                str(pwfile),
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '{HOST}'\nport = {port}\nunix_socket_directories = '{folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n"
            )
        server = Postgres(port, data, as_user, pg_ctl)
        server.start()
        subprocess.run(
            [
                *as_user,
                find_program("psql", *_PG_DIRS),
                "-h",
                HOST,
                "-p",
                str(port),
                "-U",
                "corolla",
                "-d",
                "postgres",
                "-c",
                "CREATE DATABASE corolla",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PGPASSWORD": "corolla-test-password"},
        )
        try:
            yield server
        finally:
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped by the test
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Gunicorn:
    """A running gunicorn: ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process
        self.url = f"http://{HOST}:{port}"


@contextmanager
def gunicorn(
    app: str,
    *,
    cwd: str | Path,
    workers: int = 2,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[Gunicorn]:
    """Serve ``app`` (``module:attr``, imported from ``cwd``) with gunicorn; stop it on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(cwd),
        "--graceful-timeout",
        "5",
        *args,
        app,
    ]
    process = subprocess.Popen(
        command,
        cwd=str(cwd),
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, timeout=30)
        yield Gunicorn(port, process)
    finally:
        _stop(process)
