"""The ``corolla`` command line (click): plugins, hooks, run, check, new, and plugins' own commands.

Imported only by the console script (``corolla = corolla.cli:main``), never by
``import corolla``, so apps do not pay for click. See docs/cli.md.
"""

from ._main import cli, main, make_state
from ._render import table
from ._target import AppLoadError, State

__all__ = ["AppLoadError", "State", "cli", "main", "make_state", "table"]
