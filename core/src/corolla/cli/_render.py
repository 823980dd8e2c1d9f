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
import shutil
import sys
import textwrap
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
    "skipped": "yellow",
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


def terminal_width() -> int | None:
    """The width to fit tables in: the terminal's when stdout is one, else ``$COLUMNS`` if set, else no limit."""
    isatty = getattr(sys.stdout, "isatty", None)
    if isatty is not None and isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = -1) -> str:
    """An aligned table that fits ``width`` columns; the last column is not padded. Cells may carry colour.

    ``width`` defaults to ``terminal_width()`` (None: never wrap). When the
    natural table is wider, the columns with the most room give way first,
    down to their header's width and their longest word (at least 8, words
    over 24 characters may be cut), and their cells wrap onto more lines at
    spaces. Public for plugins' commands as
    ``corolla.cli.table``, so every ``corolla`` table looks the same.
    """
    if not rows:
        return ""
    limit = terminal_width() if width == -1 else width
    widths = [visible_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], visible_len(cell))
    if limit is not None:
        # A column narrows down to its header and its longest word (up to 24), so words stay whole.
        words = [
            max((len(w) for row in rows for w in _ANSI.sub("", row[c]).split()), default=0) for c in range(len(widths))
        ]
        floors = [max(visible_len(h), 8, min(words[c], 24)) for c, h in enumerate(headers)]
        excess = sum(widths) + 2 * (len(widths) - 1) - limit
        while excess > 0:
            i = max(range(len(widths)), key=lambda c: widths[c] - floors[c])
            if widths[i] <= floors[i]:
                break  # as narrow as it goes: let the terminal wrap the rest
            widths[i] -= 1
            excess -= 1
    lines = []
    for row, is_header in [(list(headers), True), *((list(r), False) for r in rows)]:
        wrapped = [_wrap(cell, widths[i]) for i, cell in enumerate(row)]
        for n in range(max(len(parts) for parts in wrapped)):
            cells = []
            for i, parts in enumerate(wrapped):
                cell = parts[n] if n < len(parts) else ""
                text = paint(cell, None, bold=True) if is_header and cell else cell
                pad = "" if i == len(row) - 1 else " " * (widths[i] - visible_len(cell))
                cells.append(text + pad)
            lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _wrap(cell: str, width: int) -> list[str]:
    if visible_len(cell) <= width:
        return [cell]
    # Colour is dropped from a cell that wraps (status words, the coloured ones, are short).
    return textwrap.wrap(_ANSI.sub("", cell), width, break_on_hyphens=False) or [""]


def join(items: Sequence[str], empty: str = "-") -> str:
    return ", ".join(items) if items else empty


def emit_json(data: Any) -> None:
    """The ``--json`` output: indented, keys in the documented order, one trailing newline."""
    click.echo(json.dumps(data, indent=2, default=str))


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)


def warn(text: str) -> None:
    click.echo(paint("warning: ", "yellow", bold=True, err=True) + text, err=True)
