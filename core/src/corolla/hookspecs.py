"""The hook specifications of the core: the reference for plugin authors.

Every hook's docstring says when it runs, what it receives, what it returns,
whether the first non-None result wins, and in which order implementations
run. These docstrings are the hook reference.

Order: implementations run in the resolved load order (a plugin after the
plugins it requires), adjusted by pluggy's ``tryfirst``/``trylast``.

Cost: the request-time hooks (``corolla_dispatch``, ``corolla_response``,
``corolla_handle_exception``, ``corolla_teardown``) are compiled once at
start-up into plain function calls; a hook nobody implements costs nothing
per request. ``corolla_wrap_request`` runs once at start-up and its result is
what runs per request.

Hook wrappers (``wrapper=True``) work on the request-time hooks. The start-up
and shutdown hooks are called one implementation at a time, so a failure
names its plugin; a wrapper on one of them is refused at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._markers import hookspec

if TYPE_CHECKING:
    from ._app import App
    from ._checks import Check
    from ._wrappers import Request, Response

    Handler = Callable[[Request], Any]


@hookspec
def corolla_configure(app: App) -> None:
    """Prepare the plugin's state from its config; runs once while ``App`` is built.

    Runs after resolution and config validation, before any other hook, in
    load order. ``app.config[<plugin name>]`` holds the validated section.
    Do no I/O here (no connections, no files): the app may be built only to
    be inspected. Raising stops the app from starting; the error names the
    plugin. Returns nothing.
    """


@hookspec
def corolla_app_attributes(app: App) -> Mapping[str, Any]:
    """Return the attributes this plugin adds to ``App``: name -> value.

    Called once at start-up, after ``corolla_configure``. The names must be
    exactly the plugin's ``app_attributes`` declaration (so clashes are found
    before anything loads). Typical values are bound methods, e.g.
    ``{"route": self.route}``. All results are applied; none wins.
    """
    raise NotImplementedError


@hookspec
def corolla_request_attributes(app: App) -> Mapping[str, Callable[[Request], Any]]:
    """Return lazy attributes this plugin adds to ``Request``: name -> factory.

    Called once at start-up. Each factory receives the request and is called
    on first access to the attribute only; its result is cached for the rest
    of the request. A request that never touches the attribute pays nothing.
    The names must be exactly the plugin's ``request_attributes``
    declaration. All results are applied; none wins.
    """
    raise NotImplementedError


@hookspec
def corolla_wrap_request(app: App, handler: Handler) -> Handler | None:
    """Wrap the request handler like middleware; called once, at start-up.

    ``handler`` takes a ``Request`` and returns what the view returned (or a
    Response). Return a new callable of the same shape that calls
    ``handler`` (before and after work, try/finally for cleanup), or None to
    leave it unwrapped. The plugin first in load order ends up outermost, so
    a plugin wraps the plugins that require it. Per request only the
    returned callables run; no hook is looked up.
    """


@hookspec(firstresult=True)
def corolla_dispatch(request: Request) -> Any:
    """Find and call the view for ``request``; return its result, or None.

    The first non-None result wins. When every implementation returns None
    the core raises werkzeug's ``NotFound`` (through
    ``corolla_handle_exception``, so error pages apply); with no
    implementation at all its 404 says that no dispatch plugin is installed.
    Raise a werkzeug ``HTTPException`` (``NotFound``,
    ``MethodNotAllowed``...) for HTTP errors. Called once per request.
    """


@hookspec
def corolla_response(request: Request, response: Response) -> None:
    """Change ``response``, going out for ``request``, in place (headers, cookies); every request.

    Runs after the view's return value became a Response, also for error
    responses, in load order. Implement it only when every response needs
    the change: while nobody implements it the core never builds a werkzeug
    Response for plain string results. Work that depends on what the request
    touched belongs in ``corolla_wrap_request``, or in a
    ``request.after_response`` callback registered when the feature is first
    used. Returns nothing.
    """


@hookspec(firstresult=True)
def corolla_handle_exception(request: Request, exception: Exception) -> Any:
    """Turn ``exception``, raised while handling ``request``, into a response.

    Called for every exception, ``HTTPException`` included, in load order;
    the first non-None result wins and is made into a response like a view's
    return value. Return None to let the next plugin (then the core) handle
    it: the core answers ``HTTPException`` with its own response and anything
    else with a 500, logged with the request line and the plugin it was
    raised in. An exception raised here is logged naming this plugin.
    """


@hookspec
def corolla_teardown(request: Request, exception: Exception | None) -> None:
    """Clean up after ``request``; runs for every request once its response is built.

    ``exception`` is the unhandled exception, or None. Runs in reverse load
    order (dependents first). An exception raised here is logged naming the
    plugin and does not change the response. Returns nothing.
    """


@hookspec
def corolla_startup(app: App) -> None:
    """The app is fully built (attributes applied, pipeline compiled).

    Runs once, in load order, at the end of ``App(...)``. Raising stops the
    app from starting; the error names the plugin. Returns nothing.
    """


@hookspec
def corolla_shutdown(app: App) -> None:
    """The app is closing (``app.close()`` or leaving ``with app:``).

    Release connections and pools. Runs once, in reverse load order; an
    exception is logged naming the plugin and the other plugins still shut
    down. Returns nothing.
    """


@hookspec
def corolla_cli_commands(app: App | None) -> Sequence[Any]:
    """Deprecated: declare ``commands = {"name": "module:factory"}`` on the plugin class instead.

    Return click commands (or groups) to add to the ``corolla`` command line.
    Kept for plugins written before the ``Plugin.commands`` declaration:
    ``corolla --help`` cannot list these commands without starting plugins,
    so it names the plugin only ("not listed"). The hook is called, on
    started plugins, when a command name is not among the declared ones
    (and by ``corolla plugins show`` with an app loaded). ``app`` is the
    user's app, or None when no app was found; the plugin instance then
    belongs to an app built over the installed plugins only to be asked.
    Declared commands and built-in names win; between plugins the first in
    load order wins. A plugin whose hook raises is named in an error and
    the other commands still work.
    """
    raise NotImplementedError


@hookspec
def corolla_shell_context(app: App) -> Mapping[str, Any]:
    """Return names to predefine in ``corolla shell``: name -> object.

    Called once, when ``corolla shell`` starts, in load order; all results
    are merged (a later plugin's name wins) over ``{"app": app}``. The orm
    plugin returns ``db`` and every model class. Never called while serving.
    """
    raise NotImplementedError


@hookspec
def corolla_deploy_checks(app: App) -> Sequence[Check]:
    """Return production-readiness checks for ``corolla check --deploy``.

    Each item is a ``corolla.Check`` (id, ok, message, fix). Called only by
    the deploy check, never while serving. All results are collected.
    """
    raise NotImplementedError
