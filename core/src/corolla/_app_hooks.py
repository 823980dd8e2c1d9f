"""The app's own request hooks: ``@app.before_request``, ``@app.after_request``, ``@app.teardown_request``.

Flask's decorators, without writing a plugin: each registers a function that
an app-local plugin named ``app`` runs from the core's own hooks, so
``corolla hooks`` and ``corolla plugins list`` show it like any other:

- ``before_request(request)`` from ``corolla_wrap_request``, innermost
  (``trylast``): after every plugin's wrapper (sessions, the CSRF check),
  just before dispatch. A function returning a value other than None
  answers the request with it; the view does not run.
- ``after_request(request, response)`` from ``corolla_response``: changes the
  response in place (or returns it), for error responses too; run in the
  reverse order of registration, as Flask does.
- ``teardown_request(request, exception)`` from ``corolla_teardown``: every
  request, once its response is built; reverse order of registration; one
  that raises is logged and the others still run.

The plugin object implements only the hooks that have functions, and is
registered again (and the pipeline compiled again) when one is added: an
app without ``after_request`` functions keeps the core's fast path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._markers import hookimpl

if TYPE_CHECKING:
    from ._app import App
    from ._wrappers import Request

logger = logging.getLogger("corolla")

#: The name of the app-local plugin (reserved: no installed plugin may take it).
APP_PLUGIN = "app"
APP_LABEL = "'app' (the app's own request hooks)"

Before = Callable[["Request"], Any]
After = Callable[["Request", Any], Any]
Teardown = Callable[["Request", "Exception | None"], Any]


class AppHooks:
    """The functions registered with the app's request-hook decorators."""

    def __init__(self) -> None:
        self.before: list[Before] = []
        self.after: list[After] = []
        self.teardown: list[Teardown] = []

    def __bool__(self) -> bool:
        return bool(self.before or self.after or self.teardown)

    def kinds(self) -> list[str]:
        """The decorators in use, for ``corolla plugins list``."""
        kinds = [("before_request", self.before), ("after_request", self.after), ("teardown_request", self.teardown)]
        return [name for name, functions in kinds if functions]

    def plugin(self) -> object:
        """A fresh plugin object implementing only the hooks that have functions."""
        namespace: dict[str, Any] = {"__doc__": "The app's own request hooks (@app.before_request ...)."}
        if self.before:
            namespace["corolla_wrap_request"] = hookimpl(trylast=True)(_wrap_request(self.before))
        if self.after:
            namespace["corolla_response"] = hookimpl(trylast=True)(_response(self.after))
        if self.teardown:
            namespace["corolla_teardown"] = hookimpl(trylast=True)(_teardown(self.teardown))
        return type("AppRequestHooks", (), namespace)()


def _wrap_request(before: list[Before]) -> Callable[..., Any]:
    def corolla_wrap_request(self: object, app: App, handler: Callable[[Request], Any]) -> Any:
        functions = tuple(before)

        def run_before(request: Request) -> Any:
            for function in functions:
                rv = function(request)
                if rv is not None:
                    return rv  # answers the request; the view does not run
            return handler(request)

        return run_before

    return corolla_wrap_request


def _response(after: list[After]) -> Callable[..., Any]:
    def corolla_response(self: object, request: Request, response: Any) -> None:
        for function in reversed(after):
            rv = function(request, response)
            if rv is not None and rv is not response:
                raise TypeError(
                    f"after_request function {getattr(function, '__qualname__', function)!r} returned a new "
                    f"{type(rv).__name__}; change the response it is given in place (and return it, or None)"
                )

    return corolla_response


def _teardown(teardown: list[Teardown]) -> Callable[..., Any]:
    def corolla_teardown(self: object, request: Request, exception: Exception | None) -> None:
        for function in reversed(teardown):
            try:
                function(request, exception)
            except Exception:
                logger.exception(
                    "teardown_request function %s failed on '%s'",
                    getattr(function, "__qualname__", function),
                    request.log_line(),
                )

    return corolla_teardown
