"""Helpers for the command-line tests: ``corolla`` run in-process, and plugins adding a command."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from corolla import AppRef, Plugin
from corolla.cli import cli, make_state
from corolla.testing import SyntheticPlugins


def make_greet(app: AppRef) -> click.Command:
    """The greeter's ``greet`` command: says whether the command line found an app."""

    @click.command()
    def greet() -> None:
        """Say hello (added by the greeter plugin)."""
        click.echo("hello from greet; app: " + ("none" if app.find() is None else "found"))

    return greet


class Greeter(Plugin):
    """A plugin adding one command through the static contract."""

    commands = {"greet": f"{__name__}:make_greet"}


#: The same command through the deprecated ``corolla_cli_commands`` hook (a plugin body).
LEGACY_GREET = """
@hookimpl
def corolla_cli_commands(self, app):
    import click

    @click.command()
    def greet():
        \"\"\"Say hello (added by the greeter plugin).\"\"\"
        click.echo("hello from greet; app: " + ("none" if app is None else "found"))

    return [greet]
"""


class Corolla:
    """``corolla`` run in-process with click's CliRunner, in a temporary working folder.

    Plugins are discovered only in the synthetic folder (``isolated``), and
    the environment seen by config is ``environ`` (empty by default).
    """

    def __init__(self, plugins: SyntheticPlugins, cwd: Path) -> None:
        self.plugins = plugins
        self.cwd = cwd

    def __call__(
        self, *args: str, environ: Mapping[str, str] | None = None, isolated: bool = True, code: int | None = 0
    ) -> Result:
        overrides = {
            "cwd": self.cwd,
            "environ": dict(environ or {}),
            "plugin_path": self.plugins.path if isolated else None,
        }
        result = CliRunner().invoke(cli, list(args), obj=make_state(args, overrides), prog_name="corolla")
        if code is not None:
            assert result.exit_code == code, f"exit {result.exit_code}, wanted {code}:\n{result.output}"
        return result

    def json(self, *args: str, **kw: Any) -> Any:
        return json.loads(self(*args, **kw).stdout)

    def write_app(self, body: str = "app = App(plugin_path=PLUGIN_PATH, environ={})", name: str = "app.py") -> Path:
        path = self.cwd / name
        path.write_text(
            f"from corolla import App\n\nPLUGIN_PATH = {self.plugins.path!r}\n\n" + textwrap.dedent(body).strip() + "\n"
        )
        return path
