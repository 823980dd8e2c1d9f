"""The cookie backend: the whole session in a signed cookie (the default).

Format: ``payload.timestamp.signature``, made by itsdangerous'
``TimestampSigner`` (HMAC-SHA256). The payload is the session's compact JSON
in URL-safe base64, or, when that is shorter, ``.`` followed by its
zlib-compressed form (the format of itsdangerous' URL-safe serializers). The
data is signed, not encrypted: the client can read it, not change it.

Speed: ``_Signer`` is itsdangerous' ``TimestampSigner`` with its two hot
methods streamlined (the same format: a stock ``TimestampSigner`` with the
derived key verifies these cookies, as the tests check). Per call it saves
the key derivation (done once per key here), about a dozen ``want_bytes``
and base64 helper calls, and the timestamp encoding (cached for the current
second): unsign costs about half of itsdangerous' own. Compression is tried
only for payloads long enough to gain from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from itsdangerous import BadData, BadSignature, BadTimeSignature, SignatureExpired, TimestampSigner
from itsdangerous.encoding import base64_decode, base64_encode, int_to_bytes

from ._backend import SessionBackend, decode_session, encode_session, logger
from ._session import Session

if TYPE_CHECKING:
    from corolla import App

#: Salt of the key derivation: a key used elsewhere in the app signs nothing a session would accept.
SALT = b"corolla.sessions.cookie"
#: JSON shorter than this is sent uncompressed: zlib would not win and costs ~5 us.
COMPRESS_FROM = 200
#: A compressed payload never expands past this (bounded decompression).
MAX_DECOMPRESSED = 1 << 20


_b64encode = base64.urlsafe_b64encode
_b64decode = base64.urlsafe_b64decode
_compare = hmac.compare_digest
_digest = hmac.digest


class _Signer(TimestampSigner):
    """itsdangerous' ``TimestampSigner`` (HMAC-SHA256, key used as given), with a faster sign and unsign."""

    def __init__(self, derived_key: bytes, clock: Callable[[], float]) -> None:
        super().__init__(derived_key, key_derivation="none", digest_method=hashlib.sha256)
        self._key = derived_key
        self._clock = clock
        self._stamp: tuple[int, bytes] = (-1, b"")

    def get_signature(self, value: str | bytes) -> bytes:
        if isinstance(value, str):
            value = value.encode()
        return _b64encode(_digest(self._key, value, "sha256")).rstrip(b"=")

    def sign(self, value: str | bytes) -> bytes:
        if isinstance(value, str):
            value = value.encode()
        now = int(self._clock())
        stamp = self._stamp
        if stamp[0] != now:
            stamp = self._stamp = (now, b"." + base64_encode(int_to_bytes(now)))
        value += stamp[1]
        return value + b"." + _b64encode(_digest(self._key, value, "sha256")).rstrip(b"=")

    def unsign(self, signed_value: str | bytes, max_age: int | None = None, return_timestamp: bool = False) -> Any:
        if return_timestamp:  # not used here; keep itsdangerous' full behaviour
            return super().unsign(signed_value, max_age, return_timestamp=True)
        if isinstance(signed_value, str):
            signed_value = signed_value.encode()
        value, sep, signature = signed_value.rpartition(b".")
        if not sep or not _compare(signature, _b64encode(_digest(self._key, value, "sha256")).rstrip(b"=")):
            raise BadSignature(f"Signature {signature!r} does not match", payload=value)
        payload, sep, stamp = value.rpartition(b".")
        try:
            signed_at = int.from_bytes(base64_decode(stamp), "big")
        except BadData:
            signed_at = -1
        if not sep or signed_at < 0:
            raise BadTimeSignature("Malformed timestamp", payload=payload)
        if max_age is not None:
            age = int(self._clock()) - signed_at
            if age > max_age or age < 0:
                raise SignatureExpired(f"Signature age {age} not in 0..{max_age} seconds", payload=payload)
        return payload


def _signer(key: str | bytes, clock: Callable[[], float]) -> _Signer:
    derived = TimestampSigner(key, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256).derive_key()
    return _Signer(derived, clock)


class CookieBackend(SessionBackend):
    """Signed cookies, verified with the app's secret key and, failing that, its fallback keys."""

    name = "cookie"

    def __init__(self, app: App, settings: Mapping[str, Any]) -> None:
        super().__init__(app, settings)
        self.max_age: int = settings["max_age"]
        # Built on first use: reading app.secret_key may create the development key file (I/O).
        self._current: _Signer | None = None
        self._fallbacks: list[_Signer] = []

    def _signers(self) -> _Signer:
        self._fallbacks = [_signer(key, self.clock) for key in self.app.secret_key_fallbacks]
        self._current = _signer(self.app.secret_key, self.clock)
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
                raw = inflater.decompress(_b64decode(payload[1:] + b"=" * (-len(payload[1:]) % 4)), MAX_DECOMPRESSED)
                if inflater.unconsumed_tail:
                    raise ValueError(f"decompresses to more than {MAX_DECOMPRESSED} bytes")
            else:
                raw = _b64decode(payload + b"=" * (-len(payload) % 4))
        except (ValueError, zlib.error) as exc:  # binascii.Error is a ValueError
            logger.debug("sessions: cookie backend: the signed payload does not decode (%s)", exc)
            return None
        return decode_session(raw, "cookie", resign=resign)

    def _unsign_fallback(self, value: str, error: BadData) -> bytes | None:
        for fallback in self._fallbacks:
            try:
                payload: bytes = fallback.unsign(value, max_age=self.max_age)
                return payload
            except SignatureExpired:
                logger.debug(
                    "sessions: cookie backend: the session cookie, signed with a fallback key, expired (max_age %s s)",
                    self.max_age,
                )
                return None
            except BadData:
                continue
        logger.debug("sessions: cookie backend: the session cookie was rejected (%s)", error)
        return None

    def save(self, session: Session, max_age: int) -> str:
        raw = encode_session(session)
        if len(raw) >= COMPRESS_FROM:
            packed = zlib.compress(raw, 6)
            payload = b"." + _b64encode(packed).rstrip(b"=") if len(packed) < len(raw) - 1 else None
        else:
            payload = None
        if payload is None:
            payload = _b64encode(raw).rstrip(b"=")
        signer = self._current or self._signers()
        return signer.sign(payload).decode("ascii")
