"""Which password hash methods are allowed, which are strong enough for production, and the session auth hash.

werkzeug.security accepts any hashlib digest in ``pbkdf2:<digest>`` and any
iteration count (``pbkdf2:md5:1`` hashes in a microsecond). Only scrypt and
PBKDF2 with SHA-256 or SHA-512 start; a cost under OWASP's floor (PBKDF2
600,000 iterations, scrypt N = 2**15) fails the ``auth.password_method``
deploy check, so tests may hash cheaply while production may not.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

#: OWASP's 2023 floor for PBKDF2-HMAC-SHA256 (werkzeug's own default is higher).
MIN_PBKDF2_ITERATIONS = 600_000
#: scrypt's N: werkzeug's default and OWASP's floor.
MIN_SCRYPT_N = 2**15


def refusal(method: str) -> str | None:
    """Why ``method`` is not allowed at all, or None (empty: werkzeug's default, scrypt)."""
    if not method:
        return None
    name, *args = method.split(":")
    if name == "scrypt":
        if len(args) <= 3 and all(a.isdigit() and int(a) > 0 for a in args):
            return None
        return "scrypt takes up to three positive numbers: scrypt:N:r:p"
    if name == "pbkdf2":
        if args and args[0] not in ("sha256", "sha512"):
            return f"PBKDF2 with {args[0]} is not allowed; use sha256 or sha512"
        if len(args) <= 2 and all(a.isdigit() and int(a) > 0 for a in args[1:]):
            return None
        return "PBKDF2 takes a digest and a positive iteration count: pbkdf2:sha256:600000"
    return f"{name!r} is not a password hash method this plugin allows (scrypt or pbkdf2)"


@lru_cache(maxsize=16)
def canonical(method: str) -> str:
    """The method as werkzeug writes it into a hash (``scrypt`` -> ``scrypt:32768:8:1``)."""
    from werkzeug.security import generate_password_hash

    made = generate_password_hash("", method=method) if method else generate_password_hash("")
    return made.split("$", 1)[0]


def weakness(method: str) -> str | None:
    """Why ``method`` (an allowed one) is too cheap for production, or None."""
    name, *args = canonical(method).split(":")
    if name == "pbkdf2" and int(args[1]) < MIN_PBKDF2_ITERATIONS:
        return f"PBKDF2 with {args[1]} iterations (under {MIN_PBKDF2_ITERATIONS})"
    if name == "scrypt" and int(args[0]) < MIN_SCRYPT_N:
        return f"scrypt with N = {args[0]} (under {MIN_SCRYPT_N})"
    return None


def session_auth_hash(key: str, password_hash: str) -> str:
    """What a session stores to stay valid only while the password it logged in with is unchanged.

    An HMAC of the password hash under the app's secret key (the session, a
    readable cookie perhaps, never holds the hash itself): Django's session
    auth hash. A password change changes it, which ends every other session.
    """
    derived = hashlib.sha256(b"corolla-auth.session-auth-hash" + key.encode()).digest()
    return hmac.new(derived, password_hash.encode(), hashlib.sha256).hexdigest()
