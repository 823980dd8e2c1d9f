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


#: Shorter keys fail the deploy check (secrets.token_urlsafe(48) gives 64).
MIN_SECRET_KEY_LENGTH = 32


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
        tracing = app.config["core"]["trace_hooks"]
        checks.append(
            Check(
                "core.trace_hooks",
                not tracing,
                "every hook call is traced and logged" if tracing else "hook tracing is off",
                "set [core] trace_hooks = false (or COROLLA_CORE__TRACE_HOOKS=0); tracing is for development",
            )
        )
        key = app.config["core"]["secret_key"]
        if key is None:
            found, ok = "the secret key is the development key generated in the instance folder", False
        elif len(key) < MIN_SECRET_KEY_LENGTH:
            found, ok = f"the secret key is only {len(key)} characters long", False
        else:
            found, ok = f"the secret key comes from {app.config.source('core', 'secret_key')}", True
        checks.append(
            Check(
                "core.secret_key",
                ok,
                found,
                f"set COROLLA_CORE__SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} characters, "
                "kept out of the repository",
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
