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

from ._render import warn
from ._target import State


def shell_namespace(state: State) -> dict[str, Any]:
    app = state.require_app("corolla shell")
    from .._calls import call_each  # lazily: werkzeug (~100 ms), here already loaded by the app

    namespace: dict[str, Any] = {"app": app}
    for _, names in call_each(app, "corolla_shell_context", app=app, on_error=lambda err: warn(str(err))):
        namespace.update(dict(names or {}))
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
