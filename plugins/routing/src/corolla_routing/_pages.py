"""werkzeug's 404 and 405 pages, rendered once and written without building a Response per request.

A 404 through the core costs two werkzeug Responses' worth of work: building
one (headers, status, body: ~2 µs) and running it (``get_wsgi_response``,
``ClosingIterator``: ~2.5 µs), about half the time of the whole request. The
page never changes, so ``Page`` keeps its status line, headers and body
ready and ``__call__`` hands them to ``start_response``. It is used only
while no plugin implements ``corolla_response`` (a hook free to replace
the Response or read anything in it); with one, a real Response is built
as usual. ``request.after_response`` callbacks still run on a page: they
read and change its headers (sessions adds ``Vary`` and may add a cookie),
which the page then builds on first access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from corolla import Response, lazy

_BODIES: dict[int, str] = {}


def page_body(kind: type[HTTPException]) -> str:
    """werkzeug's default page for ``kind``, rendered once."""
    code = kind.code or 500
    body = _BODIES.get(code)
    if body is None:
        body = _BODIES[code] = kind().get_body()
    return body


class Page(Response):
    """A prebuilt error page: a werkzeug Response whose ``__call__`` does no work."""

    def __init__(self, code: int, status: str, body: bytes, extra: list[tuple[str, str]]) -> None:
        # Deliberately no super().__init__(): see the module docstring. The
        # attributes below keep the object readable as a Response.
        self._status_code = code
        self._status = status
        self._wsgi_headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *extra,
        ]
        self.body = body
        self.response = [body]
        self.direct_passthrough = False
        self._on_close: list[Callable[[], Any]] = []

    @lazy
    def headers(self) -> Headers:
        # Only if someone looks: building Headers costs more than the rest of the page.
        return Headers(self._wsgi_headers)

    def __call__(self, environ: Any, start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Headers someone read may have been changed (a session's Vary and cookie).
        headers = self.__dict__.get("headers")
        start_response(self._status, headers.to_wsgi_list() if headers is not None else list(self._wsgi_headers))
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


def error_page(kind: type[HTTPException], extra: list[tuple[str, str]], fast: bool) -> Response:
    body = page_body(kind)
    code = kind.code or 500
    if not fast:
        return Response(body, code, headers=extra)
    from werkzeug.http import HTTP_STATUS_CODES

    return Page(code, f"{code} {HTTP_STATUS_CODES[code].upper()}", body.encode(), extra)
