"""``corolla static collect DEST``: every static folder gathered into one, for the front server."""

from __future__ import annotations

import json
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
    @click.option("--json", "as_json", is_flag=True, help="Print JSON: {dest, prefix, copied: [{path, owner}]}.")
    def collect(dest: Path, as_json: bool) -> None:
        """Copy the app's and the plugins' static folders into DEST, as the app would serve them.

        Where two folders hold the same path, the file the app serves wins
        (the app's, then a plugin's over those of the plugins it requires).
        Point the front server at DEST for the static URL path.
        """
        plugin = _plugin(app)
        dest.mkdir(parents=True, exist_ok=True)
        copied = []
        # Lowest precedence first, so the file the app would serve is copied last.
        for folder in reversed(plugin.static_folders):
            if folder.path.is_dir():
                shutil.copytree(folder.path, dest, dirs_exist_ok=True)
                copied.append(folder)
                if not as_json:
                    click.echo(f"copied {folder.describe()}")
        if as_json:
            rows = [{"path": str(f.path), "owner": f.owner} for f in copied]
            click.echo(json.dumps({"dest": str(dest), "prefix": plugin.static.prefix, "copied": rows}, indent=2))
            return
        click.echo(f"serve {dest} at {plugin.static.prefix} and set [templates] serve_static = false")

    @static.command("folders")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON: [{path, owner, exists}] in search order.")
    def folders(as_json: bool) -> None:
        """List the static folders in the order they are searched."""
        found = _plugin(app).static_folders
        if as_json:
            rows = [{"path": str(f.path), "owner": f.owner, "exists": f.path.is_dir()} for f in found]
            click.echo(json.dumps(rows, indent=2))
            return
        for folder in found:
            click.echo(folder.describe())

    return static
