"""``SessionBackend``: where session data lives, and the payload format they share.

A backend turns the value of the session cookie into a ``Session`` and a
``Session`` into the value of the cookie. The plugin owns everything about
the cookie itself (reading it, flags, expiry, size) and decides when to
save; a backend only stores and loads. Third-party backends subclass this
and are offered to the plugin through the ``corolla_session_backends`` hook.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import SessionError
from ._session import PERMANENT_KEY, Session

if TYPE_CHECKING:
    from corolla import App

logger = logging.getLogger("corolla.sessions")

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_loads = json.JSONDecoder().decode  # str only: json.loads(bytes) sniffs the encoding first


class SessionBackend:
    """Base class of session backends.

    ``app`` is the app, ``settings`` the validated ``[sessions]`` section.
    Constructing a backend does no I/O (connect lazily, on first use).
    Methods that talk to a server raise ``SessionBackendUnavailable`` when it
    does not answer; the plugin turns that into a 503 and logs it.
    """

    #: The name it is selected by in ``[sessions] backend``.
    name = "custom"

    def __init__(self, app: App, settings: Mapping[str, Any]) -> None:
        self.app = app
        self.settings = settings
        #: Seconds since the epoch, for the expiry the backend keeps itself (the
        #: cookie's signature timestamp, the sql table's expires_at); a test
        #: swaps in a clock it can move instead of sleeping.
        self.clock: Callable[[], float] = time.time

    def load(self, value: str) -> Session | None:
        """The session stored under the cookie ``value``, or None.

        None means "no valid session": unknown, expired, tampered or garbage.
        Log why at debug level; never raise for bad input.
        """
        raise NotImplementedError

    def save(self, session: Session, max_age: int) -> str | None:
        """Store ``session`` for ``max_age`` seconds; return the cookie value, or None when it is gone.

        ``session.sid`` None means a new id is needed; ``session.previous_sid``
        set means ``regenerate()`` was called: delete the data stored under it
        in the same atomic step. A loaded session (``sid`` set) is only ever
        updated, never created: when its data is no longer stored (a logout
        deleted it while this request ran, or it expired) return None, and
        the plugin expires the cookie. Re-creating it would log a logged-out
        session back in.
        """
        raise NotImplementedError

    def refresh(self, session: Session, max_age: int) -> str | None:
        """Extend an unchanged session's life by ``max_age``; the cookie value, or None when it is gone.

        Never re-creates a deleted session (default: ``save``, which does not either).
        """
        return self.save(session, max_age)

    def delete(self, session: Session) -> None:
        """Forget the data of ``session`` (its ``sid`` and ``previous_sid``); the cookie is expired by the plugin."""

    def close(self) -> None:
        """Release connections; called when the app shuts down."""


def store_key(sid: str) -> str:
    """What a server-side store keeps for the session id ``sid``: its SHA-256, URL-safe base64 (43 characters).

    The cookie value never reaches the store, so a read of the store (or of
    a backup, or a slow-log) yields no usable session. A plain hash is
    enough: ids are 256 random bits, so there is nothing to brute-force, and
    no key means rotating the secret key does not log everybody out.
    """
    return base64.urlsafe_b64encode(hashlib.sha256(sid.encode()).digest()).rstrip(b"=").decode()


def encode_session(session: Session) -> bytes:
    """The session as compact JSON (UTF-8), its ``permanent`` flag inside."""
    try:
        if session.permanent:
            return _dumps({**session, PERMANENT_KEY: True}).encode()
        return _dumps(session).encode()
    except (TypeError, ValueError) as exc:
        raise SessionError(
            f"the session cannot be saved: {exc}. Sessions hold JSON: str, int, float, bool, None, "
            "and lists and dicts (with str keys) of those; store e.g. a date as an ISO string"
        ) from exc


def decode_session(payload: bytes | str, backend: str, **session_args: Any) -> Session | None:
    """A ``Session`` from JSON ``payload``, or None (logged at debug) when it is not a JSON object."""
    try:
        data = _loads(payload.decode() if isinstance(payload, bytes) else payload)
    except ValueError as exc:  # UnicodeDecodeError included
        logger.debug("sessions: %s backend: the stored session is not JSON (%s); starting a new session", backend, exc)
        return None
    if type(data) is not dict:
        logger.debug(
            "sessions: %s backend: the stored session is a %s, not an object; starting a new session",
            backend,
            type(data).__name__,
        )
        return None
    permanent = bool(data.pop(PERMANENT_KEY, False))
    return Session(data, new=False, permanent=permanent, **session_args)
