"""``corolla --version``: the versions a bug report needs, from metadata only (nothing is imported)."""

from __future__ import annotations

import platform
from importlib import metadata

import click

from .._planning import discover
from .._version import __version__


def version_text(plugin_path: list[str] | None = None) -> str:
    """``corolla 0.1.0``, then Python, werkzeug and pluggy, then every installed plugin's distribution."""
    lines = [f"corolla {__version__}", f"Python {platform.python_version()} ({platform.python_implementation()})"]
    for library in ("werkzeug", "pluggy", "click"):
        try:
            lines.append(f"{library} {metadata.version(library)}")
        except metadata.PackageNotFoundError:  # pragma: no cover - they are the core's dependencies
            lines.append(f"{library} (not installed)")
    records = sorted(discover(plugin_path), key=lambda r: r.name)
    if records:
        lines.append("plugins (installed):")
        width = max(len(r.name) for r in records)
        lines += [f"  {r.name.ljust(width)}  {r.distribution} {r.version}" for r in records]
    else:
        lines.append("plugins (installed): none")
    return "\n".join(lines)


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    state = ctx.obj
    click.echo(version_text(getattr(state, "plugin_path", None)))
    ctx.exit()
