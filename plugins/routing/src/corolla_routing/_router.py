"""``Router``: a group of routes with a prefix, default values and its own error handlers.

Like a Flask blueprint: build one at import time, then mount it with
``app.include(router, prefix="/api")``. A plugin can ship one and mount it
from the ``corolla_routers`` hook (see ``hookspecs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from corolla import AppCommands

from ._errors import RoutingError
from ._handlers import ErrorHandler, register
from ._registrar import Registrar, View
from ._views import check_async

H = TypeVar("H", bound=Callable[..., Any])


class Table(Protocol):
    """What a group needs of the route table of an app that includes it (``_table.RouteTable``)."""

    def add_pending(self, pending: PendingRoute, include: Include) -> None: ...


def normalize_prefix(prefix: str, what: str) -> str:
    """``"api/"`` -> ``"/api"``; ``""`` and ``"/"`` -> ``""``."""
    if not isinstance(prefix, str):
        raise TypeError(f"{what} takes a string like '/api', not {prefix!r}")
    prefix = prefix.strip()
    if prefix and not prefix.startswith("/"):
        prefix = "/" + prefix
    return prefix.rstrip("/")


@dataclass
class PendingRoute:
    """A route as a group recorded it, before it is added to an app under the group's prefix."""

    rule: str
    endpoint: str | None
    view: View | None
    methods: tuple[str, ...] | None
    options: dict[str, Any]


@dataclass
class Include:
    """One group mounted in one app: where, and who mounted it."""

    router: Router
    prefix: str
    registered_by: str
    table: Table = field(repr=False)

    @property
    def label(self) -> str:
        return f"group {self.router.name!r}" if self.router.name else f"group at {self.prefix or '/'!r}"


class Router(Registrar):
    """A group of routes: ``Router(prefix="/api", name="api", defaults={"version": 1})``.

    ``prefix`` is prepended to every rule (``app.include(router, prefix=...)``
    replaces it). ``name`` prefixes endpoints (``"api.show_user"``) so groups
    from different plugins never clash. ``defaults`` are passed to every view
    as keyword arguments (a rule's own defaults win). ``subdomain`` / ``host``
    apply to every route without its own. Error handlers registered with
    ``@router.errorhandler`` apply to requests for this group's routes, and to
    404/405s under its prefix when it has one (a group at the root claims only
    its own routes); they are tried before the app's.

    Routes added after the router was included are added to those apps too.
    ``router.cli`` holds the group's commands; they join the app's commands
    (``app.cli``) when it is included.
    """

    def __init__(
        self,
        prefix: str = "",
        *,
        name: str | None = None,
        defaults: Mapping[str, Any] | None = None,
        subdomain: str | None = None,
        host: str | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or not name or "." in name):
            raise RoutingError(f"Router(name={name!r}): a group's name is a non-empty string without dots")
        self.prefix = normalize_prefix(prefix, "Router(prefix=...)")
        self.name = name
        self.defaults = dict(defaults or {})
        self.subdomain = subdomain
        self.host = host
        self.routes: list[PendingRoute] = []
        self.error_handlers: dict[type[BaseException], ErrorHandler] = {}
        self.includes: list[Include] = []
        #: The group's own ``corolla`` commands (``@router.cli.command()``, as a Flask blueprint's
        #: ``cli``): on include they join the app's, under ``corolla <name> ...`` for a named group.
        self.cli = AppCommands(f"Router {name!r}" if name else "Router")
        #: The group's request hooks (see ``_group_hooks``), run for its routes only.
        self.before: list[Callable[..., Any]] = []
        self.after: list[Callable[..., Any]] = []
        self.teardown: list[Callable[..., Any]] = []

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view: View | None = None,
        *,
        methods: Iterable[str] | None = None,
        **rule_options: Any,
    ) -> None:
        """Record a route of this group (see ``App.add_url_rule``); the prefix is added on ``include``."""
        if isinstance(methods, str):
            raise TypeError(f"methods takes a list of method names, e.g. [{methods!r}], not a string")
        pending = PendingRoute(rule, endpoint, view, tuple(methods) if methods is not None else None, rule_options)
        # Checked where the mistake is made, not later when an app includes us.
        if not isinstance(rule, str) or not rule.startswith("/"):
            raise RoutingError(f"route {rule!r} of {self!r}: a rule is a string starting with '/', e.g. '/users'")
        if view is not None:
            from ._table import describe  # _table imports this module

            # Its signature is checked on include, once the prefix's values are known too.
            check_async(rule, view, describe(view))
        self.routes.append(pending)
        for include in self.includes:
            include.table.add_pending(pending, include)

    def before_request(self, function: H) -> H:
        """Decorator: ``function(request)`` runs before each of this group's views; non-None answers instead."""
        return self._add_hook(self.before, function, "before_request")

    def after_request(self, function: H) -> H:
        """Decorator: ``function(request, response)`` changes the responses of this group's views in place."""
        return self._add_hook(self.after, function, "after_request")

    def teardown_request(self, function: H) -> H:
        """Decorator: ``function(request, exception)`` runs when one of this group's views is done."""
        return self._add_hook(self.teardown, function, "teardown_request")

    def _add_hook(self, functions: list[Callable[..., Any]], function: H, kind: str) -> H:
        if self.includes:
            raise RoutingError(
                f"{self!r} is already included in an app; register its {kind} functions before "
                "app.include(...), so they are compiled into its views"
            )
        if not callable(function):
            raise TypeError(f"{kind} takes a function, not {function!r}")
        functions.append(function)
        return function

    def errorhandler(self, code_or_exception: int | type[BaseException]) -> Callable[[ErrorHandler], ErrorHandler]:
        """Decorator: ``@router.errorhandler(404)``; the handler is ``handler(request, exception)``."""
        return register(self.error_handlers, code_or_exception)

    def __repr__(self) -> str:
        return f"<Router name={self.name!r} prefix={self.prefix!r} routes={len(self.routes)}>"
