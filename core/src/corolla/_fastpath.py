"""The response fast path: a view's value sent without building or calling a werkzeug ``Response``.

werkzeug's ``Response`` is built for everything a response may become
(streamed, conditional, ranged, cookies added later, closed with callbacks):
constructing one, then ``get_wsgi_headers`` (a copy of the headers, scanned
for ``Location``), ``get_app_iter`` (a ``ClosingIterator``) and the header
list cost about 8 µs for a hello-world. When nothing will look at the
response (no ``corolla_response`` implementation, no ``after_response``
callback: the app checks both before calling ``direct``), the status line,
the header list and the body of the common values are known at once:

- ``str`` / ``bytes`` (HTML), ``dict`` / ``list`` (JSON);
- the tuples ``(body, status)``, ``(body, headers)`` and ``(body, status,
  headers)`` of those, with an ``int`` status and a plain ``dict`` of ``str``
  headers;
- a ``Response`` the view built itself (``corolla.Response`` or werkzeug's
  own class, not a subclass, which may change how it is sent) with a body of
  bytes in memory and no ``call_on_close`` callback.

The same conversion sends a plain ``Response`` that plugins did see (a
``corolla_response`` hook, an ``after_response`` callback such as the
sessions plugin's ``Set-Cookie``): they get a full werkzeug ``Response`` as
always, and only its sending skips ``Response.__call__`` (``sendable``).

Anything else returns None and goes through ``make_response`` and werkzeug,
as do the cases where werkzeug would change what is sent: a status without
a body (1xx, 204, 304), ``Location`` and ``Content-Location`` (werkzeug
IRI-encodes them), a ``Content-Length`` of the view's own, a header given
twice or not as a ``str``, a string status ("404 Not Found" is sent as
written, "404" with werkzeug's reason phrase). What is sent is byte for byte
what werkzeug would send (tested against it).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response as _WerkzeugResponse

from ._wrappers import _STATUS_LINES as STATUS_LINES
from ._wrappers import JSON_TYPE, Response, _json

HTML_TYPE = "text/html; charset=utf-8"
#: Headers werkzeug rewrites or drops while sending: their responses take werkzeug's way.
_REWRITTEN = frozenset({"location", "content-location", "content-length"})
_PLAIN_RESPONSES = (Response, _WerkzeugResponse)

Wire = tuple[str, list[tuple[str, str]], list[bytes]]


def direct(rv: Any, extra: list[tuple[str, str]]) -> Wire | None:
    """(status line, headers, body) for ``rv``, or None when werkzeug must make and send the response.

    ``extra`` are the core's security headers (``_security``): added where the
    value does not set them itself, after its own, as ``add_missing`` does.
    """
    kind = type(rv)
    if kind is str:
        body = rv.encode()
        return "200 OK", [("Content-Type", HTML_TYPE), ("Content-Length", str(len(body))), *extra], [body]
    if kind is tuple:
        return _tuple(rv, extra)
    if kind is dict or kind is list:
        body = _json(rv).encode()
        return "200 OK", [("Content-Type", JSON_TYPE), ("Content-Length", str(len(body))), *extra], [body]
    if kind is bytes:
        return "200 OK", [("Content-Type", HTML_TYPE), ("Content-Length", str(len(rv))), *extra], [rv]
    if kind in _PLAIN_RESPONSES:
        return _response(rv, extra)
    return None


def sendable(response: _WerkzeugResponse) -> Wire | None:
    """What werkzeug would send for ``response`` once plugins are done with it, or None: let werkzeug send it."""
    if type(response) in _PLAIN_RESPONSES:
        return _response(response, [])
    return None


def _tuple(rv: tuple[Any, ...], extra: list[tuple[str, str]]) -> Wire | None:
    status: Any = 200
    headers: Any = None
    if len(rv) == 3:
        body, status, headers = rv
    elif len(rv) == 2:
        body, second = rv
        if type(second) is dict:
            headers = second
        else:
            status = second
    else:
        return None  # make_response says what is wrong
    if type(status) is not int or status < 200 or status in (204, 304) or status > 599:
        return None
    kind = type(body)
    if kind is str:
        data, content_type = body.encode(), HTML_TYPE
    elif kind is bytes:
        data, content_type = body, HTML_TYPE
    elif kind is dict or kind is list:
        data, content_type = _json(body).encode(), JSON_TYPE
    else:
        return None
    line = STATUS_LINES.get(status) or f"{status} UNKNOWN"
    if not headers:
        if headers is not None and type(headers) is not dict:
            return None
        return line, [("Content-Type", content_type), ("Content-Length", str(len(data))), *extra], [data]
    if type(headers) is not dict:
        return None
    merged = _with_headers(headers, content_type, str(len(data)), extra)
    return None if merged is None else (line, merged, [data])


def _with_headers(
    headers: dict[Any, Any], content_type: str, length: str, extra: list[tuple[str, str]]
) -> list[tuple[str, str]] | None:
    """The response's headers after werkzeug's ``headers.update(headers)`` and ``add_missing(extra)``."""
    own = []
    seen = set()
    type_key = "Content-Type"
    for key, value in headers.items():
        if type(key) is not str or type(value) is not str or "\n" in value or "\r" in value:
            return None
        lower = key.lower()
        if lower in seen or lower in _REWRITTEN:
            return None
        seen.add(lower)
        if lower == "content-type":
            type_key, content_type = key, value  # werkzeug's headers.update() replaces it in place
        else:
            own.append((key, value))
    for key, value in extra:
        if key.lower() not in seen:
            own.append((key, value))
    return [(type_key, content_type), ("Content-Length", length), *own]


def _response(response: _WerkzeugResponse, extra: list[tuple[str, str]]) -> Wire | None:
    body = response.response
    if (
        response.direct_passthrough
        or type(body) is not list
        or response._on_close
        or not 200 <= response.status_code <= 599
        or response.status_code in (204, 304)
    ):
        return None
    for chunk in body:
        if type(chunk) is not bytes:
            return None
    headers = list(response.headers)
    present = set()
    for key, _ in headers:
        lower = key.lower()
        if lower == "location" or lower == "content-location":
            return None
        present.add(lower)
    if extra:
        headers += [(key, value) for key, value in extra if key.lower() not in present]
    if "content-length" not in present and response.automatically_set_content_length:
        # What get_wsgi_headers does for a body in memory without a length of its own.
        headers.append(("Content-Length", str(sum(map(len, body)))))
    return response.status, headers, body
