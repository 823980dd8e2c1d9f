"""Helpers the auth tests import: the plugin set, a browser-like client, the test app's own views."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import Client, TestResponse

import corolla

PLUGINS = ["routing", "sessions", "orm", "forms", "templates", "auth"]
SECRET = "s" * 40
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def add_views(app: corolla.App) -> None:
    """``/`` (public), ``/private`` (login required, HTML or JSON), ``/whoami``."""
    from corolla_auth import login_required

    @app.get("/")
    def home(request: corolla.Request) -> str:
        return "home"

    @app.get("/private")
    @login_required
    def private(request: corolla.Request) -> Any:
        return {"user": request.user.username}

    @app.get("/whoami")
    def whoami(request: corolla.Request) -> str:
        return request.user.username if request.user else "anonymous"


class AuthClient(Client):
    """A werkzeug test client that fills in the auth forms like a browser (CSRF token from the page)."""

    def token(self, path: str = "/auth/login") -> str:
        page = self.get(path)
        match = TOKEN.search(page.text)
        assert match, page.text
        return match.group(1)

    def session_cookie(self) -> str | None:
        cookie = self.get_cookie("session")
        return cookie.value if cookie is not None else None

    def register(self, username: str = "alice", password: str = PASSWORD, **extra: str) -> TestResponse:
        data = {"username": username, "password": password, "confirm": password, **extra}
        data.setdefault("csrf_token", self.token("/auth/register"))
        return self.post("/auth/register", data=data)

    def login(self, username: str = "alice", password: str = PASSWORD, **extra: str) -> TestResponse:
        data = {"username": username, "password": password, **extra}
        data.setdefault("csrf_token", self.token("/auth/login"))
        return self.post("/auth/login", data=data)

    def logout(self) -> TestResponse:
        return self.post("/auth/logout", data={"csrf_token": self.token("/auth/login")})
