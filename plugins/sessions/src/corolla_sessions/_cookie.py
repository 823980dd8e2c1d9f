"""The cookie backend: the whole session in a signed cookie (the default).

Format: ``payload.timestamp.signature``, made by itsdangerous'
``TimestampSigner`` (HMAC-SHA256). The payload is the session's compact JSON
in URL-safe base64, or, when that is shorter, ``.`` followed by its
zlib-compressed form (the format of itsdangerous' URL-safe serializers). The
data is signed, not encrypted: the client can read it, not change it.

Speed: the signing key is derived once per key (itsdangerous would derive it
again on every call), and compression is tried only for payloads long enough
to gain from it.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner
from itsdangerous.encoding import base64_decode, base64_encode

from ._backend import SessionBackend, decode, encode, logger
from ._session import Session

if TYPE_CHECKING:
    from corolla import App

#: Salt of the key derivation: a key used elsewhere in the app signs nothing a session would accept.
SALT = b"corolla.sessions.cookie"
#: JSON shorter than this is sent uncompressed: zlib would not win and costs ~5 us.
COMPRESS_FROM = 200
#: A compressed payload never expands past this (bounded decompression).
MAX_DECOMPRESSED = 1 << 20


def _signer(key: str | bytes) -> TimestampSigner:
    derived = TimestampSigner(key, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256).derive_key()
    return TimestampSigner(derived, key_derivation="none", digest_method=hashlib.sha256)


class CookieBackend(SessionBackend):
    """Signed cookies, verified with the app's secret key and, failing that, its fallback keys."""

    name = "cookie"
    server_side = False

    def __init__(self, app: App, settings: Mapping[str, Any]) -> None:
        super().__init__(app, settings)
        self.max_age: int = settings["max_age"]
        # Built on first use: reading app.secret_key may create the development key file (I/O).
        self._current: TimestampSigner | None = None
        self._fallbacks: list[TimestampSigner] = []

    def _signers(self) -> TimestampSigner:
        self._fallbacks = [_signer(key) for key in self.app.secret_key_fallbacks]
        self._current = _signer(self.app.secret_key)
        return self._current

    def load(self, value: str) -> Session | None:
        signer = self._current or self._signers()
        resign = False
        try:
            payload = signer.unsign(value, max_age=self.max_age)
        except SignatureExpired:
            logger.debug("sessions: cookie backend: the session cookie expired (max_age %s s)", self.max_age)
            return None
        except BadData as exc:
            payload = self._unsign_fallback(value, exc)
            if payload is None:
                return None
            resign = True  # signed with an old key: sign it again with the current one
        try:
            if payload[:1] == b".":
                inflater = zlib.decompressobj()
                raw = inflater.decompress(base64_decode(payload[1:]), MAX_DECOMPRESSED)
                if inflater.unconsumed_tail:
                    raise ValueError(f"decompresses to more than {MAX_DECOMPRESSED} bytes")
            else:
                raw = base64_decode(payload)
        except (BadData, ValueError, zlib.error) as exc:
            logger.debug("sessions: cookie backend: the signed payload does not decode (%s)", exc)
            return None
        return decode(raw, "cookie", resign=resign)

    def _unsign_fallback(self, value: str, error: BadData) -> bytes | None:
        for fallback in self._fallbacks:
            try:
                return fallback.unsign(value, max_age=self.max_age)
            except SignatureExpired:
                break
            except BadData:
                continue
        logger.debug("sessions: cookie backend: the session cookie was rejected (%s)", error)
        return None

    def save(self, session: Session, max_age: int) -> str:
        raw = encode(session)
        if len(raw) >= COMPRESS_FROM:
            packed = zlib.compress(raw, 6)
            payload = b"." + base64_encode(packed) if len(packed) < len(raw) - 1 else base64_encode(raw)
        else:
            payload = base64_encode(raw)
        signer = self._current or self._signers()
        return signer.sign(payload).decode("ascii")
