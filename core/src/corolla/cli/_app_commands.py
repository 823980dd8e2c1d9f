"""The found app's own commands (``app.cli``), for ``corolla --help`` and ``corolla NAME``.

Listing them needs the app, so ``corolla --help`` imports it when one is
found (as ``flask --help`` does); without one nothing is imported. An app
that fails to load is named in a one-line warning and the help is still
shown.
"""

from __future__ import annotations

import click

from ._render import warn
from ._target import AppLoadError, State


def app_commands(state: State, *, quiet: bool = False) -> dict[str, click.Command]:
    """The app's commands by name; empty when no app was found or it failed to load (warned unless ``quiet``)."""
    if not state.candidates:
        return {}
    try:
        app = state.app()
    except AppLoadError as err:
        if not quiet:
            warn(f"the app's own commands are unavailable: {err.message}")
        return {}
    except SystemExit as exc:  # an app module calling sys.exit() on import
        if not quiet:
            warn(f"the app's own commands are unavailable: importing the app exited ({exc.code!r})")
        return {}
    registry = getattr(app, "cli", None)
    return dict(getattr(registry, "commands", {}))


def format_app_commands(state: State, builtin: set[str], formatter: click.HelpFormatter) -> None:
    """The "Commands of the app" section of ``corolla --help``."""
    commands = app_commands(state)
    rows = []
    for name, command in commands.items():
        if name in builtin:
            warn(f"the app adds command {name!r}, which is built in; the built-in one is kept")
            continue
        rows.append((name, command.get_short_help_str(limit=formatter.width - 6 - 10)))
    if rows:
        with formatter.section("Commands of the app"):
            formatter.write_dl(rows)
