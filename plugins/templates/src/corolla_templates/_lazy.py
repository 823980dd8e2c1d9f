"""``app.templates`` before its first use: a placeholder that becomes the Jinja2 Environment.

Importing Jinja2 and building the Environment costs milliseconds that an
app which renders nothing (or is built only to be inspected, as by ``corolla
plugins list``) should not pay, yet ``app.templates`` must be the real
``jinja2.Environment``: users add filters and globals to it, and Jinja2's own
code checks its type. So the App attribute is this placeholder, and the
first attribute read or write turns it, in place, into a
``jinja2.Environment`` (``__class__`` assignment, then ``Environment.__init__``
on the same object): every reference taken before, ``app.templates`` included,
is then the Environment itself, with no proxy left on the path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class LazyEnvironment:
    """Becomes a ``jinja2.Environment`` on first use; ``build(self)`` does the change."""

    def __init__(self, build: Callable[[object], None]) -> None:
        object.__setattr__(self, "_corolla_build", build)
        object.__setattr__(self, "_corolla_lock", threading.Lock())

    def _corolla_become(self) -> None:
        state = self.__dict__
        lock = state.get("_corolla_lock")
        if lock is None:
            return  # another thread finished the change
        with lock:
            build = state.pop("_corolla_build", None)
            if build is None:
                return
            try:
                build(self)
            except BaseException:
                state["_corolla_build"] = build  # so the next use retries and raises again
                raise
            state.pop("_corolla_lock", None)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the placeholder lacks, i.e. before the change.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # probes (copy, pickle, inspect) do not build anything
        self._corolla_become()
        return getattr(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._corolla_become()
        setattr(self, name, value)

    def __repr__(self) -> str:
        return "<LazyEnvironment: the app's jinja2.Environment, built on first use>"
