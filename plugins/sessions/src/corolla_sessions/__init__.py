"""Sessions for Corolla: ``request.session`` in a signed cookie, Redis, or the orm plugin's database.

This module only re-exports the public API; see docs/plugins/sessions.md.
"""

from ._backend import SessionBackend, decode_session, encode_session, store_key
from ._cookie import CookieBackend
from ._errors import SessionBackendUnavailable, SessionCookieTooLarge, SessionError
from ._flash import flash, get_flashed_messages
from ._plugin import SessionsPlugin
from ._redis import RedisBackend
from ._session import Session
from ._types import SessionsRequest
from .hookspecs import SessionsHooks

__all__ = [
    "CookieBackend",
    "RedisBackend",
    "Session",
    "SessionBackend",
    "SessionBackendUnavailable",
    "SessionCookieTooLarge",
    "SessionError",
    "SessionsHooks",
    "SessionsPlugin",
    "SessionsRequest",
    "decode_session",
    "encode_session",
    "flash",
    "get_flashed_messages",
    "store_key",
]
