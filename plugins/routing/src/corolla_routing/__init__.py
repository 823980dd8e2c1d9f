"""corolla-routing: URL routing for Corolla on werkzeug.routing.

Adds ``app.route``/``get``/``post``/``put``/``patch``/``delete``,
``app.add_url_rule``, ``app.url_for``, ``app.include`` (``Router`` groups),
``app.mount`` (plain WSGI apps), ``app.errorhandler`` and ``app.url_map``;
and ``request.url_for``, ``request.url_rule``, ``request.view_args``. See
docs/plugins/routing.md.

Everything built on werkzeug.routing loads on first use (``lazy_exports``):
``corolla --help`` imports this package only for the ``routes`` command's
help, and werkzeug's ``__init__`` imports its server and test client (about
25 ms).
"""

from typing import TYPE_CHECKING

from corolla import lazy_exports

from ._types import RoutingApp, RoutingRequest
from .hookspecs import RoutingHooks, RoutingSpecs

if TYPE_CHECKING:
    from ._errors import RoutingError, UrlBuildError
    from ._inspect import RouteInfo, routes_info
    from ._plugin import RoutingPlugin
    from ._router import Router
    from ._table import Route

__getattr__ = lazy_exports(
    __name__,
    {
        "Route": "._table",
        "RouteInfo": "._inspect",
        "Router": "._router",
        "RoutingError": "._errors",
        "RoutingPlugin": "._plugin",
        "UrlBuildError": "._errors",
        "routes_info": "._inspect",
    },
)

__all__ = [
    "Route",
    "RouteInfo",
    "Router",
    "RoutingApp",
    "RoutingError",
    "RoutingHooks",
    "RoutingPlugin",
    "RoutingRequest",
    "RoutingSpecs",
    "UrlBuildError",
    "routes_info",
]
