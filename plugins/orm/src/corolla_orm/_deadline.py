"""A client-side deadline for PostgreSQL (psycopg): a server that stops answering ends in an error, not a hang.

libpq's ``connect_timeout`` bounds connecting and the server's
``statement_timeout`` a statement the server runs; neither helps once the
whole server has stopped while its kernel still acknowledges (a hung
machine, every process SIGSTOPped): a query, a commit or the pool's
pre-ping on a pooled connection waits in ``recv`` for ever, and TCP
keepalives and libpq's ``tcp_user_timeout`` never fire, since every packet
is ACKed. psycopg 3 offers no deadline for a query.

Every wait of a psycopg connection for the server goes through
``Connection.wait`` (psycopg's own choke point, not a documented hook: the
tests in tests/reliability/test_frozen_postgresql.py fail if a psycopg
release stops routing waits through it); ``WatchedConnection`` registers
each with the process's ``Watchdog`` while it lasts. Silence alone proves
nothing (a slow report query is silent too), so after ``response_timeout``
seconds without an answer the watchdog asks the server whether it is alive
at all, on a new connection, with the protocol's first message
(``SSLRequest``, answered by a running server with one byte before any
authentication). A server that does not answer that either within
``connect_timeout`` (the limit any new connection has: a server merely slow
to accept under load is not taken for a dead one sooner than libpq would)
has the waiting connections cut: their socket is shut down, psycopg's wait
fails with an ``OperationalError``, the pool discards the connection and
the orm plugin answers its outage 503. A server that answers is working on
the statement: it runs on, checked again every ``response_timeout``, until
``statement_timeout + response_timeout``, when the server should have
cancelled it itself; past that its backend is stuck, and it is cut too.

A server found dead stays known as dead to the process until it answers
again: a new connection to it (the pool's replacement for the one cut, the
next request's) first checks the server within ``QUICK_CHECK`` seconds and
fails at once if it still does not answer, instead of waiting
``connect_timeout`` each time. So only the first request of an outage waits
(``response_timeout`` + the check), later ones get their 503 within
``QUICK_CHECK``, and the first new connection after the server answers again
works.

Imported only for ``postgresql+psycopg`` URLs with ``response_timeout`` on.
"""

from __future__ import annotations

import inspect
import math
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from psycopg.abc import RV, PQGen
    from sqlalchemy import Engine

#: Seconds a new connection to a server known to be dead waits for it to answer a check.
QUICK_CHECK = 0.5

#: The protocol's SSLRequest message (length 8, code 80877103): any running server answers it
#: at once with one byte, before authentication, whatever its settings.
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def server_answers(host: str, port: str, timeout: float) -> bool:
    """Whether the PostgreSQL server at ``host``:``port`` answers a new connection within ``timeout`` seconds.

    Any answer counts (its byte, or a hang-up: a process is running there);
    a refused connection or silence does not. ``host`` may be a Unix socket folder.
    """
    deadline = time.monotonic() + timeout
    try:
        if host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(f"{host}/.s.PGSQL.{port}")
            except BaseException:
                sock.close()
                raise
        else:
            sock = socket.create_connection((host, int(port or 5432)), timeout=timeout)
        with sock:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.sendall(_SSL_REQUEST)
            sock.recv(1)
        return True
    except OSError:  # refused, unreachable, or no answer in time (socket.timeout is an OSError)
        return False


@dataclass(frozen=True)
class Limits:
    """An engine's limits, in seconds (see the module docstring)."""

    #: Silence before the server is checked, and between checks.
    response: float
    #: How long the check waits for the server's answer ([orm] connect_timeout).
    check: float
    #: The server's statement_timeout (0: none).
    statement: float


@dataclass(eq=False)
class Watch:
    """One wait of one connection for its server."""

    fileno: int
    host: str
    port: str
    limits: Limits
    started: float
    check_at: float
    #: When the server should have cancelled the statement itself (None: statement_timeout is off).
    give_up_at: float | None
    #: Why the connection was cut (None: it was not).
    cut: str | None = None


class Watchdog:
    """One thread per process that checks on connections waiting too long and cuts those of a dead server."""

    def __init__(self) -> None:
        self._reset()
        # A forked child (a gunicorn worker of a preloaded app) has none of the parent's
        # threads, and a lock the parent held at that moment would stay held for ever.
        if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._watches: set[Watch] = set()
        self._wake_at = math.inf
        self._running = False
        #: Servers that failed a check, and when (cleared when one answers again).
        self._dead: dict[tuple[str, str], float] = {}

    def dead_since(self, server: tuple[str, str]) -> float | None:
        """When ``server`` last failed a check (``time.monotonic()``), if it has not answered since."""
        with self._cond:
            return self._dead.get(server)

    def answered(self, server: tuple[str, str], alive: bool) -> None:
        """Record the outcome of a check of ``server``."""
        with self._cond:
            if alive:
                self._dead.pop(server, None)
            else:
                self._dead.setdefault(server, time.monotonic())

    def watch(self, fileno: int, server: tuple[str, str], limits: Limits) -> Watch:
        """Register a wait on the socket ``fileno`` that starts now; pass it to :meth:`release` when it ends."""
        now = time.monotonic()
        give_up = now + limits.statement + limits.response if limits.statement else None
        host, port = server
        watch = Watch(fileno, host, port, limits, now, now + limits.response, give_up)
        with self._cond:
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="corolla-orm-watchdog", daemon=True).start()
            self._watches.add(watch)
            if watch.check_at < self._wake_at:
                self._cond.notify()  # sleeping until later than this wait needs (or idle)
        return watch

    def release(self, watch: Watch) -> None:
        with self._cond:
            self._watches.discard(watch)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [w for w in self._watches if w.check_at <= now and w.cut is None]
                if not due:
                    self._wake_at = min((w.check_at for w in self._watches if w.cut is None), default=math.inf)
                    self._cond.wait(None if self._wake_at == math.inf else self._wake_at - now)
                    continue
                self._wake_at = now
            self._check(due)

    def _check(self, due: list[Watch]) -> None:
        # Outside the lock: a check takes up to connect_timeout, and waits keep starting and ending.
        answers: dict[tuple[str, str], bool] = {}
        for watch in due:
            server = (watch.host, watch.port)
            if server not in answers:
                answers[server] = server_answers(watch.host, watch.port, watch.limits.check)
                self.answered(server, answers[server])
        now = time.monotonic()
        with self._cond:
            for watch in due:
                if watch not in self._watches:
                    continue  # answered meanwhile
                waited = now - watch.started
                if not answers[(watch.host, watch.port)]:
                    watch.cut = (
                        f"the server did not answer for {waited:.1f} s, nor a check on a new connection "
                        f"within {watch.limits.check:g} s ([orm] response_timeout, connect_timeout)"
                    )
                elif watch.give_up_at is not None and now >= watch.give_up_at:
                    watch.cut = (
                        f"the statement had no answer after {waited:.1f} s, past [orm] statement_timeout, "
                        "while the server answers new connections: its backend is stuck"
                    )
                else:
                    watch.check_at = now + watch.limits.response
                    if watch.give_up_at is not None:
                        watch.check_at = min(watch.check_at, watch.give_up_at)
                    continue
                _shut_down(watch.fileno)


def _shut_down(fileno: int) -> None:
    """Shut the connection's socket down, so the thread blocked on it gets an error at once.

    On a duplicate of the descriptor: ``shutdown`` acts on the socket both
    share, and closing the duplicate leaves the connection's own descriptor
    for psycopg to close. The caller holds the watchdog's lock while the wait
    is registered, so the descriptor is still the connection's.
    """
    try:
        dup = socket.socket(fileno=os.dup(fileno))
    except OSError:
        return  # already closed: the wait has failed by itself
    with dup:
        try:
            dup.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already disconnected


WATCHDOG = Watchdog()

#: Whether this psycopg's Connection.wait takes an interval, so that a timeout, when given, bounds
#: the wait (3.3.9 and later); before 3.2 the second argument, named timeout, was the interval.
_TIMEOUT_BOUNDS = "interval" in inspect.signature(psycopg.Connection.wait).parameters


def _bounded(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether psycopg bounds this wait itself (wait(gen, interval, timeout) with a timeout)."""
    if not _TIMEOUT_BOUNDS:
        return False
    timeout = kwargs["timeout"] if "timeout" in kwargs else args[1] if len(args) > 1 else None
    return timeout is not None


class WatchedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose waits for the server are watched (see the module docstring)."""

    #: Set by :func:`watch_engine` (None: not watched).
    corolla_limits: Limits | None = None
    #: The server's address and port, for the check (a Unix socket folder, or the address connected to).
    corolla_server: tuple[str, str] = ("", "")
    #: Set while COMMIT waits: a commit cut off has an unknown outcome, and the error says so.
    corolla_committing = False

    def wait(self, gen: PQGen[RV], *args: Any, **kwargs: Any) -> RV:
        # The arguments go to psycopg as given: they changed between releases (3.1: wait(gen,
        # timeout) where timeout is the polling interval; 3.2: wait(gen, interval); 3.3.9 adds
        # timeout, a bound of psycopg's own on the wait: notifies, cancel, left alone).
        limits = self.corolla_limits
        if limits is None or _bounded(args, kwargs):
            return super().wait(gen, *args, **kwargs)
        try:
            fileno = self.pgconn.socket
        except psycopg.Error:  # closed or lost: psycopg's wait says so
            return super().wait(gen, *args, **kwargs)
        watch = WATCHDOG.watch(fileno, self.corolla_server, limits)
        try:
            return super().wait(gen, *args, **kwargs)
        except psycopg.OperationalError as exc:
            if watch.cut is None:
                raise
            detail = watch.cut + ": the connection was closed"
            if self.corolla_committing:
                detail += "; it was waiting for COMMIT, so whether the transaction was saved is unknown"
            raise psycopg.OperationalError(detail) from exc
        finally:
            WATCHDOG.release(watch)

    def commit(self) -> None:
        self.corolla_committing = True
        try:
            super().commit()
        finally:
            self.corolla_committing = False


def watch_engine(engine: Engine, limits: Limits) -> None:
    """Make ``engine``'s new connections ``WatchedConnection`` s (SQLAlchemy's ``do_connect``)."""
    from sqlalchemy import event

    #: The server this engine's connections reached (known after the first connection).
    reached: list[tuple[str, str]] = []

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> WatchedConnection:
        if reached:
            _refuse_if_still_dead(reached[0])
        connection = WatchedConnection.connect(*cargs, **cparams)
        info = connection.info
        try:
            # The address connected to, so a check needs no name lookup (libpq 12 and later).
            host = info.hostaddr or info.host
        except psycopg.NotSupportedError:
            host = info.host
        connection.corolla_server = (host, str(info.port))
        connection.corolla_limits = limits
        reached[:] = [connection.corolla_server]
        return connection


def _refuse_if_still_dead(server: tuple[str, str]) -> None:
    """Fail at once when ``server`` was found dead and still does not answer within ``QUICK_CHECK``."""
    since = WATCHDOG.dead_since(server)
    if since is None:
        return
    alive = server_answers(*server, QUICK_CHECK)
    WATCHDOG.answered(server, alive)
    if not alive:
        raise psycopg.OperationalError(
            f"the server at {server[0]}:{server[1]} did not answer a check {time.monotonic() - since:.1f} s ago, "
            f"nor now within {QUICK_CHECK:g} s: not connecting (the outage goes on)"
        )
