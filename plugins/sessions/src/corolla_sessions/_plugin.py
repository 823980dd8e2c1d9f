"""``SessionsPlugin``: ``request.session``, loaded on first access, saved only when needed.

Per request:

* ``request.session`` is a lazy request attribute: the first access reads the
  session cookie (and nothing else from the headers), asks the backend, and
  registers ``_finish`` with ``request.after_response``. A request that never
  touches the session costs nothing: no wrapper, no callback, and the core
  keeps its fast path.
* ``_finish`` runs once the response is built, error responses included (a
  404 page from an error handler, a 500): it adds ``Vary: Cookie``, then,
  when the status is under 500, saves when the session was modified, is new
  and not empty, was signed with a fallback key, or is permanent with
  ``refresh_each_request``; a session left empty is deleted from its backend
  and the cookie the client sent is expired.
* On a 5xx nothing is saved: the crash's response goes out without the
  session's changes, as a database transaction would roll back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, NoReturn

import corolla
from corolla import Check, ConfigError, OutageLog, PluginError, Problem, hookimpl

from ._errors import SessionBackendUnavailable, SessionCookieTooLarge
from ._session import Session
from .hookspecs import SessionsHooks

if TYPE_CHECKING:
    from werkzeug.exceptions import HTTPException
    from werkzeug.wrappers import Response as WerkzeugResponse

    from corolla import App, Request

    from ._backend import SessionBackend

logger = logging.getLogger("corolla.sessions")

#: Cookies longer than this (the whole Set-Cookie value) are dropped by
#: browsers; werkzeug warns from the same size.
MAX_COOKIE_SIZE = 4093
#: A request cookie longer than this was not made by us: refused unread.
MAX_INCOMING = 4096
#: 31 days, Flask's default lifetime of a permanent session.
DEFAULT_MAX_AGE = 31 * 24 * 3600

#: Marks a request whose session backend failed (in ``request.__dict__``).
UNAVAILABLE = "_sessions_unavailable"
_EXPIRED = "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"


def _cookie_value(environ: Mapping[str, Any], name: str) -> str | None:
    """The first cookie called ``name`` in the request, or None.

    Cheaper than ``request.cookies`` (which parses every cookie into a
    MultiDict, ~4 us): session cookies are URL-safe and never quoted, so a
    split finds them; a quoted value goes through werkzeug's parser.
    """
    header: str | None = environ.get("HTTP_COOKIE")
    if not header or name not in header:
        return None
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() == name:
            value = value.strip()
            if value[:1] == '"':
                from werkzeug.http import parse_cookie

                found: str | None = parse_cookie(f"{name}={value}").get(name)
                return found
            return value
    return None


def _builtin_backends(app: App) -> dict[str, Callable[..., SessionBackend]]:
    from ._cookie import CookieBackend
    from ._redis import RedisBackend

    backends: dict[str, Callable[..., SessionBackend]] = {"cookie": CookieBackend, "redis": RedisBackend}
    if "orm" in app.plugins:

        def sql(app: App, settings: Mapping[str, Any]) -> SessionBackend:
            from ._sql import SqlBackend  # imports SQLAlchemy: only when chosen

            return SqlBackend(app, settings)

        backends["sql"] = sql
    return backends


# The settings' own checks, run while the app is planned (so `corolla plugins check` reports them).


def _positive_seconds(value: int, section: Mapping[str, Any]) -> str | None:
    return None if value > 0 else "must be positive: a number of seconds, e.g. 2678400 (31 days)"


def _cookie_name(value: str, section: Mapping[str, Any]) -> str | None:
    if value and not any(c in value for c in ' =;,"\t\r\n'):
        return None
    return "is not a valid cookie name: use letters, digits, '-' and '_', e.g. 'session'"


def _header_safe(value: str, section: Mapping[str, Any]) -> str | None:
    if not any(c in value for c in ';,\r\n\t "'):
        return None
    return "would break the Set-Cookie header: leave out ';', ',', quotes and white space"


class SessionsPlugin(corolla.Plugin):
    """Sessions in a signed cookie (default), Redis, or the orm plugin's database."""

    optional = ["orm", "templates"]
    settings = {
        "backend": corolla.Setting(
            str, "cookie", "Where sessions live: cookie, redis, sql (with the orm plugin), or a plugin's backend"
        ),
        "redis_url": corolla.Setting(
            str, "redis://127.0.0.1:6379/0", "The Redis server of the redis backend", secret=True
        ),
        "key_prefix": corolla.Setting(str, "session:", "Prefix of the Redis keys holding sessions"),
        "cookie_name": corolla.Setting(str, "session", "Name of the session cookie", check=_cookie_name),
        "cookie_secure": corolla.Setting(
            bool, False, "Always mark the cookie Secure (it is on https requests anyway); on in production"
        ),
        "cookie_samesite": corolla.Setting(
            str, "Lax", "SameSite attribute of the cookie", choices=("Lax", "Strict", "None")
        ),
        "cookie_path": corolla.Setting(str, "/", "Path attribute of the cookie", check=_header_safe),
        "cookie_domain": corolla.Setting(
            str, None, "Domain attribute of the cookie (default: none, this host only)", check=_header_safe
        ),
        "cookie_httponly": corolla.Setting(bool, True, "Hide the cookie from JavaScript"),
        "permanent": corolla.Setting(
            bool, False, "New sessions are permanent: the cookie outlives the browser session (max_age)"
        ),
        "max_age": corolla.Setting(
            int,
            DEFAULT_MAX_AGE,
            "Seconds a session lives after its last save; enforced on the server too",
            check=_positive_seconds,
        ),
        "refresh_each_request": corolla.Setting(
            bool, True, "Save permanent sessions on every request that reads them, extending their life"
        ),
    }
    request_attributes = ["session"]
    hookspecs = SessionsHooks

    backend: SessionBackend
    outage: OutageLog

    # -- start-up -------------------------------------------------------------

    @hookimpl
    def corolla_configure(self, app: App) -> None:
        cfg = self.config  # checked while planning (the settings' checks)
        self.name_eq = cfg["cookie_name"] + "="
        self.max_age = cfg["max_age"]
        self.permanent = cfg["permanent"]
        self.refresh = cfg["refresh_each_request"]
        attrs = ""
        if cfg["cookie_domain"]:
            attrs += f"; Domain={cfg['cookie_domain']}"
        attrs += f"; Path={cfg['cookie_path']}"
        if cfg["cookie_httponly"]:
            attrs += "; HttpOnly"
        attrs += f"; SameSite={cfg['cookie_samesite']}"
        # The cookie's attributes, built once per scheme: always Secure on
        # https; on plain http only when cookie_secure asks for it.
        self.attrs_http = "; Secure" + attrs if cfg["cookie_secure"] else attrs
        self.attrs_https = "; Secure" + attrs

    @hookimpl
    def corolla_session_backends(self, app: App) -> Mapping[str, Callable[..., SessionBackend]]:
        return _builtin_backends(app)

    @hookimpl
    def corolla_startup(self, app: App) -> None:
        offered: dict[str, tuple[str, Callable[..., SessionBackend]]] = {}
        for plugin, result in corolla.call_each(app, "corolla_session_backends", app=app):
            if result is None:
                continue
            if not isinstance(result, Mapping):
                raise PluginError(
                    plugin,
                    f"plugin {plugin!r}: corolla_session_backends "
                    f"returned {result!r}, not a mapping of name -> backend factory",
                )
            for name, factory in result.items():
                if name in offered:
                    raise PluginError(
                        plugin,
                        f"the session backend {name!r} is offered by plugins "
                        f"{offered[name][0]!r} and {plugin!r}; uninstall one of them",
                    )
                offered[name] = (plugin, factory)
        chosen = self.config["backend"]
        if chosen not in offered:
            fix = f"set [sessions] backend to one of {', '.join(sorted(offered))}"
            if chosen == "sql":
                fix = "install and enable the orm plugin (pip install corolla-orm), which the sql backend stores in"
            raise ConfigError(
                [
                    Problem(
                        "sessions", "unknown-backend", f"[sessions] backend = {chosen!r}: no such session backend", fix
                    )
                ]
            )
        if chosen == "redis" and find_spec("redis") is None:
            raise ConfigError(
                [
                    Problem(
                        "sessions",
                        "missing-dependency",
                        "[sessions] backend = 'redis' needs redis-py, which is not installed",
                        "pip install 'corolla-sessions[redis]'",
                    )
                ]
            )
        self.backend = offered[chosen][1](app, self.config)
        self.outage = OutageLog(logger, f"sessions: the {chosen} session backend")

    @hookimpl
    def corolla_shutdown(self, app: App) -> None:
        backend = self.__dict__.get("backend")
        if backend is not None:
            backend.close()

    # -- per request ----------------------------------------------------------

    @hookimpl
    def corolla_request_attributes(self, app: App) -> Mapping[str, Callable[[Request], Any]]:
        return {"session": self._load}

    def _load(self, request: Request) -> Session:
        value = _cookie_value(request.environ, self.config["cookie_name"])
        if value is None:
            request.after_response(self._finish)
            return Session(permanent=self.permanent)
        if len(value) > MAX_INCOMING:
            logger.debug(
                "sessions: the session cookie is %d bytes, longer than any we make; starting a new session", len(value)
            )
            session = None
        elif UNAVAILABLE in request.__dict__:
            # The backend failed earlier in this request, which is answered 503; the error
            # page (its layout reads request.user) gets an empty session that is never saved,
            # instead of a second wait for the backend and a second failure inside the page.
            return Session(permanent=self.permanent)
        else:
            try:
                session = self.backend.load(value)
            except SessionBackendUnavailable as exc:
                request.__dict__[UNAVAILABLE] = True
                self.outage.failed(request.log_line(), exc)
                raise
            self.outage.worked()
        if session is None:
            session = Session(permanent=self.permanent)
            session.resign = True  # a cookie came but held no session: expire it, if the session stays empty
        request.after_response(self._finish)
        return session

    def _finish(self, request: Request, response: WerkzeugResponse) -> None:
        """The ``after_response`` callback of a request that loaded its session: Vary, then maybe save.

        Runs on every response, error responses included. ``Vary: Cookie``
        always; a save only when the status is under 500 (a 5xx is a crash:
        nothing half-done is kept, as a rolled-back transaction).
        """
        headers = response.headers
        if headers.getlist("Vary"):  # not `in`: a missing key costs werkzeug an exception (~1 µs)
            response.vary.add("Cookie")
        else:
            headers.add("Vary", "Cookie")
        if response.status_code >= 500:
            return
        session: Session = request.__dict__["session"]
        environ = request.environ
        attrs = self.attrs_https if environ.get("wsgi.url_scheme") == "https" else self.attrs_http
        backend = self.backend
        try:
            if not session:
                # Empty: forget what is stored, and expire a cookie the client sent.
                if session.sid is not None or session.previous_sid is not None:
                    backend.delete(session)
                if not session.new or session.resign:
                    headers.add("Set-Cookie", self.name_eq + _EXPIRED + attrs)
                return
            if session.modified or session.new or session.resign:
                value = backend.save(session, self.max_age)
            elif session.permanent and self.refresh:
                value = backend.refresh(session, self.max_age)
            else:
                return
        except SessionBackendUnavailable as exc:
            self.outage.failed(request.log_line(), exc)
            if request.committed and response.status_code < 400:
                # The view's write is saved: answering 503 would make the client send it again.
                # The session's change (a flash message, a login) is what is lost, and logged.
                logger.warning(
                    "sessions: the session of '%s' was not saved (%s); the request's write was committed, "
                    "so its %d answer stands without the session's change",
                    request.log_line(),
                    exc,
                    response.status_code,
                )
                return
            _fail(request, exc)
        self.outage.worked()
        if value is None:
            # The stored session was deleted (a logout elsewhere) or expired while this
            # request ran: the backend did not store it again, so the cookie names nothing.
            headers.add("Set-Cookie", self.name_eq + _EXPIRED + attrs)
            return
        if session.permanent:
            from werkzeug.http import http_date

            expires = f"; Expires={http_date(time.time() + self.max_age)}; Max-Age={self.max_age}"
            cookie = self.name_eq + value + expires + attrs
        else:
            cookie = self.name_eq + value + attrs
        if len(cookie) > MAX_COOKIE_SIZE:
            too_large = SessionCookieTooLarge(len(cookie), MAX_COOKIE_SIZE)
            logger.error("sessions: cannot save the session on '%s': %s", request.log_line(), too_large)
            _fail(request, too_large)
        headers.add("Set-Cookie", cookie)

    # -- integrations ---------------------------------------------------------

    @hookimpl(optionalhook=True)
    def corolla_template_context(self, request: Request | None) -> Mapping[str, Any] | None:
        if request is None:
            return None
        from functools import partial

        from ._context import SessionView
        from ._flash import get_flashed_messages

        return {"session": SessionView(request), "get_flashed_messages": partial(get_flashed_messages, request)}

    @hookimpl
    def corolla_deploy_checks(self, app: App) -> list[Check]:
        # The secret key the cookie backend signs with is the core's check (core.secret_key): reported once.
        cfg = self.config
        checks = [
            Check(
                "sessions.cookie_secure",
                cfg["cookie_secure"],
                "the session cookie is always Secure"
                if cfg["cookie_secure"]
                else "the session cookie is Secure only on requests that reach the app as https",
                "set [sessions] cookie_secure = true (behind a TLS-terminating proxy the app sees http)",
            ),
            Check(
                "sessions.cookie_httponly",
                cfg["cookie_httponly"],
                "the session cookie is HttpOnly"
                if cfg["cookie_httponly"]
                else "the session cookie is readable by JavaScript: one XSS steals every session it runs in",
                "set [sessions] cookie_httponly = true (the default)",
            ),
        ]
        none_insecure = cfg["cookie_samesite"] == "None"
        checks.append(
            Check(
                "sessions.cookie_samesite",
                not none_insecure,
                "SameSite=None: other sites' pages send the session cookie (and browsers drop it without Secure)"
                if none_insecure
                else f"the session cookie is SameSite={cfg['cookie_samesite']}",
                "set [sessions] cookie_samesite = 'Lax' (the default) or 'Strict'",
            )
        )
        if cfg["backend"] == "redis":
            checks.append(_redis_check(cfg["redis_url"]))
        return checks


def _redis_check(url: str) -> Check:
    """Redis on another machine must need a password and, off a private link, TLS."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    missing = []
    if not loopback and parts.scheme != "unix":
        if not parts.password:
            missing.append("no password")
        if parts.scheme != "rediss":
            missing.append("no TLS")
    return Check(
        "sessions.redis_security",
        not missing,
        f"Redis on {host or 'a unix socket'}: {' and '.join(missing)}, so anyone on the network can read and "
        "forge sessions"
        if missing
        else f"Redis on {host or 'a unix socket'}" + (" (loopback)" if loopback else " with a password and TLS"),
        "give Redis a password (requirepass) and TLS, then set COROLLA_SESSIONS__REDIS_URL="
        "rediss://:PASSWORD@host:6380/0 (or keep Redis on 127.0.0.1 / a unix socket)",
    )


def _fail(request: Request, error: HTTPException) -> NoReturn:
    """The session could not be saved: the response must not go out as it is.

    The callback raises ``error`` and the core answers with its error
    response instead (503 or 500; on the normal path an app's error handler
    for that status applies, on an error page it is ``error``'s own page).
    The session's changes are dropped; ``_add_vary``, registered first, gives
    the replacement ``Vary: Cookie``.
    """
    request.after_response(_add_vary)
    raise error


def _add_vary(request: Request, response: WerkzeugResponse) -> None:
    if response.headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        response.headers.add("Vary", "Cookie")
