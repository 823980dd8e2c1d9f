"""The core's own hook implementations: the project runs on its own hooks.

Registered under the plugin name ``corolla`` in every app, first, so its
implementations run after every plugin's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._checks import Check
from ._markers import hookimpl

if TYPE_CHECKING:
    from ._app import App


class CorePlugin:
    """The core's own hook implementations: the project runs on its own hooks."""

    def __init__(self, app: App) -> None:
        self.app = app

    @hookimpl
    def corolla_deploy_checks(self, app: App) -> list[Check]:
        checks = [
            Check(
                "core.debug",
                not app.debug,
                "debug is on" if app.debug else "debug is off",
                "set [core] debug = false (or COROLLA_CORE__DEBUG=0)",
            ),
        ]
        generated = app.config["core"]["secret_key"] is None
        checks.append(
            Check(
                "core.secret_key",
                not generated,
                "the secret key is the development key generated in the instance folder"
                if generated
                else f"the secret key comes from {app.config.source('core', 'secret_key')}",
                "set COROLLA_CORE__SECRET_KEY to a long random value kept out of the repository",
            )
        )
        explicit = app.selection.enabled is not None
        checks.append(
            Check(
                "core.plugins_pinned",
                explicit,
                f"the plugin set is pinned by {app.selection.enabled_source}"
                if explicit
                else "every installed plugin is autoloaded",
                "pin the exact set: [plugins] enabled = [...] in corolla.toml, or COROLLA_PLUGINS",
            )
        )
        return checks
