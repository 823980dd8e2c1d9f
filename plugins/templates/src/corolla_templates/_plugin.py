"""``TemplatesPlugin``: the declaration and hooks of the ``templates`` plugin.

Import-light on purpose: the manager imports this module to read the
declaration even for ``corolla plugins list``; Jinja2 is imported by
``_environment`` on the first render (or first use of ``app.templates``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

import corolla
from corolla import CorollaError, Request, Response, hookimpl

from ._errors import TemplateError
from ._folders import Folder, search_path
from ._lazy import LazyEnvironment
from ._static import StaticFiles
from .hookspecs import TemplatesHooks

ContextFn = Callable[[Request | None], Any]


def _url_path(value: str, section: Mapping[str, Any]) -> str | None:
    """Checked while planning: static files need a path of their own."""
    if value.rstrip("/").startswith("/"):
        return None
    return "must be a path starting with '/' (and not '/' alone), e.g. '/static'"


class TemplatesPlugin(corolla.Plugin):
    """Jinja2 templates (``request.render``, ``app.templates``), the context hook, and static files."""

    settings = {
        "folder": corolla.Setting(str, "templates", "The app's template folder, relative to the app's root"),
        "auto_reload": corolla.Setting(
            bool, None, "Re-read templates that changed on disk; default: on in debug or under the reloader"
        ),
        "strict_undefined": corolla.Setting(
            bool, False, "Raise on every use of an undefined variable (jinja2.StrictUndefined)"
        ),
        "autoescape": corolla.Setting(
            list,
            ["html", "htm", "xml", "xhtml", "svg"],
            "File extensions of the templates that are autoescaped (also before a .j2, .jinja or .jinja2 suffix)",
        ),
        "static_folder": corolla.Setting(str, "static", "The app's static folder, relative to the app's root"),
        "static_url_path": corolla.Setting(
            str, "/static", "The URL path static files are served under", check=_url_path
        ),
        "serve_static": corolla.Setting(
            bool, True, "Serve static files from the app; turn off in production and let the front server do it"
        ),
        "static_max_age": corolla.Setting(
            int, 0, "Cache-Control max-age of static files, in seconds (0: revalidate every time)"
        ),
    }
    app_attributes = ["templates"]
    request_attributes = ["render"]
    hookspecs = TemplatesHooks
    commands = {"static": "corolla_templates._cli:static_group"}

    # -- start-up --------------------------------------------------------------

    @hookimpl
    def corolla_configure(self, app: corolla.App) -> None:
        config = self.config
        url_path = config["static_url_path"].rstrip("/")  # checked while planning (_url_path)
        self.static = StaticFiles(url_path, lambda: self.static_folders, config["static_max_age"])
        reload = config["auto_reload"]
        self.auto_reload = bool(app.debug or os.environ.get("WERKZEUG_RUN_MAIN")) if reload is None else reload
        self.environment = LazyEnvironment(self._build_environment)
        self._context: Callable[[Request | None], dict[str, Any]] = _base_context

    # The folders are looked for on first use, not in corolla_configure, which
    # does no I/O: an app may be built only to be inspected.

    @functools.cached_property
    def template_folders(self) -> list[Folder]:
        """Where templates are looked up, in order: the app's folder, then the plugins' (see ``_folders``)."""
        return search_path(self.app.root / self.config["folder"], self._others(), "template_folder", "templates")

    @functools.cached_property
    def static_folders(self) -> list[Folder]:
        """Where static files are looked up, in order: the app's folder, then the plugins'."""
        return search_path(self.app.root / self.config["static_folder"], self._others(), "static_folder", "static")

    def _others(self) -> list[tuple[str, corolla.Plugin]]:
        return [(name, plugin) for name, plugin in self.app.plugins.items() if plugin is not self]

    def _build_environment(self, target: object) -> None:
        from ._environment import become_environment

        become_environment(
            target,
            folders=self.template_folders,
            auto_reload=self.auto_reload,
            strict_undefined=self.config["strict_undefined"],
            autoescape=self.config["autoescape"],
        )

    @hookimpl
    def corolla_app_attributes(self, app: corolla.App) -> Mapping[str, Any]:
        return {"templates": self.environment}

    @hookimpl
    def corolla_request_attributes(self, app: corolla.App) -> Mapping[str, Callable[[Request], Any]]:
        # request.render is made only for the requests that render.
        return {"render": lambda request: functools.partial(self.render_response, request)}

    @hookimpl
    def corolla_wrap_request(self, app: corolla.App, handler: Callable[[Request], Any]) -> Any:
        if not self.config["serve_static"]:
            return None  # production: the front server has the files; nothing runs per request
        static = self.static
        prefix = static.prefix

        def serve_static(request: Request) -> Any:
            # One string test per request for everything that is not a static file.
            if request.path.startswith(prefix):
                return static.serve(request)
            return handler(request)

        return serve_static

    @hookimpl
    def corolla_startup(self, app: corolla.App) -> None:
        self._context = compile_context(app, self._label)
        add_url_rule = getattr(app, "add_url_rule", None)
        if callable(add_url_rule):  # the routing plugin (or another provider of it) is loaded
            add_url_rule(self.static.url_path + "/<path:filename>", endpoint="static", build_only=True)

    def _label(self, name: str) -> str:
        decision = self.app.resolution.decisions.get(name)
        return decision.record.label() if decision is not None else repr(name)

    @hookimpl(trylast=True)
    def corolla_handle_exception(self, request: Request, exception: Exception) -> Any:
        # Last, so the app's and other plugins' handlers (routing's errorhandler) get it first.
        # Only errors: a request that succeeds never comes here.
        if not isinstance(exception, TemplateError):
            return None
        from ._report import answer

        return answer(self.app, request, exception)

    @hookimpl
    def corolla_deploy_checks(self, app: corolla.App) -> list[corolla.Check]:
        serving = self.config["serve_static"]
        return [
            corolla.Check(
                "templates.static",
                not serving,
                f"the app serves {self.static.prefix} itself" if serving else "the app does not serve static files",
                "serve the static folders from the front server (`corolla static collect DEST` gathers them) "
                "and set [templates] serve_static = false",
            ),
            corolla.Check(
                "templates.auto_reload",
                not self.auto_reload,
                "templates are re-read when they change (auto_reload is on)"
                if self.auto_reload
                else "compiled templates are cached",
                "turn debug off and set [templates] auto_reload = false (or leave it unset)",
                severity="warning",
            ),
        ]

    # -- rendering -------------------------------------------------------------

    def render(self, name: str, context: Mapping[str, Any], request: Request | None = None) -> str:
        """Render template ``name`` with the context hooks' variables and ``context`` (which wins)."""
        env: Any = self.environment
        merged = self._context(request)
        merged.update(context)
        try:
            return str(env.get_template(name).render(merged))
        except Exception as exc:
            from ._environment import translate

            error = translate(exc, name)
            if error is None:
                raise  # not the template's doing (an HTTPException, a failing callable's own error...)
            raise error from exc

    def render_response(self, request: Request, name: str, /, **context: Any) -> Response:
        """``request.render(name, **context)``: the rendered template as an HTML response."""
        return Response(self.render(name, context, request))


def _base_context(request: Request | None) -> dict[str, Any]:
    # ``request`` in every template, None outside a request, so ``{% if request %}`` works in both.
    return {"request": request}


def compile_context(app: corolla.App, label: Callable[[str], str]) -> Callable[[Request | None], dict[str, Any]]:
    """One function giving the merged context of every ``corolla_template_context`` implementation.

    Built once at start-up from the registered implementations, in load
    order, so a render looks up no hook by name; with no implementation it
    is ``_base_context``. The functions come from ``corolla.hook_functions``,
    so ``[core] trace_hooks`` (``corolla run --trace-hooks``) logs each call
    on ``corolla.trace``. Wrappers (rare) go through pluggy's own call.
    """
    pairs: list[tuple[str, ContextFn]] = corolla.hook_functions(app, "corolla_template_context")
    if not pairs:
        return _base_context
    hook = app.plugin_manager.hook.corolla_template_context
    if any(impl.wrapper or impl.hookwrapper for impl in hook.get_hookimpls()):
        ((_, call),) = pairs  # one pluggy call for them all, returning the list of results

        def through_pluggy(request: Request | None) -> dict[str, Any]:
            merged = _base_context(request)
            for part in call(request):
                merged.update(part or {})
            return merged

        return through_pluggy

    def context(request: Request | None) -> dict[str, Any]:
        merged = _base_context(request)
        for plugin, fn in pairs:
            part = fn(request)
            if part:
                try:
                    merged.update(part)
                except (TypeError, ValueError):
                    raise CorollaError(
                        f"plugin {label(plugin)} returned {part!r} from corolla_template_context; "
                        "return a mapping of variable names to values, or None"
                    ) from None
        return merged

    return context


def render_template(target: corolla.App | Request, name: str, /, **context: Any) -> str:
    """Render template ``name`` to a string, for a request or for an app.

    Given a request, the context hooks see it and templates get it as
    ``request``: a view returning this string stays on the core's fast path
    (no werkzeug Response is built, about 12 µs less than ``request.render``).
    Given the app (an e-mail body, a CLI command), the hooks get ``request=None``.
    """
    request = target if isinstance(target, Request) else None
    app = request.app if request is not None else target
    plugins = getattr(app, "plugins", {})
    plugin = plugins.get("templates")
    if not isinstance(plugin, TemplatesPlugin):  # provided under another name, or not loaded
        plugin = next((p for p in plugins.values() if isinstance(p, TemplatesPlugin)), None)
    if plugin is None:
        raise CorollaError(
            f"render_template({name!r}): the templates plugin is not loaded in {app!r}; "
            "install corolla-templates and enable the plugin 'templates'"
        )
    return plugin.render(name, context, request)
