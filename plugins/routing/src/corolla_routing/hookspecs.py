"""The hook specification the routing plugin declares for other plugins: ``RoutingHooks``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from corolla import hookspec

if TYPE_CHECKING:
    from corolla import App

    from ._router import Router


class RoutingHooks:
    """Declared through ``RoutingPlugin.hookspecs``; implement with ``@corolla.hookimpl``."""

    @hookspec
    def corolla_routers(self, app: App) -> Router | Sequence[Router | tuple[str, Router]] | None:
        """Return the ``Router`` groups this plugin adds to ``app``, to be included at start-up.

        Called once, from the routing plugin's ``corolla_startup``, in load
        order. Return a ``Router`` (included at its own ``prefix``), a list
        of them, or ``(prefix, router)`` pairs to choose the prefix (e.g.
        from your config). The routes table names your plugin as the one
        that registered them. Declare ``requires = ["routing"]`` (or
        ``optional = ["routing"]`` with ``@hookimpl(optionalhook=True)``).
        All results are used.
        """
        raise NotImplementedError


#: The name of 0.1, kept for plugins that import it.
RoutingSpecs = RoutingHooks
