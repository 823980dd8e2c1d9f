"""``RouteTable``: one app's routes, on a werkzeug ``Map``; registration, matching and building.

Lifecycle. Routes are added to the ``Map`` as they are registered (at import
time, in ``corolla_startup``, from the ``corolla_routers`` hook), so a bad
rule, an unknown converter or a duplicate endpoint fails right where it is
written. The first request *freezes* the table: werkzeug sorts its matcher
once, and from then on adding a route is a ``RoutingError``. Rebuilding a
``Map`` that other threads are matching against is not safe, and a route that
appears only after some requests were served is a bug waiting in production.
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import BadRequest, NotFound, RequestURITooLarge
from werkzeug.routing import BuildError, Map, MapAdapter, Rule

from ._adapter import RequestAdapter, bind_outside_request, subdomain_of
from ._errors import RoutingError, UrlBuildError, quoted
from ._group_hooks import registered_view, with_group_hooks
from ._handlers import ErrorHandler, register
from ._matcher import CompiledMatcher
from ._mount import Mounted
from ._router import Include, PendingRoute, Router, normalize_prefix
from ._views import check_async, check_signature, rule_arguments

if TYPE_CHECKING:
    from corolla import App, Request

    from ._registrar import View

_METHOD = re.compile(r"^[A-Z][A-Z0-9_-]*$")
STATIC_MATCHES_CAP = 20_000
ROUTE_OPTIONS = frozenset(inspect.signature(Rule).parameters) - {"string", "endpoint", "methods"}


def default_endpoint(view: Callable[..., Any]) -> str:
    """The view's ``__qualname__`` without function scopes: ``index``, ``UserViews.show``."""
    qualname = getattr(view, "__qualname__", None) or getattr(view, "__name__", None)
    if not isinstance(qualname, str) or not qualname:
        raise RoutingError(f"cannot name an endpoint for {view!r}: pass endpoint='...'")
    return qualname.rsplit("<locals>.", 1)[-1]


def describe(view: Any) -> str:
    """``app.index (app.py:12)``: where a view is defined, for messages and the routes table."""
    if view is None:
        return "(no view: build only)"
    func = inspect.unwrap(view) if callable(view) else view
    name = getattr(func, "__qualname__", None) or repr(func)
    module = getattr(func, "__module__", None)
    code = getattr(func, "__code__", None)
    where = f" ({_short(code.co_filename)}:{code.co_firstlineno})" if code is not None else ""
    return f"{module}.{name}{where}" if module else f"{name}{where}"


def _add_commands(app: App, router: Router) -> None:
    """A group's commands join the app's: ``corolla <group name> <command>``, or top level for an unnamed group."""
    if not router.name:
        for name, command in router.cli.commands.items():
            app.cli.add_command(command, name)
        return
    import click

    group = click.Group(
        router.name, commands=dict(router.cli.commands), help=f"Commands of the route group {router.name!r}."
    )
    app.cli.add_command(group)


def _pin_hint(*registrants: str) -> str:
    """How to leave out a plugin the app may not have asked for (an unpinned app loads every installed one)."""
    plugins = [r for r in dict.fromkeys(registrants) if r.startswith("plugin ")]
    if not plugins:
        return ""
    return (
        f". If the app did not ask for {' or '.join(plugins)}, pin the plugins it uses: "
        "[plugins] enabled = [...] in corolla.toml, or App(plugins=[...]) (an app without a list loads "
        "every installed plugin)"
    )


def _short(filename: str) -> str:
    """A file under the working folder relative to it (the routes table is read there), else as is."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        return filename
    return filename if relative.startswith("..") else relative


class Route(Rule):
    """A werkzeug ``Rule`` that knows its view, its group and who registered it.

    ``request.url_rule`` is one of these: ``.endpoint``, ``.rule``,
    ``.methods``, ``.view``, ``.group`` (the ``Router`` or None) and
    ``.registered_by`` (``"app"``, ``"plugin 'admin'"``).
    """

    view: View | None
    include: Include | None
    registered_by: str

    @property
    def group(self) -> Router | None:
        return self.include.router if self.include is not None else None


class RouteTable:
    """The routes of one app. Owned by the routing plugin instance (one per app)."""

    def __init__(self, app: App, config: Mapping[str, Any], plugin_names: Callable[[], Mapping[str, Any]]) -> None:
        self.app = app
        self.url_map = Map(
            strict_slashes=config["strict_slashes"],
            merge_slashes=config["merge_slashes"],
            host_matching=config["host_matching"],
        )
        self.server_name: str | None = config["server_name"]
        self.subdomain_matching: bool = config["subdomain_matching"]  # needs server_name: checked while planning
        self.max_path_length: int = config["max_path_length"]
        self.outside = bind_outside_request(
            self.url_map, self.server_name, config["application_root"], config["preferred_url_scheme"]
        )
        self.routes: list[Route] = []
        self.views: dict[str, Route] = {}
        self.error_handlers: dict[type[BaseException], ErrorHandler] = {}
        self.includes: list[Include] = []
        self.mounts: dict[str, Any] = {}
        self.frozen = False
        self.eager_host = True
        self.plain_pages = False
        #: (path, method) -> Route: werkzeug's answers for routes without arguments (see remember()).
        self.static_matches: dict[tuple[str, str], Route] | None = None
        #: The compiled matcher tried before werkzeug's (None: werkzeug answers every request).
        self.compiled: CompiledMatcher | None = None
        self._plugin_names = plugin_names

    # -- registration --------------------------------------------------------

    def registrant(self) -> str:
        """Who is registering: a plugin (a frame of its code on the stack) or the app."""
        plugins = self._plugin_names()
        by_instance = {id(p): name for name, p in plugins.items() if name != "routing"}
        by_package = {type(p).__module__.split(".")[0]: name for name, p in plugins.items() if name != "routing"}
        frame = sys._getframe(1)
        while frame is not None:
            name = by_instance.get(id(frame.f_locals.get("self")))
            if name is None:
                name = by_package.get(str(frame.f_globals.get("__name__", "")).split(".")[0])
            if name is not None:
                return f"plugin {name!r}"
            frame = frame.f_back  # type: ignore[assignment]
        return "app"

    def add(
        self,
        rule: str,
        endpoint: str | None,
        view: View | None,
        methods: Iterable[str] | None,
        options: dict[str, Any],
        include: Include | None = None,
        registered_by: str | None = None,
        any_method: bool = False,
    ) -> Route:
        if self.frozen:
            raise RoutingError(
                f"cannot add the route {rule!r}: this app already served its first request, so its URL map is "
                "frozen (werkzeug's matcher is not safe to change while requests are matched against it). "
                "Register every route before serving: at import time, in corolla_startup, or from the "
                "corolla_routers hook"
            )
        endpoint = _checked_endpoint(rule, endpoint, view, methods, options)
        if include is not None:
            rule, endpoint = _included(rule, endpoint, options, include)
        if options.get("host") is not None and not self.url_map.host_matching:
            raise RoutingError(
                f"route {rule!r} has host={options['host']!r}, but host matching is off; "
                "set [routing] host_matching = true (then every route matches on its host)"
            )
        if options.get("subdomain") and not self.subdomain_matching:
            raise RoutingError(
                f"route {rule!r} has subdomain={options['subdomain']!r}, but subdomain matching is off; "
                "set [routing] server_name = 'example.com' and subdomain_matching = true"
            )
        if view is not None:
            check_async(rule, view, describe(view))
            values = [*rule_arguments(rule), *(options.get("defaults") or {})]
            for part in ("host", "subdomain"):  # they may hold variables too: <user>.example.com
                values += rule_arguments(str(options.get(part) or ""))
            check_signature(rule, view, describe(view), values)
        method_set = None if any_method else self._methods(rule, methods)
        existing = self.views.get(endpoint)
        # A group's hooks wrap its views (functools.wraps): compare what was registered.
        if existing is not None and registered_view(existing.view) is not view:
            raise RoutingError(
                f"duplicate endpoint {endpoint!r}: {describe(view)} for {rule!r} and {describe(existing.view)} "
                f"for {existing.rule!r} (registered by {existing.registered_by}). Endpoints name views for "
                "url_for, so each must be unique: pass endpoint='...' to one of them, or use a named Router"
                + _pin_hint(existing.registered_by, registered_by or self.registrant())
            )
        try:
            route = Route(rule, endpoint=endpoint, methods=method_set, **options)
        except (TypeError, ValueError) as exc:
            raise RoutingError(f"route {rule!r}: {exc}") from exc
        registered_by = registered_by or self.registrant()
        self._check_shadowing(route, view, registered_by)
        if include is not None and (include.router.before or include.router.after or include.router.teardown):
            view = with_group_hooks(view, include.router)
        route.view = view
        route.include = include
        route.registered_by = registered_by
        try:
            self.url_map.add(route)
        except LookupError as exc:
            names = ", ".join(sorted(self.url_map.converters))
            raise RoutingError(
                f"route {rule!r}: {exc}; known converters: {names}. Register yours before adding routes "
                "that use it: [routing] converters = {{name = 'module:Class'}} or app.url_map.converters[name] = Class"
            ) from exc
        except (ValueError, SyntaxError) as exc:
            raise RoutingError(f"route {rule!r} is malformed: {exc}") from exc
        self.routes.append(route)
        if existing is None:
            self.views[endpoint] = route
        return route

    def _check_shadowing(self, route: Route, view: View | None, registered_by: str) -> None:
        """Refuse a second endpoint for a rule and method already routed: werkzeug would silently answer the first."""
        for other in self.routes:
            # (Binding to the map turns an unset subdomain into the map's default: compare them unset.)
            if (other.rule, other.host or "", other.subdomain or "") != (
                route.rule,
                route.host or "",
                route.subdomain or "",
            ):
                continue
            if other.endpoint == route.endpoint:
                continue
            if other.methods is None or route.methods is None:
                shared = {"any method"}
            else:
                shared = (other.methods & route.methods) - (
                    {"HEAD"} if "GET" in other.methods & route.methods else set()
                )
            if not shared:
                continue
            raise RoutingError(
                f"route {route.rule!r} ({', '.join(sorted(shared))}) is registered twice: endpoint "
                f"{route.endpoint!r} ({describe(view)}, registered by {registered_by}) and endpoint "
                f"{other.endpoint!r} ({describe(other.view)}, registered by {other.registered_by}); only the "
                "first would ever answer. Give one of them another rule or other methods, or remove one"
            )

    def _methods(self, rule: str, methods: Iterable[str] | None) -> list[str] | None:
        if methods is None:
            return ["GET"]
        result = []
        for method in methods:
            if not isinstance(method, str) or not _METHOD.match(method.upper()):
                raise RoutingError(f"route {rule!r}: {method!r} is not an HTTP method name like 'GET' or 'POST'")
            result.append(method.upper())
        if not result:
            raise RoutingError(f"route {rule!r}: methods is empty; list at least one, e.g. ['GET']")
        return result

    def add_pending(self, pending: PendingRoute, include: Include) -> None:
        self.add(
            pending.rule,
            pending.endpoint,
            pending.view,
            pending.methods,
            dict(pending.options),
            include=include,
            registered_by=include.registered_by,
        )

    def include(self, router: Router, prefix: str | None = None, registered_by: str | None = None) -> None:
        if not isinstance(router, Router):
            raise RoutingError(f"include() takes a corolla_routing.Router, not {router!r}")
        if any(inc.router is router and inc.table is self for inc in router.includes):
            raise RoutingError(f"{router!r} is already included in this app; include it once")
        where = normalize_prefix(prefix, "include(prefix=...)") if prefix is not None else router.prefix
        inc = Include(router, where, registered_by or self.registrant(), self)
        for pending in router.routes:
            self.add_pending(pending, inc)
        router.includes.append(inc)
        if router.cli.commands:
            _add_commands(self.app, router)
        self.includes.append(inc)

    def mount(self, prefix: str, wsgi_app: Any) -> None:
        prefix = normalize_prefix(prefix, "mount(prefix, wsgi_app)")
        if not prefix:
            raise RoutingError("mount(prefix, wsgi_app): the prefix must not be empty or '/'; use e.g. '/legacy'")
        if not callable(wsgi_app):
            raise RoutingError(f"mount({prefix!r}, ...): {wsgi_app!r} is not a WSGI application (not callable)")
        if prefix in self.mounts:
            raise RoutingError(f"mount({prefix!r}, ...): something is already mounted there")
        mounted = Mounted(prefix, wsgi_app)
        endpoint = f"mount:{prefix}"
        registered_by = self.registrant()
        # Through the Map, so the matcher decides: the prefix itself and everything under it, any method.
        self.add(prefix, endpoint, mounted, None, {"strict_slashes": False}, None, registered_by, any_method=True)
        self.add(prefix + "/<path:_mounted_path>", endpoint, mounted, None, {}, None, registered_by, any_method=True)
        self.mounts[prefix] = wsgi_app

    def errorhandler(self, code_or_exception: int | type[BaseException]) -> Callable[[ErrorHandler], ErrorHandler]:
        return register(self.error_handlers, code_or_exception)

    def freeze(self, plain_pages: bool = False) -> None:
        self.url_map.update()
        # No plugin looks inside responses: error pages may skip building one (see _pages.py).
        self.plain_pages = plain_pages
        # werkzeug's match() reads server_name directly for redirect_to rules.
        self.eager_host = any(r.redirect_to is not None for r in self.routes)
        # Longest prefix first: the group whose handlers apply to a 404 under it.
        self.includes.sort(key=lambda inc: len(inc.prefix), reverse=True)
        # The domain part is "" unless host or subdomain matching is on: only then
        # is werkzeug's answer a function of (path, method) alone.
        plain = not self.url_map.host_matching and not self.subdomain_matching
        self.static_matches = {} if plain else None
        self.compiled = CompiledMatcher.build(self.url_map, self.routes) if plain else None
        self.frozen = True

    def remember(self, path: str, method: str, route: Route) -> None:
        """Keep werkzeug's match of ``path`` to a route without arguments, for the next request.

        The map is frozen, so matching the same (path, method) again gives the
        same route: the next request skips binding and matching (~2.5 µs, half
        the cost of serving a static page). Only successful matches of rules
        with no arguments and a method list are kept, so the entries are at
        most the static rules times their methods (times two when a rule has
        strict_slashes off): nothing a client sends can grow it past that;
        the cap is a second guard.
        """
        known = self.static_matches
        if known is not None and len(known) < STATIC_MATCHES_CAP:
            known[(path, method)] = route

    # -- matching ------------------------------------------------------------

    def adapter(self, request: Request, path: str, method: str) -> RequestAdapter:
        """The adapter dispatch matches with: cheap, the host is worked out only if a redirect needs it."""
        if self.subdomain_matching:
            server_name, subdomain = subdomain_of(request, self.server_name or "")
            if subdomain is None:
                # Another host: werkzeug would match "<invalid>" against <sub> rules.
                raise NotFound()
            return RequestAdapter(self.url_map, request, path, method, subdomain, server_name)
        if self.url_map.host_matching:
            # The domain part is the host: needed for matching.
            return RequestAdapter(self.url_map, request, path, method, None, str(request.host).lower())
        if self.eager_host:
            return RequestAdapter(self.url_map, request, path, method, "", str(request.host).lower())
        return RequestAdapter(self.url_map, request, path, method, "")

    def check_path(self, raw: str) -> str:
        """The decoded path, or a 4xx for input no route should see."""
        if len(raw) > self.max_path_length:
            raise RequestURITooLarge(f"The path is longer than {self.max_path_length} characters.")
        if not raw.isascii():
            try:
                raw = raw.encode("latin1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                raise BadRequest("The path is not valid UTF-8.") from None
        if "\x00" in raw:
            raise BadRequest("The path contains a NUL character.")
        if "/." in raw and any(part in (".", "..") for part in raw.split("/")):
            raise BadRequest("The path contains '.' or '..' segments.")
        return "/" + raw.lstrip("/")

    def group_for(self, request: Request) -> Include | None:
        rule = request.__dict__.get("url_rule")
        if rule is not None:
            return rule.include  # type: ignore[no-any-return]
        # No route matched: the group with the longest non-empty prefix the path is under. A group at
        # the root ("") claims only its own routes: it must not take over the whole app's 404 page.
        path = request.path
        for inc in self.includes:
            prefix = inc.prefix
            if prefix and inc.router.error_handlers and (path == prefix or path.startswith(prefix + "/")):
                return inc
        return None

    # -- building ------------------------------------------------------------

    def build(
        self,
        adapter: MapAdapter,
        endpoint: str,
        values: dict[str, Any],
        *,
        in_request: bool,
    ) -> str:
        external = bool(values.pop("_external", False))
        scheme = values.pop("_scheme", None)
        anchor = values.pop("_anchor", None)
        method = values.pop("_method", None)
        if scheme is not None:
            external = True
        if external and not in_request and not self.server_name:
            raise UrlBuildError(
                endpoint,
                f"url_for({endpoint!r}, _external=True) outside a request needs the server's name: set [routing] "
                "server_name = 'example.com' (or build it with request.url_for inside a request)",
            )
        try:
            url = adapter.build(endpoint, values, method=method, url_scheme=scheme, force_external=external)
        except BuildError as exc:
            raise UrlBuildError(endpoint, self.explain(endpoint, values, method)) from exc
        except (ValueError, TypeError) as exc:
            raise UrlBuildError(
                endpoint, f"url_for({endpoint!r}): a value was refused by its converter ({exc}); values: {values!r}"
            ) from exc
        if anchor is not None:
            from urllib.parse import quote

            url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
        return url

    def explain(self, endpoint: str, values: Mapping[str, Any], method: str | None) -> str:
        rules = [r for r in self.url_map.iter_rules() if r.endpoint == endpoint]
        given = {k for k, v in values.items() if v is not None}
        if not rules:
            close = difflib.get_close_matches(endpoint, sorted(self.views), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = "" if hint or not self.views else f"; known endpoints: {quoted(list(self.views)[:20])}"
            return f"url_for({endpoint!r}): no route has the endpoint {endpoint!r}{hint}{known}"
        lines = [f"url_for({endpoint!r}) cannot build a URL from the values {quoted(given) or '(none)'}:"]
        for rule in rules:
            wanted = set(rule.arguments) - set(rule.defaults or ())
            missing = wanted - given
            extra = given - set(rule.arguments)
            problems = []
            if missing:
                problems.append(f"missing {quoted(missing)}")
            if extra and missing:
                problems.append(f"unexpected {quoted(extra)} (not in the rule; given alone they become query args)")
            if method is not None and rule.methods is not None and method.upper() not in rule.methods:
                problems.append(f"_method={method!r} is not one of {quoted(rule.methods)}")
            if rule.defaults and any(k in given and values[k] != v for k, v in rule.defaults.items()):
                problems.append(f"values conflict with the rule's defaults {rule.defaults!r}")
            lines.append(f"  rule {rule.rule!r}: {'; '.join(problems) or 'does not fit'}")
        return "\n".join(lines)


def _checked_endpoint(
    rule: str, endpoint: str | None, view: View | None, methods: Iterable[str] | None, options: dict[str, Any]
) -> str:
    """Refuse a malformed route on the line that wrote it; returns the endpoint (the view's name by default)."""
    if not isinstance(rule, str) or not rule.startswith("/"):
        raise RoutingError(f"route {rule!r}: a rule is a string starting with '/', e.g. '/users/<int:user_id>'")
    if isinstance(methods, str):
        raise TypeError(f"methods takes a list of method names, e.g. [{methods!r}], not a string")
    unknown = set(options) - ROUTE_OPTIONS
    if unknown:
        raise RoutingError(
            f"route {rule!r}: unknown option {quoted(unknown)}; werkzeug's Rule takes {quoted(ROUTE_OPTIONS)}"
        )
    if view is not None and not callable(view):
        raise RoutingError(f"route {rule!r}: the view {view!r} is not callable")
    if view is None and not options.get("build_only") and options.get("redirect_to") is None:
        raise RoutingError(
            f"route {rule!r}: no view given; pass one (add_url_rule(rule, endpoint, view)), or build_only=True "
            "for a URL that is only built (url_for), or redirect_to=..."
        )
    if endpoint is None:
        if view is None:
            raise RoutingError(f"route {rule!r}: pass endpoint='...' for a route without a view")
        endpoint = default_endpoint(view)
    if not isinstance(endpoint, str) or not endpoint:
        raise RoutingError(f"route {rule!r}: the endpoint must be a non-empty string, not {endpoint!r}")
    return endpoint


def _included(rule: str, endpoint: str, options: dict[str, Any], include: Include) -> tuple[str, str]:
    """A ``Router`` group's route: its prefix, name, defaults, subdomain and host applied (``options`` updated)."""
    router = include.router
    rule = include.prefix + rule if include.prefix else rule
    if router.name:
        endpoint = f"{router.name}.{endpoint}"
    if router.defaults:
        options["defaults"] = {**router.defaults, **(options.get("defaults") or {})}
    if router.subdomain is not None:
        options.setdefault("subdomain", router.subdomain)
    if router.host is not None:
        options.setdefault("host", router.host)
    return rule, endpoint
