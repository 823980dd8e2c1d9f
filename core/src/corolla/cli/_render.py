"""Rendering: aligned tables, colour only on a terminal, and JSON.

The commands build plain data (the ``--json`` output); this module only
turns it into text. Colour is used when the stream written to is a terminal
and ``NO_COLOR`` is unset or empty (https://no-color.org); piped output
never carries escape codes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import click

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: Colour per status word; anything else is left plain.
STATUS_COLOURS = {
    "enabled": "green",
    "ok": "green",
    "disabled": "yellow",
    "optional-skipped": "yellow",
    "refused": "red",
    "FAIL": "red",
    "error": "red",
    "ERROR": "red",
    "WARNING": "yellow",
    "INFO": "cyan",
    "silenced": "cyan",
}


def colour_enabled(err: bool = False) -> bool:
    """Colour for stdout (or stderr with ``err``): that stream is a terminal and ``NO_COLOR`` is unset or empty."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stderr if err else sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str | None, *, bold: bool = False, err: bool = False) -> str:
    """``text`` in ``colour`` when colour is on for that stream (stdout, or stderr with ``err``), else unchanged."""
    if (colour is None and not bold) or not colour_enabled(err):
        return text
    return click.style(text, fg=colour, bold=bold)


def status(text: str) -> str:
    return paint(text, STATUS_COLOURS.get(text))


def visible_len(text: str) -> int:
    return len(_ANSI.sub("", text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned table; the last column is not padded. Cells may carry colour."""
    if not rows:
        return ""
    widths = [visible_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], visible_len(cell))
    lines = []
    for row, is_header in [(list(headers), True), *((list(r), False) for r in rows)]:
        cells = []
        for i, cell in enumerate(row):
            text = paint(cell, None, bold=True) if is_header else cell
            pad = "" if i == len(row) - 1 else " " * (widths[i] - visible_len(cell))
            cells.append(text + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def join(items: Sequence[str], empty: str = "-") -> str:
    return ", ".join(items) if items else empty


def emit_json(data: Any) -> None:
    """The ``--json`` output: indented, keys in the documented order, one trailing newline."""
    click.echo(json.dumps(data, indent=2, default=str))


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)


def warn(text: str) -> None:
    click.echo(paint("warning: ", "yellow", bold=True, err=True) + text, err=True)
