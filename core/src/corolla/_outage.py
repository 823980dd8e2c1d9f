"""``OutageLog``: how a plugin logs a backend that is down, without flooding the log.

During an outage every request fails the same way. Logging a traceback for
each filled 31 MB in ten seconds and hid everything else. ``OutageLog``
logs the first failure with its traceback ("down"), then one line per
request answered 503 (no traceback), and one line when the backend works
again ("up", with how long it was down and how many requests failed). State
is per process, as each worker sees the backend on its own.
"""

from __future__ import annotations

import logging
import threading
import time


class OutageLog:
    """Logs the outages of one backend (``what``, e.g. ``"redis redis://127.0.0.1:6379/0"``) on ``logger``."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self._lock = threading.Lock()
        self._since: float | None = None
        self._failed = 0

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, request_line: str, error: BaseException) -> None:
        """A request could not use the backend (it is answered 503): log it, with a traceback the first time."""
        with self._lock:
            first = self._since is None
            if first:
                self._since = time.monotonic()
            self._failed += 1
        if first:
            self.logger.error(
                "%s is unavailable (outage started) on '%s': %s; answering 503 until it is back",
                self.what,
                request_line,
                error,
                exc_info=error,
            )
        else:
            self.logger.error("%s is unavailable: answered 503 on '%s': %s", self.what, request_line, error)

    def worked(self) -> None:
        """The backend answered: if it was down, log that the outage ended. Costs one test otherwise."""
        if self._since is None:
            return
        with self._lock:
            since, failed = self._since, self._failed
            self._since, self._failed = None, 0
        if since is not None:
            self.logger.warning(
                "%s is available again (outage ended) after %.1f s; %d request%s answered 503 meanwhile",
                self.what,
                time.monotonic() - since,
                failed,
                "" if failed == 1 else "s",
            )
