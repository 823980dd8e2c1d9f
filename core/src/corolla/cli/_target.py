"""What a command works on: the user's app, or the installed plugins and the config in the working folder.

The app is found like Flask finds its app: ``--app module:attr`` (or
``module``, or ``path/to/file.py``), else ``COROLLA_APP``, else ``app.py``
or ``wsgi.py`` in the working folder. In a module, the attribute ``app`` is
used, else a ``create_app()`` factory; ``module:factory()`` calls a factory.

Without an app, inspection commands plan the installed plugin set with the
config found in the working folder (``corolla.toml`` or ``pyproject.toml``),
exactly as ``App(root=<working folder>)`` would, without starting anything.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import sysconfig
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from .._app_plan import plan_app
from .._errors import CorollaError, Problem
from .._planning import Plan
from ._commands import CommandIndex, add_legacy, build, declared_index
from ._render import warn

if TYPE_CHECKING:
    from .._app import App

APP_ENV = "COROLLA_APP"
DEFAULT_FILES = ("app.py", "wsgi.py")


class AppLoadError(click.ClickException):
    """The app could not be found or built; one line, naming what was tried."""

    exit_code = 2

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class PlanError(click.ClickException):
    """No plan could be made: the ``[plugins]`` section, which decides what to import, is invalid."""

    exit_code = 1

    def __init__(self, error: CorollaError) -> None:
        super().__init__(str(error))
        self.problems: list[Problem] = list(getattr(error, "problems", []))


def _import_module(ref: str, cwd: Path) -> ModuleType:
    if ref.endswith(".py") or os.sep in ref:
        path = (cwd / ref).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no file {path}")
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        name = path.stem
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module
    if str(cwd) not in sys.path:
        sys.path.insert(0, str(cwd))
    return importlib.import_module(ref)


def _app_from(module: ModuleType, attr: str) -> Any:
    from .._app import App  # lazily: corolla._app imports werkzeug (~100 ms), needed only once an app is used

    if attr:
        call = attr.endswith("()")
        name = attr[:-2] if call else attr
        if not hasattr(module, name):
            raise LookupError(f"module {module.__name__!r} has no attribute {name!r}")
        obj = getattr(module, name)
        return obj() if call else obj
    if isinstance(getattr(module, "app", None), App):
        return module.app
    factory = getattr(module, "create_app", None)
    if callable(factory):
        return factory()
    found = [name for name, value in vars(module).items() if isinstance(value, App)]
    if len(found) == 1:
        return getattr(module, found[0])
    raise LookupError(
        f"module {module.__name__!r} has no 'app' attribute and no create_app() factory"
        + (f" (it has several apps: {', '.join(found)}; name one with module:attr)" if found else "")
    )


def _short(filename: str, cwd: Path) -> str:
    try:
        return str(Path(filename).resolve().relative_to(cwd))
    except ValueError:
        return filename


def _where(exc: BaseException, cwd: Path) -> str:
    """``file:line`` of a SyntaxError, else of the innermost traceback frame in the user's code.

    The user's code: a file under the working folder (outside a virtualenv in
    it), else any file outside the standard library, site-packages and corolla.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_short(exc.filename, cwd)}:{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<")]
    ignored = {sysconfig.get_path("stdlib"), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    ignored.add(str(Path(__file__).resolve().parent.parent))  # corolla itself

    def outside(filename: str) -> bool:
        path = str(Path(filename).resolve())
        return not any(p and path.startswith(str(Path(p).resolve())) for p in ignored) and "site-packages" not in path

    for wanted in (lambda f: outside(f) and _short(f, cwd) != f, outside):
        found = [f for f in frames if wanted(f.filename)]
        if found:
            return f"{_short(found[-1].filename, cwd)}:{found[-1].lineno}"
    return ""


class State:
    """Per-invocation state: options, and the app or plan, each loaded at most once."""

    def __init__(
        self,
        app_ref: str | None = None,
        show_traceback: bool = False,
        *,
        cwd: Path | None = None,
        environ: Mapping[str, str] | None = None,
        plugin_path: Sequence[str] | None = None,
        app: App | None = None,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.cwd = (cwd or Path.cwd()).resolve()
        self.show_traceback = show_traceback
        self.plugin_path = list(plugin_path) if plugin_path is not None else None
        self._manifest_plan: Plan | None = None
        if app_ref:
            self.candidates, self.origin = [app_ref], "--app"
        elif self.environ.get(APP_ENV):
            self.candidates, self.origin = [self.environ[APP_ENV]], APP_ENV
        else:
            self.candidates = [name for name in DEFAULT_FILES if (self.cwd / name).is_file()]
            self.origin = "the working folder"
        self._app: App | None = app
        self._app_loaded = app is not None
        if app is not None:
            self.candidates, self.origin = [repr(app)], "the caller"
        self._app_error: BaseException | None = None
        self._wrapped = AppLoadError("")
        self._plan: Plan | None = None
        self._inspection: App | None = None
        self._inspection_error: BaseException | None = None
        self._folder_plan: Plan | None = None
        self._index: CommandIndex | None = None

    # -- the app -------------------------------------------------------------

    @property
    def tried(self) -> str:
        if self.origin == "the working folder":
            return f"tried --app, {APP_ENV}, then {' and '.join(DEFAULT_FILES)} in {self.cwd}"
        return f"tried {self.origin} {self.candidates[0]!r}"

    def app(self) -> App | None:
        """The user's app, or None when there is none; ``AppLoadError`` when it is broken."""
        if not self._app_loaded:
            self._app_loaded = True
            try:
                self._app = self._load()
            except Exception as exc:
                self._app_error = exc
                self._wrapped = self._wrap(exc)
        if self._app_error is not None:
            raise self._wrapped
        return self._app

    @property
    def loaded_app(self) -> App | None:
        """The app if it was already loaded and works; never loads it."""
        return self._app if self._app_loaded and self._app_error is None else None

    def require_app(self, command: str) -> App:
        app = self.app()
        if app is None:
            raise AppLoadError(f"{command} needs an app: pass --app module:app or set {APP_ENV} ({self.tried})")
        return app

    def _load(self) -> App | None:
        if not self.candidates:
            return None
        ref = self.candidates[0]
        module_ref, _, attr = ref.partition(":")
        module = _import_module(module_ref, self.cwd)
        app = _app_from(module, attr)
        from .._app import App  # lazily: see _app_from

        if not isinstance(app, App):
            raise TypeError(f"{ref!r} is {type(app).__name__}, not a corolla.App")
        return app

    def _wrap(self, exc: BaseException) -> AppLoadError:
        if isinstance(exc, AppLoadError):
            return exc
        ref = self.candidates[0] if self.candidates else "?"
        if isinstance(exc, CorollaError):
            # Its message lists every problem, with fixes: worth more lines.
            text = str(exc)
        else:
            text = traceback.format_exception_only(type(exc), exc)[-1].strip()
            where = _where(exc, self.cwd)
            if where:
                text += f" (at {where})"
        if self.show_traceback:
            traceback.print_exception(type(exc), exc, exc.__traceback__)
        hint = "" if self.show_traceback else " (--traceback shows where)"
        return AppLoadError(f"could not load the app {ref!r} ({self.tried}): {text}{hint}", exc)

    # -- the plan ------------------------------------------------------------

    def plan(self, imports: bool = True) -> Plan:
        """The app's plan, or the installed set's with the working folder's config.

        An app that failed to start because of its plugins or config still
        has a plan (the error carries it), so inspection commands can show why.
        An app that fails for another reason (it does not import, its factory
        raises) is named in a one-line warning on stderr, and the plan is the
        working folder's (``folder_plan``).
        """
        if self._plan is None:
            try:
                app = self.app()
            except AppLoadError as err:
                if isinstance(err.cause, CorollaError) and err.cause.plan is not None:
                    self._plan = err.cause.plan  # a plugin-set or config problem: the app's own plan shows why
                    return self._plan
                if isinstance(err.cause, CorollaError):
                    raise PlanError(err.cause) from err  # no plan could be made: [plugins] is invalid
                # The app itself is broken (an import error, a typo): describe the
                # installed set with this folder's config rather than nothing.
                warn(f"{err.message}; showing the installed plugins with the config in {self.cwd} instead")
                self._plan = self.folder_plan()
                return self._plan
            if app is not None:
                self._plan = app.plan
            elif not imports:
                return self.manifest_plan()
            else:
                try:
                    self._plan = plan_app(self.cwd, plugin_path=self.plugin_path, environ=self.environ)
                except CorollaError as exc:
                    raise PlanError(exc) from exc
        return self._plan

    def folder_plan(self) -> Plan:
        """The installed set planned with the working folder's config; never imports the app."""
        if self._folder_plan is None:
            try:
                self._folder_plan = plan_app(self.cwd, plugin_path=self.plugin_path, environ=self.environ)
            except CorollaError as exc:
                raise PlanError(exc) from exc
        return self._folder_plan

    def manifest_plan(self) -> Plan:
        """The working folder's plan read from manifests only: no plugin that ships one is imported."""
        if self._manifest_plan is None:
            try:
                self._manifest_plan = plan_app(
                    self.cwd, plugin_path=self.plugin_path, environ=self.environ, import_plugins=False
                )
            except CorollaError as exc:
                raise PlanError(exc) from exc
        return self._manifest_plan

    def folder_plan_without_lock(self) -> Plan:
        """The working folder's plan with ``[plugins] lock`` off: the set as installed, to lock it anew."""
        environ = {**self.environ, "COROLLA_PLUGINS__LOCK": ""}
        try:
            return plan_app(self.cwd, plugin_path=self.plugin_path, environ=environ)
        except CorollaError as exc:
            raise PlanError(exc) from exc

    @property
    def app_load_message(self) -> str:
        """The one-line account of why the app could not be loaded ("" when it was)."""
        return self._wrapped.message if self._app_error is not None and self._wrapped is not None else ""

    @property
    def app_error(self) -> BaseException | None:
        """Why the app did not start, when it was found but failed."""
        return self._app_error

    def inspection_app(self) -> App:
        """The app, or an ``App`` rooted in the working folder built only to be inspected.

        Its plugins are configured and started (``corolla_configure`` says to
        do no I/O there); it serves no request.
        """
        app = self.app()
        if app is not None:
            return app
        if self._inspection_error is not None:
            raise self._inspection_error
        if self._inspection is None:
            from .._app import App  # lazily: see _app_from

            try:
                self._inspection = App(root=self.cwd, plugin_path=self.plugin_path, environ=self.environ)
            except CorollaError as exc:
                self._inspection_error = AppLoadError(
                    f"the installed plugins do not start (no app found: {self.tried}): {exc}", exc
                )
                raise self._inspection_error from exc
        return self._inspection

    def close(self) -> None:
        if self._inspection is not None:
            self._inspection.close()

    # -- plugin commands -----------------------------------------------------

    def command_index(self) -> CommandIndex:
        """Plugins' commands, one index: declared names as data, each command built on first use.

        From the loaded app's plan when the app is already loaded (never
        loads it), else from the working folder's plan, so ``corolla --help``
        neither imports the app nor starts a plugin.
        """
        if self._index is None:
            app = self.loaded_app
            if app is not None:
                self._index = declared_index(app.plan)
            else:
                try:
                    # Manifests only: --help imports no plugin that ships one (nor the app).
                    self._index = declared_index(self.manifest_plan())
                except PlanError as err:
                    self._index = CommandIndex(errors=[f"plugin commands are unavailable: {err.message}"])
        return self._index

    def plugin_command(self, name: str) -> click.Command | None:
        """The plugin command ``name``, built now; the deprecated hook is asked only for a name not declared."""
        index = self.command_index()
        if name not in index.entries:
            add_legacy(index, self)
        return build(index, name, self)
