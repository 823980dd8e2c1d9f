"""CSRF protection bound to the session: tokens, the check, ``csrf_exempt``, ``rotate_token``.

A visitor gets one random secret the first time a token is asked for. It
lives in the session, ``request.session["_csrf_secret"]``, when the session
holds something else (it is stored anyway: a logged-in user, a cart); for a
visitor whose session is empty it lives in a cookie of its own
(``csrf_cookie_name``, HttpOnly), so anonymous visitors fetching a login
form never make the server store a session (with Redis or SQL sessions,
each would be a key kept for ``max_age``). A secret in the session wins
over the cookie. ``rotate_token`` (called by login and logout) replaces the
secret, so a token from before the change of user is refused after it.

A token is that secret, XOR-masked with a
fresh random mask (so no two pages carry the same bytes, which defeats
compression side channels such as BREACH), signed and time-stamped with the
app's secret key by itsdangerous (``app.secret_key_fallbacks`` still verify,
so rotating the key does not break open forms). The check needs all three: a
valid signature, an age under ``forms.csrf_time_limit``, and the secret of
*this* session; each failure has its own reason.

Nothing here imports WTForms: the check also runs in ``csrf_everywhere`` mode
for views that use no form.
"""

from __future__ import annotations

import fnmatch
import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard, TypeVar, cast
from urllib.parse import urlsplit

from ._errors import TOO_DEEP, CSRFError, InvalidJSON

if TYPE_CHECKING:
    from itsdangerous import TimestampSigner

    import corolla
    from corolla_sessions import Session

    class _SessionRequest(corolla.Request):
        """A request with the sessions plugin's ``request.session`` (for the type checker; never instantiated)."""

        session: Session


logger = logging.getLogger("corolla.forms")

#: Methods a CSRF check never applies to (RFC 9110 "safe" methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Where the session keeps its CSRF secret (fixed by the cross-plugin contract).
SESSION_KEY = "_csrf_secret"
SALT = "corolla-forms.csrf"

# Per-request state lives in the request's __dict__ under these private names:
# no request attribute is declared for them, so they cost nothing to set up.
_TOKEN = "_corolla_forms_csrf_token"
_PASSED = "_corolla_forms_csrf_passed"
_EXEMPT = "_corolla_forms_csrf_exempt"
#: The secret of this request's new cookie (set when the response goes out), or "" once rotated.
_COOKIE = "_corolla_forms_csrf_cookie"
_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"

V = TypeVar("V", bound=Callable[..., Any])


class CSRFProtection:
    """One app's CSRF tokens and checks; made by the forms plugin from its config section."""

    def __init__(self, app: corolla.App, config: Any) -> None:
        self.app = app
        self.enabled: bool = config["csrf_enabled"]
        self.time_limit: int = config["csrf_time_limit"]
        self.field_name: str = config["csrf_field_name"]
        self.headers: tuple[str, ...] = tuple(config["csrf_headers"])
        self.ssl_strict: bool = config["csrf_ssl_strict"]
        self.trusted_origins = frozenset(o.rstrip("/").lower() for o in config["csrf_trusted_origins"])
        self.exempt_paths: tuple[str, ...] = tuple(config["csrf_exempt_paths"])
        self.cookie_name: str = config["csrf_cookie_name"]
        sessions = app.config.get("sessions", {})
        # Secure like the session cookie: always when the sessions plugin says so, else on https requests.
        self.cookie_secure = bool(sessions.get("cookie_secure", False))
        self._signer: TimestampSigner | None = None

    @property
    def signer(self) -> TimestampSigner:
        # Built on first use: reading app.secret_key may create the development
        # key file, which is no work for start-up (or for `corolla plugins list`).
        # A TimestampSigner, not a serializer: the payload is already URL-safe
        # hex, so JSON and base64 around it would only cost time.
        if self._signer is None:
            from itsdangerous import TimestampSigner

            keys = [*self.app.secret_key_fallbacks, self.app.secret_key]  # itsdangerous signs with the last
            self._signer = TimestampSigner(keys, salt=SALT)
        return self._signer

    # -- tokens ---------------------------------------------------------------

    def token(self, request: corolla.Request) -> str:
        """This request's token (one per request, however often it is asked for)."""
        cached = request.__dict__.get(_TOKEN)
        if cached is not None:
            return str(cached)
        secret = self._secret(request, create=True)
        raw = bytes.fromhex(secret)
        mask = secrets.token_bytes(len(raw))
        token = self.signer.sign((mask + _xor(mask, raw)).hex()).decode("ascii")
        request.__dict__[_TOKEN] = token
        return token

    def _secret(self, request: corolla.Request, create: bool = False) -> str:
        """The visitor's secret: the session's, else the cookie's; a new one when ``create`` ("" when none)."""
        session = _session(request)
        secret = session.get(SESSION_KEY)
        if _is_secret(secret):
            return secret
        env = request.__dict__
        pending = env.get(_COOKIE)
        if pending:
            return str(pending)
        if pending is None:  # not rotated in this request: the cookie the browser sent counts
            sent = request.cookies.get(self.cookie_name)
            if _is_secret(sent):
                if session and create:
                    # The session is stored anyway now (a login, a flash): move the secret into it,
                    # where it is bound to the session, and drop the cookie.
                    session[SESSION_KEY] = sent
                    self._set_cookie(request, "")
                return sent
        if not create:
            return ""
        secret = secrets.token_hex(16)
        if session:
            session[SESSION_KEY] = secret
        else:
            # An empty session would be stored only for this secret: keep it in a cookie instead.
            self._set_cookie(request, secret)
        return secret

    def _set_cookie(self, request: corolla.Request, secret: str) -> None:
        """Send ``secret`` in the CSRF cookie with the response ("": expire the cookie)."""
        env = request.__dict__
        if _COOKIE not in env:
            request.after_response(self._write_cookie)
        env[_COOKIE] = secret

    def _write_cookie(self, request: corolla.Request, response: Any) -> None:
        secret = request.__dict__.get(_COOKIE)
        secure = self.cookie_secure or request.scheme == "https"
        if secret:
            response.set_cookie(self.cookie_name, secret, secure=secure, httponly=True, samesite="Lax")
        elif self.cookie_name in request.cookies:
            response.set_cookie(
                self.cookie_name, "", expires=_EXPIRED, max_age=0, secure=secure, httponly=True, samesite="Lax"
            )

    def rotate(self, request: corolla.Request) -> None:
        """Forget the visitor's secret: the next token has a new one, older tokens fail."""
        session = _session(request)
        if SESSION_KEY in session:
            del session[SESSION_KEY]
        request.__dict__.pop(_TOKEN, None)
        self._set_cookie(request, "")

    # -- the check ------------------------------------------------------------

    def required(self, request: corolla.Request) -> bool:
        """Whether ``request`` must carry a valid token: an unsafe method, not exempt, not yet checked."""
        if not self.enabled or request.method in SAFE_METHODS:
            return False
        env = request.__dict__
        if env.get(_PASSED) or env.get(_EXEMPT):
            return False
        return not (self.exempt_paths and any(fnmatch.fnmatchcase(request.path, p) for p in self.exempt_paths))

    def submitted_token(self, request: corolla.Request, field_value: Any = None) -> str | None:
        """The token the client sent: the form field, else a header, else a JSON body's field."""
        if isinstance(field_value, str) and field_value:
            return field_value
        for header in self.headers:
            value = request.headers.get(header)
            if value:
                return value
        if request.is_json:
            try:
                body = request.get_json(silent=True)  # invalid JSON is the view's 400, not a CSRF failure
            except RecursionError:  # not a ValueError, so silent=True lets it through: a 400 too, never a 500
                raise InvalidJSON(TOO_DEEP) from None
            value = body.get(self.field_name) if isinstance(body, dict) else None
            return value if isinstance(value, str) and value else None
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.form.get(self.field_name) or None
        return None

    def check(self, request: corolla.Request, token: str | None) -> None:
        """Raise ``CSRFError`` (400, logged) unless ``token`` is valid for this request's session."""
        from itsdangerous import BadData, SignatureExpired

        if not token:
            self._fail(
                request,
                "missing",
                f"The CSRF token is missing. Send it in the form field {self.field_name!r} "
                f"or the {self.headers[0]} header; reload the page if you submitted a form.",
            )
        try:
            payload = self.signer.unsign(token, max_age=self.time_limit or None).decode("ascii")
        except SignatureExpired:
            limit = f" ({self.time_limit} seconds)" if self.time_limit else ""
            self._fail(
                request, "expired", f"The CSRF token has expired{limit}. Reload the page and submit the form again."
            )
        except BadData:
            self._fail(request, "invalid", "The CSRF token is invalid. Reload the page and submit the form again.")
        secret = self._secret(request)
        if not secret:
            self._fail(
                request,
                "no-session",
                "The session this form belongs to has expired or its cookie was not sent. "
                "Reload the page (with cookies enabled) and submit again.",
            )
        unmasked = _unmask(payload)
        if unmasked is None or not hmac.compare_digest(unmasked, bytes.fromhex(secret)):
            self._fail(
                request,
                "wrong-session",
                "The CSRF token belongs to another session (you may have logged in or out in another tab). "
                "Reload the page and submit again.",
            )
        self._check_origin(request)
        request.__dict__[_PASSED] = True

    def protect(self, request: corolla.Request, field_value: Any = None) -> None:
        """The whole check for one request, if it needs one."""
        if self.required(request):
            self.check(request, self.submitted_token(request, field_value))

    def _check_origin(self, request: corolla.Request) -> None:
        # Over https a token alone is not enough (Django and Flask-WTF agree): a
        # man in the middle on plain http could have planted the session cookie.
        # The request must also come from a page of this site.
        if not self.ssl_strict or request.scheme != "https":
            return
        here = f"https://{request.host}".lower()
        origin = request.headers.get("Origin")
        if origin and origin != "null":
            source, what = origin.rstrip("/").lower(), "Origin"
        else:
            referer = request.headers.get("Referer")
            if not referer:
                self._fail(
                    request,
                    "origin",
                    "This https request has neither an Origin nor a Referer header, so it cannot be shown "
                    "to come from this site. Allow your browser to send the Referer to this site.",
                )
            try:
                parts = urlsplit(referer)
            except ValueError:  # "https://[": urllib refuses it ("Invalid IPv6 URL"), so no site can be read
                self._fail(
                    request,
                    "origin",
                    "The Referer header is not a valid URL, so this https request cannot be shown to come "
                    "from this site. Send it from a page of this site.",
                )
            source, what = f"{parts.scheme}://{parts.netloc}".lower(), "Referer"
        if source != here and source not in self.trusted_origins:
            self._fail(
                request,
                "origin",
                f"The {what} header ({source}) is not this site ({here}); cross-site submissions are refused. "
                "If that site is yours, add it to [forms] csrf_trusted_origins.",
            )

    def _fail(self, request: corolla.Request, reason: str, message: str) -> NoReturn:
        logger.warning("CSRF check failed on '%s': %s", request.log_line(), reason)
        raise CSRFError(reason, message)


def _session(request: corolla.Request) -> Session:
    try:
        return cast("_SessionRequest", request).session
    except AttributeError:
        raise RuntimeError(
            "corolla-forms needs request.session, which the sessions plugin adds; "
            "enable a plugin providing 'sessions' (pip install corolla-sessions)"
        ) from None


def _is_secret(value: object) -> TypeGuard[str]:
    if not isinstance(value, str) or len(value) != 32:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _unmask(payload: Any) -> bytes | None:
    if not isinstance(payload, str) or len(payload) != 64:
        return None
    try:
        data = bytes.fromhex(payload)
    except ValueError:
        return None
    return _xor(data[:16], data[16:])


def protection(request: corolla.Request) -> CSRFProtection:
    """The ``CSRFProtection`` of the app serving ``request``."""
    app = request.app
    plugin = app.plugins.get("forms") if app is not None else None
    csrf: CSRFProtection | None = getattr(plugin, "csrf", None)
    if csrf is None:
        raise RuntimeError(
            "corolla_forms is used, but the forms plugin is not enabled in the app serving this request; "
            "add 'forms' to [plugins] enabled (and pip install corolla-forms)"
        )
    return csrf


def csrf_token(request: corolla.Request) -> str:
    """A CSRF token for ``request``'s session, for a hidden field or the ``X-CSRFToken`` header.

    Creates the session's secret on first use (so the session is saved).
    The same token is returned for the rest of the request.
    """
    return protection(request).token(request)


def rotate_token(request: corolla.Request) -> None:
    """Give the visitor a new CSRF secret (Django's ``rotate_token``): call it when the user changes.

    ``corolla-auth`` calls it on login and logout, so a token a page got
    before (an attacker's planted one included) is refused after it.
    """
    protection(request).rotate(request)


def csrf_exempt(view: V) -> V:
    """Exempt a view from CSRF checks (webhooks, token-authenticated APIs).

    The view must take the request as its first argument, as Corolla views
    do. Its forms skip the check; in ``csrf_everywhere``
    mode the dispatcher sees the ``csrf_exempt`` attribute on the function
    (see docs/plugins/forms.md for how the mode finds the view).
    """

    @functools.wraps(view)
    def exempt_view(request: Any, *args: Any, **kwargs: Any) -> Any:
        request.__dict__[_EXEMPT] = True
        return view(request, *args, **kwargs)

    exempt_view.__dict__["csrf_exempt"] = True
    return cast("V", exempt_view)


def mark_exempt(request: corolla.Request) -> None:
    """Exempt this one request (what ``@csrf_exempt`` does when its view is called)."""
    request.__dict__[_EXEMPT] = True


def is_exempt_view(view: Any) -> bool:
    """Whether ``view`` (or a function it wraps, via ``__wrapped__``) was decorated with ``csrf_exempt``."""
    while view is not None:
        if getattr(view, "csrf_exempt", False) is True:
            return True
        view = getattr(view, "__wrapped__", None)
    return False
