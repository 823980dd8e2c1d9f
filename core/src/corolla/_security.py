"""What the core does for every request's safety: trusted hosts, the https redirect, the security headers.

The headers are computed once, at start-up, into two lists (plain http and
https: HSTS only means something over https); the core appends one of them
to the str fast path's two headers (a list concatenation, no werkzeug
Response) and adds the missing ones to every other response. The host and
https checks are a guard the pipeline compiles outside every plugin's
wrapper, made only when ``trusted_hosts`` or ``ssl_redirect`` is set: an
app that sets neither pays nothing per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._wrappers import Request

#: 'example.com', '.example.com' (and its subdomains), 'example.com:8443', '127.0.0.1', '[::1]', or '*'.
_HOST = re.compile(r"\*|\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?").fullmatch
FRAME_OPTIONS = ("DENY", "SAMEORIGIN", "")
_ANCESTORS = {"DENY": "'none'", "SAMEORIGIN": "'self'"}

Header = tuple[str, str]


def host_names(value: list[str], section: object) -> str | None:
    """``[core] trusted_hosts``' own check: each entry a host name as clients send it."""
    bad = [host for host in value if not isinstance(host, str) or not _HOST(host)]
    if bad:
        return (
            f"{', '.join(map(repr, bad))} is not a host name; list names as clients send them: "
            "'notes.example.com', '.example.com' for every subdomain, 'example.com:8443' with a port"
        )
    return None


def not_negative(value: int, section: object) -> str | None:
    """``[core] hsts_seconds``' own check."""
    if value < 0:
        return "is negative; set the seconds browsers keep to https (31536000, a year), or 0 for no HSTS header"
    return None


def response_headers(core: Mapping[str, Any]) -> tuple[list[Header], list[Header]]:
    """The security headers of every response: (over plain http, over https)."""
    plain: list[Header] = []
    if core["content_type_nosniff"]:
        plain.append(("X-Content-Type-Options", "nosniff"))
    frame = core["frame_options"]
    if frame:
        plain.append(("X-Frame-Options", frame))
        plain.append(("Content-Security-Policy", f"frame-ancestors {_ANCESTORS[frame]}"))
    if core["referrer_policy"]:
        plain.append(("Referrer-Policy", core["referrer_policy"]))
    if core["cross_origin_opener_policy"]:
        plain.append(("Cross-Origin-Opener-Policy", core["cross_origin_opener_policy"]))
    tls = list(plain)
    if core["hsts_seconds"] > 0:
        value = f"max-age={core['hsts_seconds']}"
        if core["hsts_include_subdomains"]:
            value += "; includeSubDomains"
        tls.append(("Strict-Transport-Security", value))
    return plain, tls


def add_missing(headers: Any, extra: list[Header]) -> None:
    """Add the ``extra`` headers a response does not set itself (a view's own X-Frame-Options wins)."""
    present = {name.lower() for name, _ in headers.items()}
    for name, value in extra:
        if name.lower() not in present:
            headers.add(name, value)


def request_guard(core: Mapping[str, Any], handler: Callable[[Request], Any]) -> Callable[[Request], Any] | None:
    """The wrapper checking the Host header and redirecting http to https, or None when neither is asked for."""
    hosts = list(core["trusted_hosts"])
    check_host = bool(hosts) and "*" not in hosts
    redirect = bool(core["ssl_redirect"])
    if not (check_host or redirect):
        return None
    from werkzeug.exceptions import BadRequest
    from werkzeug.sansio.utils import host_is_trusted
    from werkzeug.utils import redirect as redirect_to
    from werkzeug.wsgi import get_host

    # The Host headers seen trusted so far: a set lookup instead of werkzeug's parse and compare (~4 µs)
    # per request. Bounded: it only grows with values that passed the real check.
    seen: set[str] = set()

    def guard(request: Request) -> Any:
        environ = request.environ
        if check_host and environ.get("HTTP_HOST") not in seen:
            host = get_host(environ)
            if host_is_trusted(host, hosts):
                if len(seen) < 64 and "HTTP_HOST" in environ:
                    seen.add(environ["HTTP_HOST"])
            else:
                raise BadRequest(
                    f"The Host header {host[:100]!r} is not a host this site answers to ([core] trusted_hosts)."
                )
        if redirect and environ.get("wsgi.url_scheme") != "https":
            target = "https://" + get_host(environ) + request.full_path.rstrip("?")
            return redirect_to(target, 301)
        return handler(request)

    return guard


LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is only reachable from this machine."""
    import ipaddress
    import socket

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False
