"""``App``: the façade. Construction, lifecycle and the WSGI entry point.

Everything is decided in ``App.__init__``: plugins are discovered, resolved
(all problems at once, nothing half-loaded), instantiated, registered with
pluggy, configured, and the request pipeline is compiled (``_pipeline``).
``App.__call__`` only hands the request to that pipeline.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from ._app_cli import AppCommands
from ._app_hooks import APP_LABEL, APP_PLUGIN, AppHooks
from ._app_plan import plan_app
from ._calls import call_each, iter_calls
from ._config import Config, instance_folder, instance_secret_key
from ._defaults import CorePlugin
from ._errors import CorollaError, PluginError
from ._manager import PluginHost
from ._pipeline import Pipeline, compile_pipeline
from ._planning import Plan, Resolution, Selection
from ._plugin import Plugin
from ._version import __version__
from ._wrappers import Request, lazy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ._client import Client

logger = logging.getLogger("corolla")

F = TypeVar("F", bound=Callable[..., Any])


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
    pipeline: list[str]  # the plugins wrapping requests, outermost first
    plan: Plan
    _pipeline: Pipeline  # the compiled request path that __call__ hands requests to
    cli: AppCommands
    propagate_exceptions: bool
    request_hooks: AppHooks

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        plugins: Iterable[str] | None = None,
        *,
        root: str | os.PathLike[str] | None = None,
        plugin_path: Sequence[str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        plugins = _checked_arguments(config, plugins)
        self.root = Path(root).resolve() if root is not None else _caller_root()
        #: The app's own ``corolla`` commands: ``@app.cli.command("init-db")``.
        self.cli = AppCommands("app")
        #: Functions of @app.before_request / after_request / teardown_request (the plugin 'app').
        self.request_hooks = AppHooks()
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
        #: An exception no exception hook handles leaves the app (teardown still runs) instead of
        #: becoming a 500: ``[core] testing``, and werkzeug's debugger (``corolla run --debug``).
        self.propagate_exceptions = core["testing"]
        self.instance_path = instance_folder(self.root, core)

        self._host = PluginHost({name: d.record.label() for name, d in self.resolution.decisions.items()})
        self.plugin_manager = self._host.pm
        self.plugins = {}
        self._started: list[str] = []
        try:
            self._load_plugins()
            self._compile()
            self._start()
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
        call_each(self, "corolla_configure", app=self)

    def _compile(self) -> None:
        host = self._host
        app_attrs = call_each(self, "corolla_app_attributes", app=self)
        for attr, value in host.contributions("corolla_app_attributes", "app_attributes", app_attrs).items():
            setattr(self, attr, value)
        request_attrs = call_each(self, "corolla_request_attributes", app=self)
        factories = host.contributions("corolla_request_attributes", "request_attributes", request_attrs)
        core = self.config["core"]
        namespace: dict[str, Any] = {name: lazy(factory, name) for name, factory in factories.items()}
        namespace.update(
            max_content_length=core["max_content_length"],
            max_form_memory_size=core["max_form_memory_size"],
            max_form_parts=core["max_form_parts"],
            __module__=Request.__module__,
        )
        self.request_class = type("Request", (type(self).request_class,), namespace)
        self._pipeline = compile_pipeline(self, host, self.request_class)
        self.pipeline = self._pipeline.wrappers

    def _start(self) -> None:
        # One plugin at a time, so a failure shuts down exactly those already started.
        for name, _ in iter_calls(self, "corolla_startup", {"app": self}):
            self._started.append(name)

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
            if not (self.__dict__.get("_dev_server") or _is_corolla_run()):
                # Not the development server (`corolla run`, App.run): gunicorn, a test, a script.
                # Say so once: a production server signing with the generated key is the classic mistake.
                logger.warning(
                    "signing with the development secret key generated in %s: fine for `corolla run`, never "
                    "for a production server (sessions and tokens are forgeable by anyone who reads that "
                    "folder, and each machine has its own); set COROLLA_CORE__SECRET_KEY",
                    self.instance_path / "secret_key",
                )
        return str(cached)

    @property
    def secret_key_fallbacks(self) -> list[str]:
        return list(self.config["core"]["secret_key_fallbacks"])

    # -- serving -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # A bound method, not the Pipeline object itself: calling an object
        # through its __call__ costs about 0.1 µs more per request.
        return self._pipeline.serve(environ, start_response)

    def report_exception(self, request: Request, exc: BaseException, answered_by: str) -> None:
        """Log ``exc`` as the core logs an exception nobody handled, for a plugin that answered it itself.

        Routing's 500 error handlers draw the page, so the core never sees
        the exception; they report it here, and the log line names the plugin
        it was raised in (``"... raised in plugin 'x' (corolla-x 1.0) at
        file:line in f; answered by <answered_by>"``), with its traceback, and
        the failure is counted against that plugin (``corolla plugins why``).
        """
        self._pipeline.log_exception(request, exc, "", answered_by=answered_by)

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

    # -- the app's own request hooks (Flask's decorators) ---------------------

    def before_request(self, function: F) -> F:
        """Decorator: ``function(request)`` runs before every view; a value other than None answers instead.

        Runs inside every plugin's wrapper (sessions, the CSRF check), just
        before dispatch, in the order registered. See ``_app_hooks``.
        """
        self.request_hooks.before.append(function)
        self._install_request_hooks()
        return function

    def after_request(self, function: F) -> F:
        """Decorator: ``function(request, response)`` changes every response in place (error pages too).

        Run in the reverse order of registration; returning a different
        response is an error (change the one given).
        """
        self.request_hooks.after.append(function)
        self._install_request_hooks()
        return function

    def teardown_request(self, function: F) -> F:
        """Decorator: ``function(request, exception)`` runs after every request (exception: the unhandled one, or None).

        Reverse order of registration; one that raises is logged and the others still run.
        """
        self.request_hooks.teardown.append(function)
        self._install_request_hooks()
        return function

    def _install_request_hooks(self) -> None:
        # The app-local plugin is made again with just the hooks in use, and
        # the pipeline compiled again around it (one attribute swap: a
        # request already running finishes on the pipeline it started on).
        pm = self.plugin_manager
        previous = pm.get_plugin(APP_PLUGIN)
        if previous is not None:
            pm.unregister(previous)
        pm.register(self.request_hooks.plugin(), name=APP_PLUGIN)
        self._host.labels[APP_PLUGIN] = APP_LABEL
        self._pipeline = compile_pipeline(self, self._host, self.request_class)
        self.pipeline = self._pipeline.wrappers

    def test_client(self) -> Client:
        """A test client for this app: werkzeug's ``Client`` plus Flask's extras (``corolla.testing.Client``).

        ``client.get("/")``; ``with client:`` keeps ``client.last_request``;
        ``client.session_transaction()`` reads and writes the session.
        """
        from ._client import Client

        return Client(self)

    def run(
        self, host: str = "127.0.0.1", port: int = 8000, *, debug: bool | None = None, reload: bool = False
    ) -> None:
        """Serve with werkzeug's development server, threaded (never in production).

        ``debug`` (default ``[core] debug``) sets ``app.debug`` (tracebacks in
        error pages) and starts werkzeug's interactive debugger, which runs
        any Python code a visitor types, only when ``host`` is a loopback
        address, as with ``corolla run --debug``; elsewhere it stays off, with
        a warning. With the debugger on, a raising view reaches it
        (``propagate_exceptions``).
        """
        from werkzeug.serving import run_simple

        from ._security import is_loopback

        if debug is not None:
            self.debug = debug
        use_debugger = self.debug and is_loopback(host)
        if self.debug and not use_debugger:
            logger.warning(
                "App.run(debug=True) on %s, which is not a loopback address: the interactive debugger "
                "(which runs any code a visitor types) is OFF; never expose debug mode to a network",
                host,
            )
        if use_debugger:
            self.propagate_exceptions = True
        self.__dict__["_dev_server"] = True  # the generated secret key is expected here
        run_simple(
            host,
            port,
            self,
            use_reloader=reload,
            use_debugger=use_debugger,
            use_evalex=use_debugger,
            threaded=True,
        )

    def __repr__(self) -> str:
        order = ", ".join(self.resolution.order) or "no plugins"
        return f"<App {str(self.root)!r} [{order}]>"


def _is_corolla_run() -> bool:
    """Whether this process is ``corolla run`` (the development server, where the generated key belongs)."""
    argv = sys.argv
    return len(argv) > 1 and Path(argv[0]).name.startswith("corolla") and "run" in argv[1:]


def _checked_arguments(config: Mapping[str, Any] | None, plugins: Iterable[str] | None) -> list[str] | None:
    """``App(config, plugins)``'s arguments checked (TypeError naming the mistake); the plugin names as a list."""
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
    return plugins
