"""Helpers shared by the sessions tests (imported by name: this folder is on sys.path under pytest)."""

from __future__ import annotations

import time
from typing import Any

from corolla import App
from corolla.testing import SyntheticPlugins

SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
OLD_SECRET = "old-secret-key-9876543210-zyxwvutsrqponmlkjihgfedcba"

#: A dispatch plugin: ``app.views`` maps a path to a view; other paths are declined (404).
VIEWS_BODY = """
@hookimpl
def corolla_configure(self, app):
    self.views = {}

@hookimpl
def corolla_app_attributes(self, app):
    return {"views": self.views}

@hookimpl
def corolla_dispatch(self, request):
    view = self.views.get(request.path)
    return None if view is None else view(request)
"""


class Clock:
    """A clock the test moves: swapped in for a backend's ``clock`` instead of sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def clock_of(app: App) -> Clock:
    """A movable clock, now the sessions backend's (set it before the first request)."""
    clock = Clock()
    app.plugins["sessions"].backend.clock = clock  # type: ignore[attr-defined]
    return clock


def add_views_plugin(plugins: SyntheticPlugins) -> None:
    plugins.add("views", app_attributes=["views"], requires=["sessions"], body=VIEWS_BODY)


def cookie_of(response: Any, name: str = "session") -> str | None:
    """The Set-Cookie header for ``name`` in ``response``, or None."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return str(header)
    return None


def cookie_value(response: Any, name: str = "session") -> str | None:
    """Just the value of the ``name`` cookie ``response`` sets."""
    header = cookie_of(response, name)
    return None if header is None else header.split(";", 1)[0].split("=", 1)[1]


# Views shared by the backends' tests (the app's ``views`` dict maps paths to them).


def counter(request: Any) -> str:
    session = request.session
    session["n"] = session.get("n", 0) + 1
    return f"n={session['n']}"


def peek(request: Any) -> str:
    return f"n={request.session.get('n')}"


def logout(request: Any) -> str:
    request.session.clear()
    return "bye"


def stored(sid: str) -> str:
    """The store's key for the session id ``sid``: its SHA-256, URL-safe base64 without padding."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(sid.encode()).digest()).rstrip(b"=").decode()
