"""``App``: discovery, resolution, registration and the WSGI entry point.

Everything is decided in ``App.__init__``: plugins are discovered, resolved
(all problems at once, nothing half-loaded), instantiated, registered with
pluggy, configured, and the request pipeline is compiled. ``App.__call__`` then
runs only what was compiled.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.wrappers import Response as _WerkzeugResponse

from ._config import Config, instance_secret_key
from ._decisions import Resolution, Selection
from ._defaults import CorePlugin
from ._errors import CorollaError, PluginError
from ._manager import PluginHost
from ._pipeline import (
    Blame,
    Tracer,
    bind_all,
    call_order,
    compile_each,
    compile_firstresult,
    needs_pluggy,
    pluggy_call,
    traced,
)
from ._plan import Plan, make_plan
from ._plugin import Plugin
from ._version import __version__
from ._wrappers import AFTER_RESPONSE, Request, Response, ResponseValueError, lazy, make_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.test import Client

logger = logging.getLogger("corolla")

NO_DISPATCH_HINT = (
    "No plugin handled this request: no installed plugin implements the corolla_dispatch hook. "
    "Install a dispatch plugin (e.g. corolla-routing) and check `corolla plugins list`."
)

_HTML_HEADERS = "text/html; charset=utf-8"


def _caller_root() -> Path:
    """The folder of the module that called ``App(...)``, like Flask's root_path."""
    frame = sys._getframe(2)
    filename = frame.f_globals.get("__file__")
    if filename:
        return Path(filename).resolve().parent
    return Path.cwd()


class App:
    """A Corolla application: a WSGI callable built from the installed plugins.

    ``config`` is a mapping of sections (``{"core": {"debug": True}}``),
    layered over the config file and under the environment. ``plugins`` is an
    allowlist of plugin names (None loads every installed plugin). ``root`` is
    the app's folder (default: the folder of the module creating the app),
    where ``corolla.toml`` and the ``instance`` folder are looked for.
    ``plugin_path`` searches these folders instead of ``sys.path`` for plugin
    distributions (for tests and tools). ``environ`` replaces ``os.environ``
    as the source of ``COROLLA_*`` variables.

    Raises ``PluginResolutionError`` when the plugin set does not resolve,
    ``ConfigError`` for invalid configuration and ``PluginError`` when a
    plugin fails while starting; in every case no plugin stays loaded.
    """

    request_class: type[Request] = Request
    # Instance attributes, declared here so that plugins cannot claim their
    # names (resolution reserves every public name of the class).
    root: Path
    selection: Selection
    resolution: Resolution
    config: Config
    debug: bool
    instance_path: Path
    plugins: dict[str, Plugin]
    plugin_manager: pluggy.PluginManager
    pipeline: list[str]
    plan: Plan

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        plugins: Iterable[str] | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        plugin_path: Sequence[str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(plugins, (str, bytes)):
            raise TypeError(f"App(plugins=...) takes a list of plugin names, e.g. [{plugins!r}], not a string")
        if plugins is not None:
            plugins = list(plugins)
            wrong = [p for p in plugins if not isinstance(p, str)]
            if wrong:
                raise TypeError(
                    f"App(plugins=...) takes plugin names (the entry point names, as strings), not {wrong[0]!r}"
                )
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(
                f"App(config=...) takes a mapping of sections, e.g. {{'core': {{'debug': True}}}}, "
                f"not {type(config).__name__}"
            )
        self.root = Path(root).resolve() if root is not None else _caller_root()
        plan = plan_app(self.root, config, plugins, plugin_path=plugin_path, environ=environ)
        self.selection = plan.selection
        self.resolution = plan.resolution
        for warning in self.resolution.warnings:
            logger.warning("%s (fix: %s)", warning.message, warning.fix)
        plan.raise_for_problems()
        self.plan = plan
        self.config = plan.config
        core = self.config["core"]
        self.debug = core["debug"]
        # A relative instance path is relative to the app's root, not to the
        # folder a worker happened to start in.
        self.instance_path = self.root / (core["instance_path"] or "instance")

        self._host = PluginHost({name: d.record.label() for name, d in self.resolution.decisions.items()})
        self.plugin_manager = self._host.pm
        self.plugins = {}
        self._started: list[str] = []
        try:
            self._load_plugins()
            self._compile()
            self._host.call_each("corolla_startup", done=self._started, app=self)
        except BaseException as exc:
            self._unload()
            if isinstance(exc, CorollaError) and exc.plan is None:
                exc.plan = plan  # the command line still shows which plugins were planned
            raise
        # Every plugin is started now, also those with no corolla_startup
        # (a pool made lazily on the first request still needs closing).
        self._started = list(self.resolution.order)
        self._explain()

    def _explain(self) -> None:
        """Log what was decided: the load order (info) and every other plugin's reason (debug)."""
        loaded = ", ".join(self.resolution.decisions[n].record.label() for n in self.resolution.order)
        logger.info("corolla %s started with plugins in this order: %s", __version__, loaded or "(none)")
        for decision in self.resolution.decisions.values():
            if decision.status != "enabled":
                logger.debug("plugin %s is %s: %s", decision.record.label(), decision.status, decision.reason)

    # -- construction --------------------------------------------------------

    def _load_plugins(self) -> None:
        order = self.resolution.order
        for name in order:
            record = self.resolution.decisions[name].record
            cls = record.plugin_class
            if cls is None:  # resolution guarantees a class; keep the message honest anyway
                raise PluginError(name, f"plugin {record.label()} has no plugin class")
            try:
                self.plugins[name] = cls(self, record, self.config[name])
            except Exception as exc:
                raise PluginError(name, f"plugin {record.label()} failed in {cls.__qualname__}(): {exc!r}") from exc
        self._host.register(self.plugins, order, CorePlugin(self))
        self._blame = Blame(self.plugins)
        self._host.call_each("corolla_configure", app=self)

    def _compile(self) -> None:
        host = self._host
        for attr, value in host.contributions("corolla_app_attributes", "app_attributes", app=self).items():
            setattr(self, attr, value)
        request_attrs = host.contributions("corolla_request_attributes", "request_attributes", app=self)
        core = self.config["core"]
        namespace: dict[str, Any] = {name: lazy(factory, name) for name, factory in request_attrs.items()}
        namespace.update(
            max_content_length=core["max_content_length"],
            max_form_memory_size=core["max_form_memory_size"],
            max_form_parts=core["max_form_parts"],
            __module__=Request.__module__,
        )
        self.request_class = type("Request", (type(self).request_class,), namespace)

        hook = host.hook
        trace = _hook_tracer(host.label) if core["trace_hooks"] else None
        dispatch = compile_firstresult(hook.corolla_dispatch, ("request",), trace) or _no_dispatch
        handler: Callable[[Request], Any] = _none_is_404(dispatch)
        self.pipeline = []
        # The first plugin in load order must end up outermost: wrap from the last.
        for impl in reversed(call_order(hook.corolla_wrap_request)):
            wrapped = host.call(impl, "corolla_wrap_request", app=self, handler=handler)
            if wrapped is not None:
                if not callable(wrapped):
                    raise PluginError(
                        impl.plugin_name,
                        f"plugin {host.label(impl.plugin_name)}: corolla_wrap_request returned {wrapped!r}, "
                        "not a callable; return a function taking the request, or None",
                    )
                handler = wrapped if trace is None else traced(wrapped, "corolla_wrap_request", impl.plugin_name, trace)
                self.pipeline.insert(0, impl.plugin_name)
        self._handler = handler
        # Who hands the core the value it makes a response of (for error messages).
        dispatchers = [impl.plugin_name for impl in call_order(hook.corolla_dispatch)]
        self._result_from = [*self.pipeline, *dispatchers]
        self._response_hooks = compile_each(hook.corolla_response, ("request", "response"), trace=trace)
        self._teardown_hooks = compile_each(hook.corolla_teardown, ("request", "exception"), True, trace)
        self._exception_hook = compile_firstresult(hook.corolla_handle_exception, ("request", "exception"), trace)
        # The fast path skips building a werkzeug Response for str results;
        # only possible while no plugin wants to see every response.
        self._fast = not self._response_hooks

    def _unload(self) -> None:
        for name in reversed(self._started):
            self._host.shutdown(name, app=self)
        self._host.unregister_all()
        self.plugins.clear()

    # -- secret key ----------------------------------------------------------

    @property
    def secret_key(self) -> str:
        """The signing key: ``[core] secret_key``, or the development key kept in the instance folder."""
        key = self.config["core"]["secret_key"]
        if key:
            return str(key)
        cached = self.__dict__.get("_dev_secret_key")
        if cached is None:
            cached = self.__dict__["_dev_secret_key"] = instance_secret_key(self.instance_path)
        return str(cached)

    @property
    def secret_key_fallbacks(self) -> list[str]:
        return list(self.config["core"]["secret_key_fallbacks"])

    # -- serving -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = self.request_class(environ, self)
        try:
            rv = self._handler(request)
            if self._fast and type(rv) is str and AFTER_RESPONSE not in request.__dict__:
                # The common case, without building a werkzeug Response (saves ~10 µs).
                body = rv.encode()
                if self._teardown_hooks:
                    self._teardown(request, None)
                if "files" in request.__dict__:
                    request.close()  # uploaded files' temporary files
                start_response("200 OK", [("Content-Type", _HTML_HEADERS), ("Content-Length", str(len(body)))])
                return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
            response = make_response(rv, request)
            for hook in self._response_hooks:
                hook(request, response)
            if AFTER_RESPONSE in request.__dict__:
                _run_after_response(request, response)
            error = None
        except Exception as exc:
            response = self._error_response(request, exc)
            error = exc
        if self._teardown_hooks:
            self._teardown(request, error)
        if "files" in request.__dict__:
            request.close()  # uploaded files' temporary files (werkzeug leaves them open)
        return response(environ, start_response)

    def _teardown(self, request: Request, error: Exception | None) -> None:
        for teardown in self._teardown_hooks:
            try:
                teardown(request, error)
            except Exception as exc:
                self._log_plugin_exception(request, exc, "in corolla_teardown")

    def _error_response(self, request: Request, exc: Exception) -> _WerkzeugResponse:
        handled = None
        if self._exception_hook is not None:
            try:
                handled = self._exception_hook(request, exc)
            except Exception as hook_exc:
                self._log_plugin_exception(request, hook_exc, "in corolla_handle_exception")
        try:
            if handled is not None:
                if not isinstance(exc, HTTPException):
                    logger.debug("%s handled by an exception hook: %r", _request_line(request), exc)
                response = make_response(handled, request)
            elif isinstance(exc, HTTPException):
                response = exc.get_response(request.environ)
            else:
                self._log_plugin_exception(request, exc, "")
                response = self._internal_error(exc)
            for hook in self._response_hooks:
                hook(request, response)
            if AFTER_RESPONSE in request.__dict__:
                _run_after_response(request, response)
            return response
        except Exception as second:
            # No second round through the exception hooks (they may be what
            # failed): an HTTPException answers with its own response, anything
            # else with a plain 500. Callbacks registered meanwhile still run.
            if isinstance(second, HTTPException):
                response = second.get_response(request.environ)
            else:
                self._log_plugin_exception(request, second, "while building the error response")
                response = self._internal_error(second)
            if AFTER_RESPONSE in request.__dict__:
                try:
                    _run_after_response(request, response)
                except Exception as third:
                    self._log_plugin_exception(request, third, "in an after_response callback")
                    return self._internal_error(third)
            return response

    def _internal_error(self, exc: BaseException) -> _WerkzeugResponse:
        if self.debug:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return Response(f"Internal Server Error (debug)\n\n{text}", 500, mimetype="text/plain")
        return InternalServerError().get_response()

    def _log_plugin_exception(self, request: Request, exc: BaseException, context: str) -> None:
        plugin, where = self._blame.describe(exc.__traceback__)
        if plugin is None and isinstance(exc, ResponseValueError) and self._result_from:
            # make_response runs in the core, after the plugins returned: name who returned the value.
            returned = " and ".join(map(self._host.label, self._result_from))
            where = f"by make_response: {exc}; the value was returned through {returned}"
            plugin = self._result_from[-1]
        logger.error(
            "Unhandled %s on %s%s, raised %s",
            type(exc).__name__,
            _request_line(request),
            f" {context}" if context else "",
            where,
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"corolla_plugin": plugin},
        )

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Shut the plugins down (``corolla_shutdown``, reverse load order); idempotent."""
        started, self._started = self._started, []
        for name in reversed(started):
            self._host.shutdown(name, app=self)

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def test_client(self) -> Client:
        """A werkzeug test ``Client`` for this app (``client.get("/")``)."""
        from werkzeug.test import Client

        return Client(self)

    def run(
        self, host: str = "127.0.0.1", port: int = 8000, *, debug: bool | None = None, reload: bool = False
    ) -> None:
        """Serve with werkzeug's development server (never in production)."""
        from werkzeug.serving import run_simple

        use_debug = self.debug if debug is None else debug
        run_simple(host, port, self, use_reloader=reload, use_debugger=use_debug)

    def __repr__(self) -> str:
        order = ", ".join(self.resolution.order) or "no plugins"
        return f"<App {str(self.root)!r} [{order}]>"


def plan_app(
    root: Path,
    config: Mapping[str, Any] | None = None,
    plugins: Iterable[str] | None = None,
    *,
    plugin_path: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan ``App(config, plugins, root=root, ...)`` would start from, without starting anything."""
    return make_plan(
        root,
        config,
        plugins,
        plugin_path=plugin_path,
        environ=environ,
        reserved_app=_public_names(App),
        reserved_request=_public_names(App.request_class),
    )


def hook_functions(app: App, hook_name: str) -> list[tuple[str, Callable[..., Any]]]:
    """A hook's implementations as ``(plugin name, function)`` pairs in call order, for plugins to compile.

    For a plugin that calls a hook of its own (one it declares in
    ``hookspecs``) on the request path: call this once, in
    ``corolla_startup``, and keep the functions. Each takes the spec's
    arguments positionally (the request first) and receives only those its
    implementation accepts. With ``[core] trace_hooks`` on (``corolla run
    --trace-hooks``) each one logs its calls on ``corolla.trace`` like the
    core's own hooks; off, they are the plain functions and cost nothing.
    Wrappers change how a hook is called: with any wrapper, the one pair
    ``("a+b", call)`` goes through pluggy.
    """
    hook = getattr(app.plugin_manager.hook, hook_name, None)
    if hook is None or hook.spec is None:
        raise LookupError(f"no hook specification {hook_name!r}: declare it in a plugin's hookspecs")
    argnames = tuple(hook.spec.argnames)
    host = app._host
    trace = _hook_tracer(host.label) if app.config["core"]["trace_hooks"] else None
    impls = call_order(hook)
    if needs_pluggy(impls):
        return [("+".join(impl.plugin_name for impl in impls), pluggy_call(hook, argnames, trace))]
    fns = bind_all(hook, impls, argnames, trace)
    return [(impl.plugin_name, fn) for impl, fn in zip(impls, fns, strict=True)]


def _run_after_response(request: Request, response: _WerkzeugResponse) -> None:
    # Popped first, so a callback runs at most once, also when one raises and
    # the error path builds another response.
    for callback in request.__dict__.pop(AFTER_RESPONSE):
        callback(request, response)


def _public_names(cls: type) -> frozenset[str]:
    names = set(dir(cls))
    for klass in cls.__mro__:
        names.update(getattr(klass, "__annotations__", {}))
    return frozenset(name for name in names if not name.startswith("_"))


def _hook_tracer(label: Callable[[str], str]) -> Tracer:
    """Logs each hook call on ``corolla.trace``: request line, hook, plugin, duration."""
    trace_log = logging.getLogger("corolla.trace")

    def trace(hook_name: str, plugin: str, seconds: float, request: Any) -> None:
        where = _request_line(request) if isinstance(request, Request) else "?"
        # A wrapper's time includes everything it wraps.
        trace_log.info("%s %s in plugin %s: %.3f ms", where, hook_name, label(plugin), seconds * 1e3)

    return trace


def _request_line(request: Request) -> str:
    return f"'{request.log_line()}'"


def _no_dispatch(request: Request) -> Any:
    raise NotFound(NO_DISPATCH_HINT)


def _none_is_404(dispatch: Callable[[Request], Any]) -> Callable[[Request], Any]:
    if dispatch is _no_dispatch:
        return dispatch

    def handle(request: Request) -> Any:
        rv = dispatch(request)
        if rv is None:
            raise NotFound()  # the dispatch plugins found nothing: werkzeug's plain 404
        return rv

    return handle
