"""The functions views call: ``login``, ``logout``, ``login_required``; and ``safe_next``.

No SQLAlchemy here: ``request.user`` (the plugin's lazy request attribute)
does the database work, on first access only.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import corolla
from corolla_forms import rotate_token

if TYPE_CHECKING:
    from corolla_sessions import Session

    from ._typing import PluginRequest
    from .models import User

#: The session key holding the logged-in user's id.
SESSION_KEY = "_auth_user_id"
#: The session key holding the HMAC of the user's password hash (see ``_passwords.session_auth_hash``).
HASH_KEY = "_auth_hash"

V = TypeVar("V", bound=Callable[..., Any])


def _session(request: corolla.Request) -> Session:
    """``request.session``, typed: mypy does not know the attributes other plugins add to a request."""
    return cast("PluginRequest", request).session


def login(request: corolla.Request, user: User) -> None:
    """Log ``user`` in: a new session id (against session fixation), the user's id in the session, a new CSRF secret.

    The session's data is kept (a cart, flash messages); its old id stops
    working. ``request.user`` is ``user`` for the rest of this request.
    """
    session = _session(request)
    session.regenerate()
    session[SESSION_KEY] = user.id
    update_session_auth_hash(request, user)
    rotate_token(request)  # a CSRF token from before the login (perhaps planted) is refused after it
    request.__dict__["user"] = user


def logout(request: corolla.Request) -> None:
    """Log out: the session is emptied and gets a new id, the CSRF secret a new value; ``request.user`` is None."""
    session = _session(request)
    session.clear()
    session.regenerate()
    rotate_token(request)
    request.__dict__["user"] = None


def update_session_auth_hash(request: corolla.Request, user: User) -> None:
    """Keep this session logged in after ``user``'s password changed (every other session ends).

    Sessions remember an HMAC of the password hash they logged in with;
    ``request.user`` is None (and the session is emptied) once it no longer
    matches. Call this after ``user.set_password(...)`` and the commit, in the
    request that changed it.
    """
    from ._passwords import session_auth_hash

    app = request.app
    if app is None:
        raise RuntimeError("update_session_auth_hash needs a request of an app")
    _session(request)[HASH_KEY] = session_auth_hash(app.secret_key, user.password_hash)


def session_is_current(request: corolla.Request, user: User) -> bool:
    """Whether the session was logged in with ``user``'s current password (any of the app's keys)."""
    from ._passwords import session_auth_hash

    stored = _session(request).get(HASH_KEY)
    app = request.app
    if not isinstance(stored, str) or app is None:
        return False
    return any(
        hmac.compare_digest(stored, session_auth_hash(key, user.password_hash))
        for key in (app.secret_key, *app.secret_key_fallbacks)
    )


def wants_json(request: corolla.Request) -> bool:
    """Whether the client asked for JSON: a JSON body, or ``Accept`` preferring JSON to HTML."""
    if request.is_json:
        return True
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"


def login_required(view: V) -> V:
    """Let only logged-in users through; others are sent to the login page, or get a JSON 401.

    Browsers get a 303 to ``url_for("auth.login", next=<this path>)``; JSON
    clients (``Accept: application/json`` or a JSON body) get
    ``401 {"error": "login required"}``.
    """

    @functools.wraps(view)
    def wrapper(request: PluginRequest, /, *args: Any, **kwargs: Any) -> Any:
        if request.user is None:
            if wants_json(request):
                return {"error": "login required"}, 401
            here = request.path
            query = request.query_string.decode("latin-1")
            if query:
                here += "?" + query
            target = request.url_for("auth.login", next=here)
            return corolla.Response(status=303, headers={"Location": target})
        return view(request, *args, **kwargs)

    return cast("V", wrapper)


def safe_next(target: object) -> str | None:
    """``target`` if it is a path on this site (``/notes?page=2``), else None.

    Refused: absolute URLs (``https://evil.example/``), scheme-relative ones
    (``//evil.example``), backslashes (browsers read ``/\\evil.example`` as
    ``//``), control characters, and anything not starting with ``/``.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
