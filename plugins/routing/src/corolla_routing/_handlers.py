"""Error handlers: which one applies to an exception, and what its return value becomes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.wrappers import Response

from ._errors import RoutingError

ErrorHandler = Callable[[Any, BaseException], Any]


def exception_class(code_or_exception: int | type[BaseException]) -> type[BaseException]:
    """``404`` -> ``NotFound``; an exception class stays itself."""
    if isinstance(code_or_exception, int) and not isinstance(code_or_exception, bool):
        try:
            return default_exceptions[code_or_exception]
        except KeyError:
            raise RoutingError(
                f"errorhandler({code_or_exception}): {code_or_exception} is not an HTTP error code werkzeug knows; "
                "pass an error status (400-599) or an exception class (a subclass of werkzeug's HTTPException "
                "for your own codes)"
            ) from None
    if isinstance(code_or_exception, type) and issubclass(code_or_exception, Exception):
        return code_or_exception
    raise RoutingError(
        f"errorhandler({code_or_exception!r}): pass an HTTP status code like 404 or an exception class like ValueError"
    )


def register(
    handlers: dict[type[BaseException], ErrorHandler], code_or_exception: int | type[BaseException]
) -> Callable[[ErrorHandler], ErrorHandler]:
    """The ``errorhandler(404)`` decorator of the app and of a ``Router``: files the handler under its class."""
    key = exception_class(code_or_exception)

    def decorator(handler: ErrorHandler) -> ErrorHandler:
        handlers[key] = handler
        return handler

    return decorator


def find(chain: Sequence[Mapping[type[BaseException], ErrorHandler]], exception: BaseException) -> ErrorHandler | None:
    """The handler for ``exception``: the first mapping in ``chain`` (the group's, then the app's) with one
    for its class or the nearest base class."""
    mro = type(exception).__mro__
    for handlers in chain:
        if handlers:
            for cls in mro:
                handler = handlers.get(cls)
                if handler is not None:
                    return handler
    return None


#: Headers of an HTTP exception's own response that describe its body, not the error: a handler's body replaces it.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


def with_status(rv: Any, exception: BaseException, environ: dict[str, Any]) -> Any:
    """A handler's return value, given the exception's status (and headers like Allow) unless it chose one.

    A bare body returned for a 404 stays a 404 (Flask would send it as 200),
    with the headers of the response werkzeug would have sent for the
    exception (``Allow`` of a 405, ``WWW-Authenticate``, the headers of an
    exception carrying its own ``response``) except those describing that
    response's body; for an exception that is not an HTTP error the default is 500.
    """
    if isinstance(rv, (Response, HTTPException, tuple)) or rv is None:
        return rv
    if isinstance(exception, HTTPException):
        code = exception.code or 500
        if exception.response is None and type(exception).get_response is HTTPException.get_response:
            # What get_response would send, without building the page.
            source = exception.get_headers(environ)
        else:
            response = exception.get_response(environ)
            source = list(response.headers.items())
            code = exception.code or response.status_code
        headers = [(k, v) for k, v in source if k.lower() not in _BODY_HEADERS]
        return (rv, code, headers) if headers else (rv, code)
    return rv, 500
