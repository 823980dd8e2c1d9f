"""The HTTP errors the forms plugin raises: a CSRF failure (400), a body that is not JSON (400).

Both are werkzeug ``HTTPException`` subclasses, so the core answers them with
their own response (never a 500) and no view code runs after them. They answer
in JSON when the client sent or asked for JSON, otherwise in werkzeug's HTML.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from werkzeug.exceptions import BadRequest
from werkzeug.sansio.response import Response as _SansIOResponse
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.wrappers import Request

#: The detail of an ``InvalidJSON`` for a body nested deeper than Python's parser goes (``[[[[...``).
TOO_DEEP = "arrays or objects are nested too deeply"
#: The detail of an ``InvalidJSON`` for an integer longer than Python converts (``sys.get_int_max_str_digits``).
TOO_LONG_NUMBER = f"a number has more than {sys.get_int_max_str_digits()} digits"

#: Why a CSRF check failed, as the ``reason`` of a ``CSRFError``.
REASONS = ("missing", "invalid", "expired", "wrong-session", "no-session", "origin")


def wants_json(environ: Mapping[str, Any] | None) -> bool:
    """Whether the client sent JSON, or asked for JSON rather than HTML."""
    if not environ:
        return False
    ctype = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    if ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json")):
        return True
    accept = str(environ.get("HTTP_ACCEPT", "")).lower()
    return "json" in accept and "html" not in accept


class _JSONAware(BadRequest):
    def json_body(self) -> dict[str, Any]:
        raise NotImplementedError

    # werkzeug's overloads: a WSGI Response for an environ (or none), a sans-IO one for an ASGI scope.
    @overload
    def get_response(self, environ: WSGIEnvironment | Request | None = ..., scope: None = None) -> Response: ...
    @overload
    def get_response(self, environ: None = None, scope: dict[str, Any] = ...) -> _SansIOResponse: ...
    def get_response(self, environ: Any = None, scope: Any = None) -> Response | _SansIOResponse:
        if wants_json(environ):
            return Response(json.dumps(self.json_body(), ensure_ascii=False), self.code, mimetype="application/json")
        response: Response | _SansIOResponse = super().get_response(environ, scope)
        return response


class CSRFError(_JSONAware):
    """A request failed the CSRF check: 400, with a ``reason`` and a message a user can act on.

    ``reason`` is one of ``missing``, ``invalid``, ``expired``,
    ``wrong-session`` (a token of another session), ``no-session`` (the
    session holding the secret is gone) and ``origin`` (https Referer/Origin
    mismatch).
    """

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason

    def json_body(self) -> dict[str, Any]:
        return {"error": "csrf", "reason": self.reason, "message": self.description}


class InvalidJSON(_JSONAware):
    """The body claimed to be JSON but does not parse: 400 with the parse position."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"The request body is not valid JSON: {detail}.")
        self.detail = detail

    def json_body(self) -> dict[str, Any]:
        return {"error": "invalid-json", "message": self.description, "detail": self.detail}
