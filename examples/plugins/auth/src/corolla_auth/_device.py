"""Device cookies (OWASP): a browser that logged in to an account before is let through that account's lockout.

On every successful login (and registration) the browser gets ``auth_device``:
the user's id and a random nonce, signed with the app's secret key (and
verified with its fallbacks), HttpOnly, sent only to the auth pages. A login
attempt from a browser whose device cookie names the account it tries counts
against that device's own limit instead of the account's and the address's,
so strangers' failed guesses (which lock the account for new devices) never
lock its owner out. The cookie says nothing about the user but the id.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

    import corolla

COOKIE = "auth_device"
#: 180 days: a browser used at least twice a year stays trusted.
MAX_AGE = 180 * 24 * 3600
SALT = "corolla-auth.device"


class DeviceCookies:
    """The device cookies of one app (``prefix``: the auth pages' path, the cookie's ``Path``)."""

    def __init__(self, app: corolla.App, prefix: str) -> None:
        self.app = app
        self.path = prefix
        self._serializer: URLSafeTimedSerializer | None = None

    @property
    def serializer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            from itsdangerous import URLSafeTimedSerializer

            # itsdangerous signs with the last key and verifies with every one.
            keys = [*self.app.secret_key_fallbacks, self.app.secret_key]
            self._serializer = URLSafeTimedSerializer(keys, salt=SALT)
        return self._serializer

    def trusted(self, request: corolla.Request, user_id: int | None) -> str | None:
        """The nonce of the request's device cookie when it is valid and names ``user_id``; else None."""
        from itsdangerous import BadData

        value = request.cookies.get(COOKIE)
        if user_id is None or not value or len(value) > 300:
            return None
        try:
            data: Any = self.serializer.loads(value, max_age=MAX_AGE)
        except BadData:
            return None
        if type(data) is dict and data.get("u") == user_id and isinstance(data.get("n"), str):
            return str(data["n"])[:64]
        return None

    def issue(self, request: corolla.Request, response: corolla.Response, user_id: int) -> None:
        """Give the browser a new device cookie for ``user_id``."""
        value = self.serializer.dumps({"u": user_id, "n": secrets.token_urlsafe(16)})
        sessions = self.app.config.get("sessions", {})
        secure = request.scheme == "https" or bool(sessions.get("cookie_secure", False))
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE, path=self.path, secure=secure, httponly=True, samesite="Lax"
        )
