"""``corolla static collect DEST``: every static folder gathered into one, for the front server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import corolla


def _plugin(app: corolla.AppRef) -> Any:
    return app.get().plugins[app.plugin]


def static_group(app: corolla.AppRef) -> click.Group:
    """``corolla static``; ``app`` is loaded only when a subcommand runs (``TemplatesPlugin.commands``)."""

    @click.group("static", help="Static files served under /static/ (the templates plugin).")
    def static() -> None:
        pass

    @static.command("collect")
    @click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
    def collect(dest: Path) -> None:
        """Copy the app's and the plugins' static folders into DEST, as the app would serve them.

        Where two folders hold the same path, the file the app serves wins
        (the app's, then a plugin's over those of the plugins it requires).
        Point the front server at DEST for the static URL path.
        """
        plugin = _plugin(app)
        dest.mkdir(parents=True, exist_ok=True)
        # Lowest precedence first, so the file the app would serve is copied last.
        for folder in reversed(plugin.static_folders):
            if folder.path.is_dir():
                shutil.copytree(folder.path, dest, dirs_exist_ok=True)
                click.echo(f"copied {folder.describe()}")
        click.echo(f"serve {dest} at {plugin.static.prefix} and set [templates] serve_static = false")

    @static.command("folders")
    def folders() -> None:
        """List the static folders in the order they are searched."""
        for folder in _plugin(app).static_folders:
            click.echo(folder.describe())

    return static
