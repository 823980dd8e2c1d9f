"""Real servers for the tests: Redis, PostgreSQL and gunicorn on 127.0.0.1.

Each is a context manager that starts the real program in a temporary
folder and stops it (and removes its data) on exit. The session fixtures in
``tests/conftest.py`` share one Redis and one PostgreSQL per test run.
Nothing here mocks a server: a missing program is an error that says how to
install it (``.ci/run`` installs them all).

Ports, without the race of probing a free port and hoping it stays free:

* gunicorn is handed a socket this process bound to port 0 (the kernel picks
  the port) and is already listening on (``--bind fd://N``): nothing can take
  the port in between.
* redis-server and PostgreSQL cannot be handed a socket, and ``--port 0``
  does not let redis pick one (it turns TCP off). They get a probed port and,
  when another process takes it first, fail to bind, which the server's own
  log says ("Address already in use"): they are started again on a fresh
  port, a few times. A server counts as ready only by its own word (redis'
  "Ready to accept connections" line, ``pg_ctl start -w``), never because
  something accepts connections on the port, so another program listening
  there cannot pass for ours.
* The development server (``corolla run``, ``App.run``) binds port 0 itself
  and says which port it got (werkzeug's "Running on http://127.0.0.1:N"
  line); ``announced()`` reads the port from there.
* A port where nothing listens (``refused_port()``, for unreachable-server
  tests) is held bound but not listening by this process for the whole run:
  connections to it are refused and no one else can bind it.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


#: Attempts at starting a server whose probed port another process took first.
START_ATTEMPTS = 5


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (it may be taken the next moment).

    Only for servers that cannot be handed a socket; they retry when the port
    turns out taken (see the module docstring).
    """
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


_REFUSED: socket.socket | None = None


def refused_port() -> int:
    """A port on 127.0.0.1 where connections are refused, for as long as the test run lasts.

    Bound (so no one else can take it) but never listening, so a connection
    gets a refusal, as from a server that is down.
    """
    global _REFUSED
    if _REFUSED is None:
        _REFUSED = socket.socket()
        _REFUSED.bind((HOST, 0))
        atexit.register(_REFUSED.close)  # held to the end of the run, then closed, not left to the interpreter
    return int(_REFUSED.getsockname()[1])


def wait_for_line(log: Path, marker: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    """Wait until ``marker`` appears in ``log``: True; False when the process exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if marker in text:
            return True
        if process.poll() is not None:
            return marker in (log.read_text(errors="replace") if log.exists() else "")
        time.sleep(0.02)
    raise TimeoutError(f"the server did not log {marker!r} within {timeout} s:\n{log.read_text(errors='replace')}")


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


class Announced:
    """A server started by ``announced()``: its process, its port, and what it printed so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.port = 0
        self.lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        """Everything the server printed so far (all of it once it stopped)."""
        return "".join(self.lines)

    def stop(self, timeout: float = 10.0) -> str:
        """SIGTERM, wait, and return the whole output."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout)
        return self.output


ANNOUNCED_PORT = re.compile(r"Running on http://127\.0\.0\.1:(\d+)")


@contextmanager
def announced(
    command: Sequence[str], *, cwd: str | Path, env: dict[str, str], timeout: float = 30.0
) -> Iterator[Announced]:
    """Run a development server told to bind port 0; ready once it printed the port it got. Stopped on exit.

    Its standard error (werkzeug logs there) and output are read into
    ``Announced.lines`` by a thread, so it never blocks on a full pipe and the
    test can read what it printed, before and after the port.
    """
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    server = Announced(process)
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.append(line)
            match = ANNOUNCED_PORT.search(line)
            if match and not found.is_set():
                server.port = int(match.group(1))
                found.set()
        found.set()  # the server stopped: stop waiting too

    server._reader = threading.Thread(target=read, daemon=True)
    server._reader.start()
    try:
        if not found.wait(timeout) or not server.port:
            raise RuntimeError(f"{command[0]} printed no port within {timeout} s:\n{server.output}")
        yield server
    finally:
        server.stop()
        if process.stdout is not None:
            process.stdout.close()


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

    def __init__(self, port: int, process: subprocess.Popen[bytes], args: Sequence[str] = ()) -> None:
        self.port = port
        self.process = process
        self.args = list(args)
        self.url = f"redis://{HOST}:{port}/0"

    def pause(self) -> None:
        """SIGSTOP: the server hangs (connections are accepted by the kernel, never answered)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the server (its data is gone: no persistence), e.g. to test an outage."""
        _stop(self.process)

    def start(self) -> None:
        """Start it again on the same port after :meth:`stop`."""
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)


@contextmanager
def redis_server(persistent: bool = False) -> Iterator[Redis]:
    """Start ``redis-server`` on 127.0.0.1; stop it on exit.

    No persistence by default; ``persistent=True`` keeps the data across
    :meth:`Redis.stop` and :meth:`Redis.start` (an append-only file), as a
    production Redis would.

    The port is probed, so redis may find it taken: it then logs "Address
    already in use" and exits, and it is started again on another port.
    """
    program = find_program("redis-server")
    with tempfile.TemporaryDirectory(prefix="corolla-redis-") as folder:
        for _ in range(START_ATTEMPTS):
            port = free_port()
            log = Path(folder) / f"redis-{port}.log"
            aof = "yes" if persistent else "no"
            args = [program, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", aof, "--dir", folder]
            with log.open("wb") as out:
                process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
            if wait_for_line(log, "Ready to accept connections", process):
                break
            _stop(process)
            if "Address already in use" not in log.read_text(errors="replace"):
                raise RuntimeError(f"redis-server exited with code {process.returncode}:\n{log.read_text()}")
        else:
            raise RuntimeError(f"redis-server found its port taken {START_ATTEMPTS} times in a row")
        server = Redis(port, process, args)
        try:
            yield server
        finally:
            if server.process.poll() is None:
                server.resume()  # a paused server would not stop on SIGTERM
            _stop(server.process)


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

    def _postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    @contextmanager
    def new_database(self, prefix: str) -> Iterator[str]:
        """A new, empty database on this cluster (its SQLAlchemy URL), dropped on exit.

        A connection of its own each time, so a test that stopped and restarted
        the server in between still drops it.
        """
        import uuid

        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        conninfo = f"host={HOST} port={self.port} user={self.user} password={self.password} dbname={self.database}"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield self.url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    def pause(self) -> None:
        """SIGSTOP the postmaster: new connections are accepted by the kernel and never answered."""
        os.kill(self._postmaster(), signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        os.kill(self._postmaster(), signal.SIGCONT)

    def processes(self) -> list[int]:
        """The postmaster's pid, then its children's (backends, background workers), read from /proc."""
        postmaster = self._postmaster()
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # The field after the parenthesised name is the state, then the parent's pid.
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
        return [postmaster, *sorted(children)]

    def freeze(self) -> list[int]:
        """SIGSTOP every process of the server (the postmaster first, so it forks no new one).

        What a hung machine or a partition looks like from a client: the kernel
        still accepts connections and acknowledges what is sent, nothing answers,
        on new connections and on established ones alike. Returns the pids for
        :meth:`thaw`.
        """
        postmaster = self._postmaster()
        os.kill(postmaster, signal.SIGSTOP)
        stopped = [postmaster]
        for pid in self.processes()[1:]:  # listed once the postmaster can fork no more
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                continue  # a backend that was exiting
            stopped.append(pid)
        return stopped

    def thaw(self, pids: Sequence[int]) -> None:
        """SIGCONT every process :meth:`freeze` stopped (and any the postmaster has now)."""
        for pid in {*pids, *self.processes()}:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


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
                f"\nlisten_addresses = '{HOST}'\nunix_socket_directories = '{folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n"
            )
        server = _start_postgres(data, as_user, pg_ctl)
        port = server.port
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


def _start_postgres(data: Path, as_user: list[str], pg_ctl: str) -> Postgres:
    """``pg_ctl start -w`` on a probed port; again on another port when the first was taken.

    ``-w`` waits for this cluster's own postmaster to be ready (its pid file
    and socket), so readiness cannot be another server's.
    """
    log = data / "server.log"
    for _ in range(START_ATTEMPTS):
        port = free_port()
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {port}\n")  # the last setting of a key wins
        seen = log.stat().st_size if log.exists() else 0
        server = Postgres(port, data, as_user, pg_ctl)
        try:
            server.start()
            return server
        except subprocess.CalledProcessError:
            with log.open("rb") as f:
                f.seek(seen)
                if b"Address already in use" not in f.read():
                    raise
    raise RuntimeError(f"PostgreSQL found its port taken {START_ATTEMPTS} times in a row")


class Gunicorn:
    """A running gunicorn: ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, port: int, process: subprocess.Popen[bytes], log: Path | None = None) -> None:
        self.port = port
        self.process = process
        self.url = f"http://{HOST}:{port}"
        #: The server's output (gunicorn's log and the app's), while it runs.
        self.log = log


@contextmanager
def _serve_on_socket(
    command: Callable[[int], list[str]], cwd: str | Path, env: dict[str, str] | None, name: str
) -> Iterator[Gunicorn]:
    """Run ``command(fd)`` (a gunicorn-based server taking ``--bind fd://N``) on a socket bound here; stop it on exit.

    The socket is bound to port 0 and already listening, so the port cannot
    be taken in between and clients never see a refusal: a connection made
    before a worker is up waits in the backlog. Ready means a worker booted.
    """
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(128)
    port = int(listener.getsockname()[1])
    fd = listener.fileno()
    with tempfile.TemporaryDirectory(prefix=f"corolla-{name}-") as folder:
        log = Path(folder) / f"{name}.log"
        with listener, log.open("wb") as out:
            process = subprocess.Popen(
                command(fd),
                cwd=str(cwd),
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(fd,),
            )
        # The server holds the socket now; this process's copy is closed.
        try:
            if not wait_for_line(log, "Booting worker", process, timeout=30):
                raise RuntimeError(f"{name} exited with code {process.returncode}:\n{log.read_text()}")
            yield Gunicorn(port, process, log)
        finally:
            _stop(process)


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

    def command(fd: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"fd://{fd}",
            "--workers",
            str(workers),
            "--chdir",
            str(cwd),
            "--graceful-timeout",
            "5",
            *args,
            app,
        ]

    with _serve_on_socket(command, cwd, env, "gunicorn") as server:
        yield server


@contextmanager
def corolla_serve(
    app: str,
    *,
    cwd: str | Path,
    workers: int = 2,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[Gunicorn]:
    """``corolla --app APP serve`` (gunicorn, started by Corolla's production command); stop it on exit."""
    script = Path(sys.executable).with_name("corolla")

    def command(fd: int) -> list[str]:
        return [str(script), "--app", app, "serve", "--bind", f"fd://{fd}", "--workers", str(workers), *args]

    with _serve_on_socket(command, cwd, env, "serve") as server:
        yield server
