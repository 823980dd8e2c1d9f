"""corolla-routing: URL routing for Corolla on werkzeug.routing.

Adds ``app.route``/``get``/``post``/``put``/``patch``/``delete``,
``app.add_url_rule``, ``app.url_for``, ``app.include`` (``Router`` groups),
``app.mount`` (plain WSGI apps), ``app.errorhandler`` and ``app.url_map``;
and ``request.url_for``, ``request.url_rule``, ``request.view_args``. See
docs/plugins/routing.md.
"""

from ._errors import RoutingError, UrlBuildError
from ._inspect import RouteInfo, routes_info
from ._plugin import RoutingPlugin
from ._router import Router
from ._table import Route
from ._types import RoutingApp, RoutingRequest
from .hookspecs import RoutingHooks, RoutingSpecs

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
