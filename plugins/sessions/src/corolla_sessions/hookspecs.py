"""The hook specification the sessions plugin declares for other plugins: ``SessionsHooks``.

Registered through ``SessionsPlugin.hookspecs``; implement it with
``@corolla.hookimpl`` in a plugin that ``requires = ["sessions"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from corolla import hookspec

if TYPE_CHECKING:
    from corolla import App

    from ._backend import SessionBackend

    BackendFactory = Callable[[App, Mapping[str, Any]], SessionBackend]


class SessionsHooks:
    """The hook specifications of the ``sessions`` plugin."""

    @hookspec
    def corolla_session_backends(self, app: App) -> Mapping[str, BackendFactory]:
        """Offer session backends: name -> factory.

        Called once, at start-up (``corolla_startup`` of the sessions plugin),
        in load order; all results are collected and a name offered twice is an
        error naming both plugins. ``[sessions] backend`` selects one by name.
        A factory is called as ``factory(app, settings)``, ``settings`` being
        the validated ``[sessions]`` section, and returns a
        ``corolla_sessions.SessionBackend``; it must do no I/O (connect on first
        use). The sessions plugin offers ``cookie`` and ``redis`` itself, and
        ``sql`` when the orm plugin is loaded.
        """
        raise NotImplementedError
