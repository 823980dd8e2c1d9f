"""The request pipeline: the request-time hooks compiled into one WSGI callable.

``compile_pipeline`` runs once, at start-up: it nests the
``corolla_wrap_request`` wrappers around dispatch and compiles the response,
teardown and exception hooks into plain callables (``_compile``). A request
then goes down a short ladder of named steps, as in Flask's ``wsgi_app`` ->
``full_dispatch_request`` -> ``finalize_request``::

    serve               build the Request, run the handler (wrappers around dispatch),
                        tear down, send the response (the WSGI call); while no plugin
                        looks at responses, the common values are sent directly
                        (_fastpath.direct), without a werkzeug Response
      finalize          the handler's value -> a Response: make_response,
                        corolla_response hooks, after_response callbacks
      handle_exception  an exception in the handler or in finalize -> the
                        exception hook's value or the default error response, finalized
      last_resort       an exception while handling one -> the HTTPException's own
                        response or a plain 500; never raises

Each step catches at most once, so no request is lost and no error is
handled twice. ``App.__call__`` only delegates to ``serve``.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.wrappers import Response as _WerkzeugResponse

from ._blame import Blame
from ._calls import call_impl
from ._compile import call_order, compile_each, compile_firstresult
from ._errors import PluginError
from ._failures import FailureLog
from ._fastpath import direct, sendable
from ._security import add_missing, request_guard, response_headers
from ._tracing import Tracer, app_tracer, request_line, traced
from ._wrappers import AFTER_RESPONSE, Request, Response, ResponseValueError, lazy, make_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ._app import App
    from ._manager import PluginHost

logger = logging.getLogger("corolla")

NO_DISPATCH_HINT = (
    "No plugin handled this request: no installed plugin implements the corolla_dispatch hook. "
    "Install a dispatch plugin (e.g. corolla-routing) and check `corolla plugins list`."
)

Handler = Callable[[Request], Any]


class Pipeline:
    """One app's compiled request path; ``serve`` is its WSGI callable.

    ``handler`` is the outermost ``corolla_wrap_request`` wrapper, or the
    compiled dispatch itself when no plugin wraps requests. Hooks nobody
    implements are empty (no call per request). ``wrappers`` names the
    wrapping plugins, outermost first.
    """

    # Slots: every request reads most of these, and slot reads are the cheapest.
    __slots__ = (
        "app",
        "blame",
        "exception_hook",
        "failures",
        "fast",
        "handler",
        "label",
        "none_is_404",
        "plain_headers",
        "request_class",
        "response_hooks",
        "result_from",
        "teardown_hooks",
        "tls_headers",
        "wrappers",
    )

    def __init__(
        self,
        app: App,
        request_class: type[Request],
        handler: Handler,
        *,
        wrappers: Sequence[str],
        dispatchers: Sequence[str],
        response_hooks: list[Callable[[Request, _WerkzeugResponse], None]],
        teardown_hooks: list[Callable[[Request, Exception | None], None]],
        exception_hook: Callable[[Request, Exception], Any] | None,
        blame: Blame,
        failures: FailureLog,
        label: Callable[[str], str],
    ) -> None:
        self.app = app
        self.request_class = request_class
        self.handler = handler
        self.wrappers = list(wrappers)
        # With no wrapper the handler is the dispatch itself, and a None from
        # it (no dispatch plugin found anything) is checked in finalize, off
        # the fast path: this saves a call per request. A wrapper must see
        # the NotFound, so then the check is compiled in under the wrappers.
        self.none_is_404 = not self.wrappers
        # Who hands the core the value it makes a response of (for error messages).
        self.result_from = [*self.wrappers, *dispatchers]
        self.response_hooks = response_hooks
        self.teardown_hooks = teardown_hooks
        self.exception_hook = exception_hook
        # The fast path (_fastpath.direct) skips building a werkzeug Response;
        # only possible while no plugin wants to see every response.
        self.fast = not response_hooks
        # The security headers, computed once (plain http, https): the fast path appends
        # one list to its two headers; finalize'd responses get the ones they lack.
        self.plain_headers, self.tls_headers = response_headers(app.config["core"])
        self.blame = blame
        self.failures = failures
        self.label = label

    # -- the ladder ------------------------------------------------------------

    def serve(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI call: build the Request, run the handler, finalize, tear down, send the response."""
        request = self.request_class(environ, self.app)
        error: Exception | None = None
        wire = None
        extra = self.tls_headers if environ.get("wsgi.url_scheme") == "https" else self.plain_headers
        try:
            rv = self.handler(request)
            if self.fast and AFTER_RESPONSE not in request.__dict__:
                # Nothing will look at the response: the common values are sent without
                # werkzeug's Response machinery (see _fastpath.py; saves 5-10 µs).
                wire = direct(rv, extra)
            response = None if wire is not None else self.finalize(request, rv)
        except Exception as exc:
            try:
                response = self.handle_exception(request, exc)
            except Propagate:
                # [core] testing, or werkzeug's debugger: the caller sees the exception, after teardown.
                if self.teardown_hooks:
                    self.teardown(request, exc)
                raise exc from None
            error = exc
        if self.teardown_hooks:
            self.teardown(request, error)
        if "files" in request.__dict__:
            request.close()  # uploaded files' temporary files (werkzeug leaves them open)
        if wire is None:
            if extra:
                add_missing(response.headers, extra)  # type: ignore[union-attr]
            # Plugins saw (and changed) a full werkzeug Response; once they are done, a
            # plain one is sent as werkzeug would send it, without its __call__ (~3 µs).
            wire = sendable(response)  # type: ignore[arg-type]
            if wire is None:
                return response(environ, start_response)  # type: ignore[misc]
        start_response(wire[0], wire[1])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else wire[2]

    def finalize(self, request: Request, rv: Any) -> _WerkzeugResponse:
        """The handler's value as a response: make_response, corolla_response hooks, after_response callbacks."""
        if rv is None and self.none_is_404:
            raise NotFound()  # the dispatch plugins found nothing: werkzeug's plain 404
        response = make_response(rv, request)
        for hook in self.response_hooks:
            hook(request, response)
        if AFTER_RESPONSE in request.__dict__:
            run_after_response(request, response)
        return response

    def handle_exception(self, request: Request, exc: Exception) -> _WerkzeugResponse:
        """The response for an exception from the handler or from finalize; never raises.

        The error response is finalized like any other (response hooks and
        after_response callbacks see it too).
        """
        try:
            return self.finalize(request, self.error_value(request, exc))
        except Exception as second:
            return self.last_resort(request, second)

    def error_value(self, request: Request, exc: Exception) -> Any:
        """What answers ``exc``: the exception hook's value, else an HTTPException's response, else a 500."""
        if self.exception_hook is not None:
            try:
                handled = self.exception_hook(request, exc)
            except Exception as hook_exc:
                self.log_exception(request, hook_exc, "in corolla_handle_exception")
            else:
                if handled is not None:
                    if not isinstance(exc, HTTPException):
                        logger.debug("%s handled by an exception hook: %r", request_line(request), exc)
                    return handled
        if isinstance(exc, HTTPException):
            return exc.get_response(request.environ)
        if self.app.propagate_exceptions:  # read here, on the error path: App.run may set it late
            raise Propagate()
        self.log_exception(request, exc, "")
        return self.internal_error(exc)

    def last_resort(self, request: Request, exc: Exception) -> _WerkzeugResponse:
        """The response when building an error response failed too; never raises.

        No second round through the exception hooks (they may be what
        failed): an HTTPException answers with its own response, anything
        else with a plain 500. Callbacks registered meanwhile still run.
        """
        if isinstance(exc, HTTPException):
            response = exc.get_response(request.environ)
        else:
            self.log_exception(request, exc, "while building the error response")
            response = self.internal_error(exc)
        if AFTER_RESPONSE in request.__dict__:
            try:
                run_after_response(request, response)
            except Exception as third:
                self.log_exception(request, third, "in an after_response callback")
                return self.internal_error(third)
        return response

    def teardown(self, request: Request, error: Exception | None) -> None:
        """The teardown hooks, in reverse load order; a failing one is logged and the others still run."""
        for teardown in self.teardown_hooks:
            try:
                teardown(request, error)
            except Exception as exc:
                self.log_exception(request, exc, "in corolla_teardown")

    # -- errors ----------------------------------------------------------------

    def internal_error(self, exc: BaseException) -> _WerkzeugResponse:
        if self.app.debug:  # not a copy: App.run(debug=True) sets it after compiling
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return Response(f"Internal Server Error (debug)\n\n{text}", 500, mimetype="text/plain")
        return InternalServerError().get_response()

    def log_exception(self, request: Request, exc: BaseException, context: str, answered_by: str = "") -> None:
        """Log ``exc`` with the request line and the plugin it was raised in; count it against that plugin.

        ``context`` says when it happened (``"in corolla_teardown"``);
        ``answered_by`` names what drew the error page instead of the core's
        500, for a plugin that handled the exception (routing's 500 handlers).
        """
        verdict = self.blame.assess(exc.__traceback__)
        plugin, where = verdict.plugin, verdict.phrase
        if plugin is None and isinstance(exc, ResponseValueError) and self.result_from:
            # make_response runs in the core, after the plugins returned: name who returned the value.
            returned = " and ".join(map(self.label, self.result_from))
            where = f"by make_response: {exc}; the value was returned through {returned}"
            plugin = self.result_from[-1]
        logger.error(
            "Unhandled %s on %s%s, raised %s%s",
            type(exc).__name__,
            request_line(request),
            f" {context}" if context else "",
            where,
            f"; answered by {answered_by}" if answered_by else "",
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"corolla_plugin": plugin},
        )
        if verdict.culprit is not None:
            # Kept per app, over every worker, for `corolla plugins why` (see _failures.py).
            self.failures.record(verdict.culprit, verdict.hook, exc, verdict.place)


class Propagate(BaseException):
    """The exception is to leave the app (``App.propagate_exceptions``).

    A BaseException, so the error path's own ``except Exception`` lets it through to ``serve``.
    """


def run_after_response(request: Request, response: _WerkzeugResponse) -> None:
    # Popped first, so a callback runs at most once, also when one raises and
    # the error path builds another response.
    for callback in request.__dict__.pop(AFTER_RESPONSE):
        callback(request, response)


# -- compiling -----------------------------------------------------------------


def compile_pipeline(app: App, host: PluginHost, request_class: type[Request]) -> Pipeline:
    """The app's request path, from its hook implementations in resolved order."""
    hook = host.hook
    trace = app_tracer(app)
    blame = Blame(app.plugins)
    for caller in vars(hook).values():
        if isinstance(caller, pluggy.HookCaller):
            for impl in caller.get_hookimpls():
                blame.note(impl.function, caller.name)
    for attr, value in vars(request_class).items():  # the plugins' request attributes (_app._compile)
        if isinstance(value, lazy):
            blame.note(value.factory, f"request attribute {attr!r}")
    dispatch = compile_firstresult(hook.corolla_dispatch, ("request",), trace) or _no_dispatch
    handler, wrappers = _wrap(app, host, dispatch, trace, blame)
    return Pipeline(
        app,
        request_class,
        handler,
        wrappers=wrappers,
        dispatchers=[impl.plugin_name for impl in call_order(hook.corolla_dispatch)],
        response_hooks=compile_each(hook.corolla_response, ("request", "response"), trace=trace),
        teardown_hooks=compile_each(hook.corolla_teardown, ("request", "exception"), True, trace),
        exception_hook=compile_firstresult(hook.corolla_handle_exception, ("request", "exception"), trace),
        blame=blame,
        failures=FailureLog(app.instance_path),
        label=host.label,
    )


def _wrap(
    app: App, host: PluginHost, dispatch: Handler, trace: Tracer | None, blame: Blame
) -> tuple[Handler, list[str]]:
    """Nest the ``corolla_wrap_request`` wrappers around dispatch: (handler, wrapping plugins outermost first)."""
    handler = dispatch if dispatch is _no_dispatch else _none_is_404(dispatch)
    wrappers: list[str] = []
    # The first plugin in load order must end up outermost: wrap from the last.
    for impl in reversed(call_order(host.hook.corolla_wrap_request)):
        wrapped = call_impl(impl, "corolla_wrap_request", {"app": app, "handler": handler}, host.label, trace)
        if wrapped is None:
            continue
        if not callable(wrapped):
            raise PluginError(
                impl.plugin_name,
                f"plugin {host.label(impl.plugin_name)}: corolla_wrap_request returned {wrapped!r}, "
                "not a callable; return a function taking the request, or None",
            )
        blame.note(wrapped, "corolla_wrap_request")  # the wrapper runs per request, not the hook
        handler = wrapped if trace is None else traced(wrapped, "corolla_wrap_request", impl.plugin_name, trace)
        wrappers.insert(0, impl.plugin_name)
    # The core's own guard (trusted hosts, https redirect), outermost: an untrusted Host is refused
    # before any plugin sees the request. None when neither is configured: nothing per request.
    guard = request_guard(app.config["core"], handler)
    if guard is not None:
        handler = guard
        wrappers.insert(0, "corolla")
    # Unwrapped, the pipeline checks dispatch's None itself (see Pipeline.none_is_404).
    return (handler if wrappers else dispatch), wrappers


def _no_dispatch(request: Request) -> Any:
    raise NotFound(NO_DISPATCH_HINT)


def _none_is_404(dispatch: Handler) -> Handler:
    def handle(request: Request) -> Any:
        rv = dispatch(request)
        if rv is None:
            raise NotFound()  # the dispatch plugins found nothing: werkzeug's plain 404
        return rv

    return handle
