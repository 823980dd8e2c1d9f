"""``corolla shell``: an interactive Python with the app loaded, as ``flask shell``.

Predefined: ``app``, then whatever plugins add through
``corolla_shell_context`` (the orm plugin: ``db`` and every model class).
A plugin whose hook raises is named in a warning; the shell still starts.
"""

from __future__ import annotations

import code
import sys
from typing import Any

import click

from .._pipeline import call_order
from ._render import warn
from ._target import State


def shell_namespace(state: State) -> dict[str, Any]:
    app = state.require_app("corolla shell")
    namespace: dict[str, Any] = {"app": app}
    for impl in call_order(app.plugin_manager.hook.corolla_shell_context):
        try:
            names: Any = impl.function(**{name: app for name in impl.argnames})
            namespace.update(dict(names or {}))
        except Exception as exc:
            warn(f"plugin {app._host.label(impl.plugin_name)} failed in corolla_shell_context: {exc!r}")
    return namespace


@click.command()
@click.pass_context
def shell(ctx: click.Context) -> None:
    """An interactive Python shell with the app (and what plugins add: db, models) predefined."""
    state: State = ctx.find_root().obj
    namespace = shell_namespace(state)
    app = namespace["app"]
    banner = (
        f"Python {sys.version.split()[0]} on {sys.platform}\nApp: {app!r}\nPredefined: {', '.join(sorted(namespace))}"
    )
    code.interact(banner=banner, local=namespace, exitmsg="")
