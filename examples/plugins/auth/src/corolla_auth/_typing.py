"""Types: ``AuthRequest``, what this plugin adds to ``request``, and the request its own code sees.

Attributes plugins add at start-up are invisible to a type checker on
``corolla.Request``; each plugin exports a protocol of what it adds, and a
request type combines them with the core's ``Request``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import corolla
    from corolla_orm import OrmRequest
    from corolla_routing import RoutingRequest
    from corolla_sessions import SessionsRequest
    from corolla_templates import TemplatesRequest

    from .models import User


class AuthRequest(Protocol):
    """What the auth plugin adds to ``request``: ``user``, the logged-in ``User`` or None (lazy)."""

    user: User | None


if TYPE_CHECKING:

    class PluginRequest(corolla.Request, RoutingRequest, SessionsRequest, OrmRequest, TemplatesRequest, AuthRequest):
        """The request as this plugin's views and hooks see it: the attributes of the plugins it requires."""
