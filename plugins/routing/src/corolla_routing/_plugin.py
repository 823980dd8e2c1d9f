"""``RoutingPlugin``: the hook implementations and what the plugin adds to App and Request."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, RequestRedirect, RoutingException

import corolla
from corolla import hookimpl

from ._adapter import RequestAdapter
from ._converters import Int64Converter
from ._errors import RoutingError, UrlBuildError
from ._handlers import find, with_status
from ._matcher import NO_ROUTE
from ._pages import error_page
from ._registrar import Registrar, View
from ._router import Router
from ._table import Route, RouteTable, describe
from .hookspecs import RoutingHooks

if TYPE_CHECKING:
    from corolla import App, Check, Request

_UNSET: Any = object()
#: request.__dict__ keys for what a match found besides a rule (never set on a plain match).
_ERROR = "_routing_error"
_OPTIONS = "_routing_options"


class AppRoutes(Registrar):
    """``app.route``, ``app.get``... for one app: registers into its ``RouteTable``."""

    def __init__(self, table: RouteTable) -> None:
        self.table = table

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view: View | None = None,
        *,
        methods: Iterable[str] | None = None,
        **rule_options: Any,
    ) -> None:
        """Add a route: ``app.add_url_rule("/users/<int:user_id>", "show_user", show_user, methods=["GET"])``.

        ``endpoint`` defaults to the view's qualified name; ``rule_options``
        go to werkzeug's ``Rule`` (``defaults``, ``build_only``, ``host``,
        ``subdomain``, ``strict_slashes``, ``redirect_to``...).
        """
        self.table.add(rule, endpoint, view, methods, rule_options)


# The settings' own checks, run while the app is planned (so `corolla plugins check` reports them).


def _subdomains_need_a_server_name(value: bool, section: Mapping[str, Any]) -> str | None:
    if not value or section.get("server_name"):
        return None
    return "needs [routing] server_name (e.g. 'example.com'), the host the subdomains are under"


def _converter_targets(value: Mapping[str, Any], section: Mapping[str, Any]) -> str | None:
    bad = sorted(name for name, target in value.items() if not isinstance(target, str) or ":" not in target)
    if not bad:
        return None
    return f"converters {', '.join(map(repr, bad))}: give 'module:Class', e.g. 'myapp.converters:SlugConverter'"


class RoutingPlugin(corolla.Plugin):
    """URL routing on werkzeug.routing: routes, groups, url_for, error handlers, mounted WSGI apps."""

    provides = ["routing"]
    optional = ["templates"]
    settings = {
        "strict_slashes": corolla.Setting(
            bool, True, "Redirect (308) '/users' to '/users/' when only the latter exists"
        ),
        "merge_slashes": corolla.Setting(bool, True, "Redirect '//a///b' to '/a/b' when that matches a route"),
        "host_matching": corolla.Setting(bool, False, "Match routes on the whole host (Rule(host=...))"),
        "subdomain_matching": corolla.Setting(
            bool, False, "Match routes on the subdomain of server_name", check=_subdomains_need_a_server_name
        ),
        "server_name": corolla.Setting(
            str, None, "The app's host ('example.com'): subdomain matching, and url_for outside a request"
        ),
        "application_root": corolla.Setting(
            str, "/", "The path the app is served under, for url_for outside a request"
        ),
        "preferred_url_scheme": corolla.Setting(
            str, "http", "Scheme of external URLs built outside a request", choices=("http", "https")
        ),
        "converters": corolla.Setting(
            dict, {}, "Extra URL converters: name -> 'module:Class'", check=_converter_targets
        ),
        "max_path_length": corolla.Setting(int, 8192, "Longer paths get 414 URI Too Long"),
    }
    app_attributes = [
        "add_url_rule",
        "delete",
        "errorhandler",
        "get",
        "include",
        "mount",
        "patch",
        "post",
        "put",
        "route",
        "url_for",
        "url_map",
    ]
    request_attributes = ["url_adapter", "url_for", "url_rule", "view_args"]
    hookspecs = RoutingHooks
    commands = {"routes": "corolla_routing._cli:routes_command"}

    table: RouteTable

    # -- start-up ------------------------------------------------------------

    @hookimpl
    def corolla_configure(self, app: App) -> None:
        self.table = RouteTable(app, self.config, lambda: app.plugins)
        # Bounded to 64 bits (a BIGINT column): a longer number is a 404, not a database error.
        self.table.url_map.converters["int"] = Int64Converter
        for name, target in self.config["converters"].items():
            self.table.url_map.converters[name] = _import_converter(name, target)

    @hookimpl
    def corolla_app_attributes(self, app: App) -> Mapping[str, Any]:
        table = self.table
        routes = AppRoutes(table)
        return {
            "add_url_rule": routes.add_url_rule,
            "route": routes.route,
            "get": routes.get,
            "post": routes.post,
            "put": routes.put,
            "patch": routes.patch,
            "delete": routes.delete,
            "url_for": self.url_for,
            "include": self.include,
            "mount": table.mount,
            "errorhandler": table.errorhandler,
            "url_map": table.url_map,
        }

    @hookimpl
    def corolla_request_attributes(self, app: App) -> Mapping[str, Callable[[Request], Any]]:
        table = self.table

        def url_adapter(request: Request) -> Any:
            # Not dispatch's adapter: this one knows the host from the start.
            path, method = request.path, request.method
            if table.subdomain_matching or table.url_map.host_matching:
                return table.adapter(request, path, method)
            return RequestAdapter(table.url_map, request, path, method, "", str(request.host).lower())

        def url_for(request: Request) -> Callable[..., str]:
            # The adapter is made on the first call, not here: templates get url_for in their
            # context on every render (corolla_template_context), and most never call it.
            def build(endpoint: str, /, **values: Any) -> str:
                adapter = request.url_adapter  # type: ignore[attr-defined]
                if endpoint[:1] == ".":
                    # Relative, as in Flask blueprints: ".b" is "<group name>.b" in a named group's view.
                    rule = request.url_rule  # type: ignore[attr-defined]
                    group = rule.group if rule is not None else None
                    name = group.name if group is not None else None
                    endpoint = f"{name}{endpoint}" if name else endpoint[1:]
                return table.build(adapter, endpoint, values, in_request=True)

            return build

        def url_rule(request: Request) -> Route | None:
            try:
                return self._match(request)
            except HTTPException as exc:
                request.__dict__[_ERROR] = exc
                request.__dict__["view_args"] = None
                return None

        def view_args(request: Request) -> dict[str, Any] | None:
            request.url_rule  # type: ignore[attr-defined]  # noqa: B018 - matches, and sets view_args
            return request.__dict__.get("view_args")

        return {"url_adapter": url_adapter, "url_for": url_for, "url_rule": url_rule, "view_args": view_args}

    @hookimpl
    def corolla_startup(self, app: App) -> None:
        for plugin, result in corolla.call_each(app, "corolla_routers", app=app):
            for prefix, router in _routers(result, plugin):
                self.table.include(router, prefix, registered_by=f"plugin {plugin!r}")

    # -- the public API (App attributes) ------------------------------------

    def url_for(self, endpoint: str, /, **values: Any) -> str:
        """Build a URL outside a request: ``app.url_for("show_user", user_id=3)`` -> ``"/users/3"``.

        ``_external=True`` gives an absolute URL (needs ``[routing]
        server_name``), ``_scheme``, ``_anchor`` and ``_method`` as in Flask;
        other values not in the rule become query arguments. Inside a view use
        ``request.url_for``, which knows the request's host and script root.
        """
        if endpoint[:1] == ".":
            raise UrlBuildError(
                endpoint,
                f"url_for({endpoint!r}): a relative endpoint needs a request (it is resolved against the group "
                "of the request's route); outside one, give the full endpoint, e.g. 'api.b'",
            )
        return self.table.build(self.table.outside, endpoint, values, in_request=False)

    def include(self, router: Router, prefix: str | None = None) -> None:
        """Add a ``Router``'s routes under ``prefix`` (default: the router's own prefix)."""
        self.table.include(router, prefix)

    # -- per request ---------------------------------------------------------

    # tryfirst: a path the router owns is answered by its route, whatever
    # other dispatchers are loaded (one answering "/" must not shadow the
    # app's view while `corolla routes` says "/" is the app's); the others
    # see only the paths no route matches.
    @hookimpl(tryfirst=True)
    def corolla_dispatch(self, request: Request) -> Any:
        # The hot path: one werkzeug match and the view call. url_rule is
        # already in the request's __dict__ only if a wrapper asked for it.
        rule = request.__dict__.get("url_rule", _UNSET)
        if rule is _UNSET:
            rule = self._match(request)
        if rule is not None:
            return rule.view(request, **request.__dict__["view_args"])
        error = request.__dict__.get(_ERROR)
        if error is not None:
            raise error
        return request.__dict__.get(_OPTIONS)  # None: no route here, the core answers 404

    def _match(self, request: Request) -> Route | None:
        table = self.table
        if not table.frozen:
            table.freeze(plain_pages=not self.app.plugin_manager.hook.corolla_response.get_hookimpls())
        d = request.__dict__
        path = table.check_path(request.environ.get("PATH_INFO") or "")
        method = request.method
        known = table.static_matches
        if known is not None:
            seen = known.get((path, method))
            if seen is not None:
                d["url_rule"] = seen
                d["view_args"] = {}
                return seen
        rule: Any
        values: Any
        compiled = table.compiled
        if compiled is not None:
            found = compiled.match(path, method)
            if found is NO_ROUTE:
                d["url_rule"] = d["view_args"] = None
                return None
            if found is not None:
                rule, values = found
                d["url_rule"] = rule
                d["view_args"] = values
                if not values and rule.methods is not None:
                    table.remember(path, method, rule)
                return rule  # type: ignore[no-any-return]
        try:
            adapter = table.adapter(request, path, method)
            rule, values = adapter.match(path, method, return_rule=True)
        except RequestRedirect as exc:
            # werkzeug builds an absolute URL from the request's Host header: sent as it is, a forged
            # Host (and any cache in front) turns a slash redirect into one to another site. Same-site
            # redirects go out as a path (RFC 9110 allows a relative Location).
            exc.new_url = _relative(exc.new_url, adapter)
            raise
        except NotFound:
            rule = values = None
        except MethodNotAllowed as exc:
            allowed = sorted({*(exc.valid_methods or ()), "OPTIONS"})
            if method == "OPTIONS":
                # Automatic OPTIONS: the path exists, no route lists OPTIONS itself.
                d[_OPTIONS] = corolla.Response(status=200, headers={"Allow": ", ".join(allowed)})
                rule = values = None
            else:
                raise MethodNotAllowed(valid_methods=allowed) from None
        except (ValueError, OverflowError):
            # A converter refusing its input without ValidationError (int() of
            # 5,000 digits raises ValueError): no route matches, not a 500.
            rule = values = None
        else:
            if known is not None and not rule.arguments and rule.methods is not None:
                table.remember(path, method, rule)
        d["url_rule"] = rule
        d["view_args"] = values
        return rule  # type: ignore[no-any-return]

    @hookimpl
    def corolla_handle_exception(self, request: Request, exception: Exception) -> Any:
        if isinstance(exception, RoutingException):
            # RequestRedirect (strict slashes, merge_slashes, redirect_to) is routing at work, not an
            # error: like Flask, never given to an error handler; the core sends it with its Location.
            return None
        table = self.table
        include = table.group_for(request) if table.includes else None
        chain = [include.router.error_handlers, table.error_handlers] if include else [table.error_handlers]
        handler = find(chain, exception)
        if handler is not None:
            return with_status(handler(request, exception), exception, request.environ)
        if not isinstance(exception, HTTPException):
            return self._server_error(request, exception, chain)
        kind = type(exception)
        if isinstance(exception, NotFound) and kind is NotFound:
            if request.__dict__.get("url_rule", _UNSET) is None:
                # Routing looked and found no route: its prebuilt plain 404 page.
                return error_page(NotFound, [], table.plain_pages)
        elif isinstance(exception, MethodNotAllowed) and kind is MethodNotAllowed:
            allow = ", ".join(exception.valid_methods or ())
            return error_page(MethodNotAllowed, [("Allow", allow)], table.plain_pages)
        return None

    def _server_error(self, request: Request, exception: Exception, chain: list[Any]) -> Any:
        """No handler for a non-HTTP exception: the group's, then the app's handler for 500, as in Flask.

        The handler gets an ``InternalServerError`` whose ``original_exception``
        is the exception. The core logs an exception only when no plugin
        handled it, so it is reported here (``App.report_exception``: the
        core's log line, naming the plugin it came from, and its failure
        count) after the handler drew the page; if the handler raises, the
        core logs both.
        """
        server_error = InternalServerError(original_exception=exception)
        handler = find(chain, server_error)
        if handler is None:
            return None  # the core logs it and answers 500
        rv = with_status(handler(request, server_error), server_error, request.environ)
        if rv is None:
            return None  # the handler declined: the core logs the exception and answers 500
        if request.app is not None:
            request.app.report_exception(request, exception, answered_by=f"the 500 error handler {describe(handler)}")
        return rv

    # -- integrations --------------------------------------------------------

    @hookimpl(optionalhook=True)
    def corolla_template_context(self, request: Request | None) -> Mapping[str, Any]:
        if request is None:
            return {"url_for": self.url_for}
        return {"url_for": request.url_for}  # type: ignore[attr-defined]

    @hookimpl
    def corolla_deploy_checks(self, app: App) -> Sequence[Check]:
        count = sum(1 for r in self.table.routes if not r.build_only)
        return [
            corolla.Check(
                "routing.routes",
                count > 0,
                f"{count} route{'s' if count != 1 else ''} registered",
                "register routes before serving (@app.route at import time); `corolla routes` lists them",
                severity="warning",
            )
        ]


def _relative(url: str, adapter: Any) -> str:
    """``url`` without scheme and host when it points at the host the adapter was bound to."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc.lower() == str(adapter.server_name).lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return url


def _import_converter(name: str, target: Any) -> type[BaseConverter]:
    where = f"[routing] converters.{name} = {target!r}"
    if not isinstance(target, str) or ":" not in target:
        raise RoutingError(f"{where}: give 'module:Class', e.g. 'myapp.converters:SlugConverter'")
    module_name, _, attr = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise RoutingError(f"{where}: cannot import it ({exc})") from exc
    if not (isinstance(obj, type) and issubclass(obj, BaseConverter)):
        raise RoutingError(f"{where}: {obj!r} is not a subclass of werkzeug.routing.BaseConverter")
    return obj


def _routers(result: Any, plugin: str) -> list[tuple[str | None, Router]]:
    if result is None:
        return []
    items = [result] if isinstance(result, (Router, tuple)) else list(result)
    out: list[tuple[str | None, Router]] = []
    for item in items:
        if isinstance(item, Router):
            out.append((None, item))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Router):
            out.append((item[0], item[1]))
        else:
            raise RoutingError(
                f"plugin {plugin!r}: corolla_routers returned {item!r}; return a Router, a list of them, "
                "or (prefix, Router) pairs"
            )
    return out
