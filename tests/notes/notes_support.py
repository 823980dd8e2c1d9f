"""Helpers for the notes demo's tests: the app on a copy of a migrated database, and a visitor with cookies.

A module of its own name (test helpers need unique names suite-wide).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

from werkzeug.test import Client, TestResponse

from corolla import App

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "examples" / "notes"
PASSWORD = "correct horse battery staple"

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def create_app(instance: Path, **config: Any) -> App:
    """The demo's app (examples/notes), its instance folder (SQLite, secret key) in ``instance``."""
    sys.path.insert(0, str(NOTES))
    try:
        import notesapp  # stays in sys.modules; examples/notes leaves sys.path (its app.py is no `app` for others)
    finally:
        sys.path.remove(str(NOTES))
    return notesapp.create_app({"core": {"instance_path": str(instance)}, **config}, environ={})


def csrf_token(page: TestResponse) -> str:
    """The first CSRF token of an HTML page."""
    found = _TOKEN.search(page.text)
    assert found is not None, f"no csrf_token in the page:\n{page.text}"
    return html.unescape(found.group(1))


def flashes(page: TestResponse) -> list[str]:
    """The flash messages shown on a page, as text."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', page.text)]


class Visitor:
    """One browser: a cookie jar, pages, and the forms a person would fill in."""

    def __init__(self, app: App) -> None:
        self.client = Client(app)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        token_from: str | None = None,
        follow: bool = False,
        **kwargs: Any,
    ) -> TestResponse:
        """POST ``data`` to ``path`` with the CSRF token of the page ``token_from`` (default: ``path``)."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = csrf_token(self.get(token_from or path))
        return self.client.post(path, data=data, follow_redirects=follow, **kwargs)

    def register(self, username: str, password: str = PASSWORD) -> TestResponse:
        return self.post(
            "/auth/register", {"username": username, "password": password, "confirm": password}, follow=True
        )

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        return self.post("/auth/login", {"username": username, "password": password}, follow=True)

    def signup(self, username: str) -> Visitor:
        """Register, which logs in."""
        self.register(username)
        assert f"Signed in as <strong>{username}</strong>" in self.get("/").text
        return self

    def logout(self) -> TestResponse:
        return self.post("/auth/logout", token_from="/", follow=True)

    def create_note(self, title: str, body: str = "") -> TestResponse:
        return self.post("/notes/new", {"title": title, "body": body}, follow=True)

    def api_token(self) -> str:
        response = self.get("/api/csrf-token")
        assert response.status_code == 200, response.text
        return str(response.json["csrf_token"])

    def api(self, method: str, path: str, json: Any = None, *, token: bool = True, **kwargs: Any) -> TestResponse:
        """A JSON API call; unsafe methods carry the X-CSRFToken header unless ``token=False``."""
        headers = dict(kwargs.pop("headers", {}))
        headers.setdefault("Accept", "application/json")
        if token and method not in ("GET", "HEAD"):
            headers["X-CSRFToken"] = self.api_token()
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)
