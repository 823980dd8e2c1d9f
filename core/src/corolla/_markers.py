"""The hook markers plugin authors import as ``corolla.hookimpl``.

pluggy's markers only set an attribute on the decorated function; no global
registry is kept, so any number of apps can coexist in one process.
"""

from __future__ import annotations

import pluggy

PROJECT = "corolla"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
