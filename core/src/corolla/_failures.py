"""How often each plugin failed while serving, kept where ``corolla plugins why`` reads it.

A plugin that raises while serving is never switched off (docs/deploy.md,
"failure behaviour"); its failures are counted instead. The counts must
outlive a worker and add up over all of them (gunicorn runs several, and a
command line process sees none of their memory), so each failure is added
to a SQLite file in the app's instance folder, ``plugin-failures.sqlite3``:
one row per plugin, hook, exception type and place, with its count and the
first and last time. SQLite serialises the workers' writes; WAL mode keeps
a write short (no fsync per failure: about 20 µs on a connection each
process keeps open).

This runs only on the error path, never per request. Recording must not
turn a 500 into something worse: a write that fails (a read-only or full
disk, a lock held too long) keeps the counts in memory, adds them with the
next write that succeeds, and logs one warning per process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported where used: sqlite3 costs ~5 ms that every App() would pay, and only a failure needs it.
    import sqlite3

FILE_NAME = "plugin-failures.sqlite3"

#: A lock held longer than this (another worker writing) leaves the count pending, not the request waiting.
_BUSY_TIMEOUT = 0.25
_MESSAGE_LIMIT = 300

_SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (
    plugin TEXT NOT NULL,
    hook TEXT NOT NULL,
    error TEXT NOT NULL,
    place TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_at REAL NOT NULL,
    last_at REAL NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (plugin, hook, error, place)
)
"""

_UPSERT = """
INSERT INTO failures (plugin, hook, error, place, count, first_at, last_at, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (plugin, hook, error, place) DO UPDATE SET
    count = count + excluded.count, last_at = excluded.last_at, message = excluded.message
"""

logger = logging.getLogger("corolla")

Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Failure:
    """Failures of one kind: ``plugin`` raised ``error`` at ``place``, ``count`` times.

    ``hook`` is the hook (or request attribute) that was running, e.g.
    ``corolla_wrap_request``; empty when the plugin's code was called from
    elsewhere (the app's own code). ``message`` is the last exception's text.
    """

    plugin: str
    hook: str
    error: str
    place: str
    count: int
    first_at: float
    last_at: float
    message: str


class FailureLog:
    """Adds one process's plugin failures to ``folder/plugin-failures.sqlite3``."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = folder / FILE_NAME
        self.clock = clock
        self._lock = threading.Lock()
        # Not yet written: key -> (count, first_at, last_at, message).
        self._pending: dict[Key, tuple[int, float, float, str]] = {}
        self._warned = False
        # Kept open (reopening costs ~0.5 ms a failure, a write on an open one ~20 µs); per
        # process: a connection must not cross a fork, so a worker opens its own.
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def record(self, plugin: str, hook: str, exc: BaseException, place: str) -> None:
        """Count one failure; never raises."""
        import sqlite3

        now = self.clock()
        try:
            message = str(exc)[:_MESSAGE_LIMIT]
        except Exception:  # an exception whose __str__ raises must not make the error path raise
            message = f"<{type(exc).__name__}: its str() raised>"
        key = (plugin, hook, type(exc).__name__, place)
        with self._lock:
            count, first_at, _, _ = self._pending.get(key, (0, now, now, ""))
            self._pending[key] = (count + 1, first_at, now, message)
            try:
                self._write()
            except (OSError, sqlite3.Error) as exc_:
                self._warn(exc_)
            else:
                self._pending.clear()

    def _write(self) -> None:
        import sqlite3

        if self._connection is None or self._pid != os.getpid():
            self._connection = _open(self.path, create=True, threads=True)
            self._pid = os.getpid()
        try:
            with self._connection:  # one transaction: every pending row, or none
                self._connection.executemany(_UPSERT, [(*key, *row) for key, row in self._pending.items()])
        except (OSError, sqlite3.Error):
            self._connection.close()  # opened again next time (the file may have been removed)
            self._connection = None
            raise

    def _warn(self, exc: BaseException) -> None:
        if self._warned:
            return
        self._warned = True
        logger.warning(
            "plugin failures are not recorded in %s (%s: %s), so `corolla plugins why` cannot count them; "
            "make the instance folder writable, or set [core] instance_path to a writable folder",
            self.path,
            type(exc).__name__,
            exc,
        )


def read_failures(folder: Path, plugin: str | None = None) -> list[Failure]:
    """The recorded failures (of ``plugin``, or every plugin), the most frequent first; [] when none were."""
    path = folder / FILE_NAME
    if not path.is_file():
        return []
    connection = _open(path, create=False)
    try:
        query = "SELECT plugin, hook, error, place, count, first_at, last_at, message FROM failures"
        args: tuple[str, ...] = ()
        if plugin is not None:
            query, args = query + " WHERE plugin = ?", (plugin,)
        rows = connection.execute(query + " ORDER BY count DESC, last_at DESC", args).fetchall()
    finally:
        connection.close()
    return [Failure(*row) for row in rows]


def clear_failures(folder: Path, plugin: str | None = None) -> int:
    """Forget the recorded failures (of ``plugin``, or all); how many were forgotten."""
    path = folder / FILE_NAME
    if not path.is_file():
        return 0
    connection = _open(path, create=False)
    try:
        with connection:
            where, args = ("WHERE plugin = ?", (plugin,)) if plugin is not None else ("", ())
            (total,) = connection.execute(f"SELECT COALESCE(SUM(count), 0) FROM failures {where}", args).fetchone()
            connection.execute(f"DELETE FROM failures {where}", args)
    finally:
        connection.close()
    return int(total)


def _open(path: Path, *, create: bool, threads: bool = False) -> sqlite3.Connection:
    """A connection with the table in place; read-only when the file is not ours to write (reading only)."""
    import sqlite3

    if create and not path.exists():
        # 0700 folder, 0600 file: exception messages may quote what a request sent.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        connection = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, timeout=_BUSY_TIMEOUT, check_same_thread=not threads
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
    except sqlite3.OperationalError:
        if create:
            raise
        # Another user's file (the service account's), readable but not writable by this command.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT)
    return connection
