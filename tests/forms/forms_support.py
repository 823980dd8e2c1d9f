"""Helpers the forms tests import (a module name of their own: every test folder has a conftest)."""

from __future__ import annotations

from werkzeug.test import Client

import corolla

#: The app secret of the test apps (long enough for the deploy check).
SECRET = "s" * 40


def token_page(request: corolla.Request) -> str:
    """A view answering with a fresh CSRF token (what a page with a form embeds)."""
    from corolla_forms import csrf_token

    return csrf_token(request)


def get_token(client: Client, path: str = "/token") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text
