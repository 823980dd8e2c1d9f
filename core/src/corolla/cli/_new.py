"""``corolla new plugin NAME`` and ``corolla new app NAME``: start a plugin distribution or an app.

The files come from the template folder ``scaffold/plugin`` next to this
module (``$name``-style placeholders, ``__module__`` in paths): a pyproject
with the entry point and a compatible ``corolla`` range, a plugin class
implementing one hook, a README, a changelog and tests using
``corolla.testing``. The tests pass right after ``pip install -e``.
``new app`` uses ``scaffold/app``: an ``app.py`` with two routes, a
``corolla.toml`` pinning its plugins, and tests that pass as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import click

from .._version import __version__
from ._render import echo

SCAFFOLD = Path(__file__).parent / "scaffold" / "plugin"
APP_SCAFFOLD = Path(__file__).parent / "scaffold" / "app"
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # fullmatch: "$" would let a final newline through


def compatible_range(version: str) -> str:
    """``>=0.1,<0.2`` for a 0.x core; ``>=1.2,<2`` from 1.0 on."""
    parts = [int(p) if p.isdigit() else 0 for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    major, minor = parts[0], parts[1]
    if major == 0:
        return f">=0.{minor},<0.{minor + 1}"
    return f">={major}.{minor},<{major + 1}"


def substitutions(name: str) -> dict[str, str]:
    module = "corolla_" + name.replace("-", "_")
    return {
        "name": name,
        "module": module,
        "distribution": f"corolla-{name}",
        "cls": "".join(part.title() for part in name.split("-")) + "Plugin",
        "path": f"/{name}",
        "env": name.upper().replace("-", "_"),
        "core_range": compatible_range(__version__),
    }


def scaffold(name: str, target: Path, folder: Path = SCAFFOLD) -> list[Path]:
    """Write the files of template ``folder`` under ``target``; returns them, relative to it."""
    values = substitutions(name)
    written = []
    for template in sorted(folder.rglob("*.tmpl")):
        relative = str(template.relative_to(folder)).replace("__module__", values["module"]).removesuffix(".tmpl")
        if relative == "gitignore":  # a dot file would be left out of the wheel's package data
            relative = ".gitignore"
        out = target / Path(relative)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = Template(template.read_text()).substitute(values)
        out.write_text(text)
        written.append(out.relative_to(target))
    return written


@click.group()
def new() -> None:
    """Create new projects from templates."""


@new.command("plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create (default: ./corolla-NAME).",
)
def plugin(name: str, directory: Path | None) -> None:
    """Scaffold a plugin distribution NAME (lower case, digits and dashes): code, tests, README."""
    if not NAME.fullmatch(name):
        raise click.BadParameter(
            f"{name!r} is not a plugin name: use lower-case letters, digits and single dashes, starting with a letter",
            param_hint="NAME",
        )
    if name in ("core", "corolla", "plugins"):
        raise click.BadParameter(f"{name!r} is reserved by the core", param_hint="NAME")
    target = directory if directory is not None else Path(f"corolla-{name}")
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{target} already exists and is not empty; choose another --dir")
    files = scaffold(name, target)
    values = substitutions(name)
    echo(f"Created plugin {name!r} (distribution {values['distribution']}, class {values['cls']}) in {target}:")
    for path in files:
        echo(f"  {path.as_posix()}")
    echo("Next:")
    echo(f"  cd {target}")
    echo('  pip install -e ".[test]"')
    echo("  pytest")


@new.command("app")
@click.argument("name")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help="Folder to create (default: ./NAME)."
)
def app(name: str, directory: Path | None) -> None:
    """Create an app NAME: app.py with two routes, a test, and a corolla.toml pinning its plugins."""
    if not NAME.fullmatch(name):
        raise click.BadParameter(
            f"{name!r} is not an app name: use lower-case letters, digits and single dashes, starting with a letter",
            param_hint="NAME",
        )
    target = directory if directory is not None else Path(name)
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{target} already exists and is not empty; choose another --dir")
    files = scaffold(name, target, APP_SCAFFOLD)
    echo(f"Created app {name!r} in {target}:")
    for path in files:
        echo(f"  {path.as_posix()}")
    echo("Next:")
    echo(f"  cd {target}")
    echo("  pip install corolla-routing pytest   # if they are not installed yet")
    echo("  corolla run --reload --debug          # http://127.0.0.1:8000/")
    echo("  pytest")
