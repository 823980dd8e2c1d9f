"""Naming the plugin an exception came from, for the error log.

Used only when something went wrong, so it may be slow; it costs nothing per
request.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ._plugin import Plugin


class Blame:
    """Maps a traceback to the plugin whose code raised.

    Used only when something went wrong, so it may be slow; it costs nothing
    per request. A frame belongs to a plugin when its ``self`` is that
    plugin's instance, or when its file lies in the plugin's package.
    """

    def __init__(self, plugins: Mapping[str, Plugin]) -> None:
        self.instances = {id(p): name for name, p in plugins.items()}
        self.labels = {name: p.record.label() for name, p in plugins.items()}
        self.places: list[tuple[str, str]] = []
        for name, plugin in plugins.items():
            place = _package_place(type(plugin))
            if place:
                self.places.append((place, name))
        # Longest path first, so a nested package wins over its parent.
        self.places.sort(key=lambda item: len(item[0]), reverse=True)

    def plugin_of(self, frame_self: Any, filename: str) -> str | None:
        if frame_self is not None and id(frame_self) in self.instances:
            return self.instances[id(frame_self)]
        for place, name in self.places:
            if filename == place or filename.startswith(place + os.sep):
                return name
        return None

    def describe(self, tb: TracebackType | None) -> tuple[str | None, str]:
        """(plugin name or None, a phrase saying where the exception was raised)."""
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        if not frames:
            return None, "at an unknown place"
        innermost = frames[-1]
        where = f"{innermost.f_code.co_filename}:{innermost.f_lineno} in {innermost.f_code.co_name}"
        for frame in reversed(frames):
            name = self.plugin_of(frame.f_locals.get("self"), frame.f_code.co_filename)
            if name is not None:
                here = f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
                if frame is innermost:
                    return name, str(f"in plugin {self.labels[name]} at {here}")
                return name, str(f"at {where}, called from plugin {self.labels[name]} at {here}")
        return None, f"at {where} (no plugin involved)"


def _package_place(cls: type) -> str:
    top = cls.__module__.split(".")[0]
    module = sys.modules.get(top)
    filename = str(getattr(module, "__file__", None) or "")
    if not filename:
        return ""
    if getattr(module, "__path__", None) is not None:  # a package: everything in its folder
        return os.path.dirname(os.path.abspath(filename))
    return os.path.abspath(filename)
