"""Helpers for testing apps that use corolla-forms.

``csrf_token(client)`` gives a valid CSRF token for the test client's
session, so a test posts a form without first fetching the page that
renders it::

    from corolla_forms.testing import csrf_token

    client.post("/notes", data={"title": "x", "csrf_token": csrf_token(client)})
    client.post("/api/notes", json={...}, headers={"X-CSRFToken": csrf_token(client)})

It asks the app for the token as a view would (``corolla_forms.csrf_token``)
in a request carrying the client's cookies; the session that ties the token
to the client is saved back into them. Log in first: logging in regenerates
the session, which drops its CSRF secret (and the tokens made from it).
"""

from __future__ import annotations

from typing import Any

from ._csrf import csrf_token as _csrf_token

__all__ = ["csrf_token"]


def csrf_token(client: Any, path: str = "/") -> str:
    """A CSRF token valid for ``client``'s session (a ``corolla.testing.Client``)."""
    with client.request_context(path) as request:
        return _csrf_token(request)
