"""``RoutingApp`` and ``RoutingRequest``: what the routing plugin adds to ``app`` and ``request``, for type checkers.

The attributes are added at start-up, so a type checker cannot see them on
``corolla.App`` / ``corolla.Request``. Combine these protocols with the
core classes in the app's own types (annotations only: nothing here has a
runtime value, so a name the plugin did not add still raises AttributeError)::

    class App(corolla.App, RoutingApp): ...
    class Request(corolla.Request, RoutingRequest, SessionsRequest): ...

    app = App()

    @app.get("/")
    def index(request: Request) -> str:
        return request.url_for("index")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from werkzeug.routing import Map, MapAdapter

    from ._handlers import ErrorHandler
    from ._router import Router
    from ._table import Route

    def _added_at_start_up() -> Any:
        """Stands for the value the plugin sets on the app; seen by type checkers only."""


V = TypeVar("V", bound=Callable[..., Any])


class RouteDecorator(Protocol):
    """``app.route`` / ``get`` / ``post`` / ``put`` / ``patch`` / ``delete``: returns a decorator keeping the view."""

    def __call__(self, rule: str, **options: Any) -> Callable[[V], V]: ...


class ErrorHandlerDecorator(Protocol):
    """``app.errorhandler(404)`` / ``app.errorhandler(SomeError)``."""

    def __call__(self, code_or_exception: int | type[BaseException]) -> Callable[[ErrorHandler], ErrorHandler]: ...


class AddUrlRule(Protocol):
    """``app.add_url_rule(rule, endpoint=None, view=None, *, methods=None, **rule_options)``."""

    def __call__(
        self,
        rule: str,
        endpoint: str | None = None,
        view: Callable[..., Any] | None = None,
        *,
        methods: Iterable[str] | None = None,
        **rule_options: Any,
    ) -> None: ...


class Include(Protocol):
    """``app.include(router, prefix=None)``."""

    def __call__(self, router: Router, prefix: str | None = None) -> None: ...


class RoutingApp(Protocol):
    """What the routing plugin adds to ``app`` (see docs/plugins/routing.md)."""

    # The values exist for type checkers only (TYPE_CHECKING), so a class
    # naming this protocol as a base can be instantiated without mypy calling
    # it abstract, while at run time the app has these names only when the
    # plugin added them.
    if TYPE_CHECKING:
        route: RouteDecorator = _added_at_start_up()
        get: RouteDecorator = _added_at_start_up()
        post: RouteDecorator = _added_at_start_up()
        put: RouteDecorator = _added_at_start_up()
        patch: RouteDecorator = _added_at_start_up()
        delete: RouteDecorator = _added_at_start_up()
        add_url_rule: AddUrlRule = _added_at_start_up()
        url_for: Callable[..., str] = _added_at_start_up()
        include: Include = _added_at_start_up()
        mount: Callable[[str, Any], None] = _added_at_start_up()
        errorhandler: ErrorHandlerDecorator = _added_at_start_up()
        url_map: Map = _added_at_start_up()


class RoutingRequest(Protocol):
    """What the routing plugin adds to ``request``: all lazy, computed on first access."""

    url_adapter: MapAdapter
    url_for: Callable[..., str]
    url_rule: Route | None
    view_args: dict[str, Any] | None
