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


def with_status(rv: Any, exception: BaseException) -> Any:
    """A handler's return value, given the exception's status (and headers like Allow) unless it chose one.

    A bare body returned for a 404 stays a 404 (Flask would send it as 200);
    for an exception that is not an HTTP error the default is 500.
    """
    if isinstance(rv, (Response, HTTPException, tuple)) or rv is None:
        return rv
    if isinstance(exception, HTTPException):
        headers = [(k, v) for k, v in exception.get_headers() if k.lower() != "content-type"]
        return (rv, exception.code or 500, headers) if headers else (rv, exception.code or 500)
    return rv, 500
