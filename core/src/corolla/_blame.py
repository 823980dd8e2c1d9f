"""Naming the plugin an exception came from, for the error log.

Used only when something went wrong, so it may be slow; it costs nothing per
request.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import CodeType, FrameType, TracebackType
from typing import Any

from ._plugin import Plugin


@dataclass(frozen=True)
class Verdict:
    """Where an exception was raised, for the log line and the failure count.

    ``plugin`` is the plugin the log line names (also when only its caller was
    a plugin); ``phrase`` says where, e.g. ``"in plugin 'x' (corolla-x 1.0) at
    x.py:3 in f"``. ``culprit`` is the plugin whose failure it is: the plugin
    whose code raised, or called the library code that raised; None when the
    app's own code (a view, say) raised, even when a plugin called it.
    ``hook`` is what the culprit was running (``corolla_wrap_request``,
    ``request attribute 'user'``), empty when unknown; ``place`` is the
    culprit's own frame.
    """

    plugin: str | None
    phrase: str
    culprit: str | None = None
    hook: str = ""
    place: str = ""


class Blame:
    """Maps a traceback to the plugin whose code raised.

    Used only when something went wrong, so it may be slow; it costs nothing
    per request. A frame belongs to a plugin when its ``self`` is that
    plugin's instance, or when its file lies in the plugin's package.
    """

    def __init__(self, plugins: Mapping[str, Plugin]) -> None:
        #: Code objects of hook implementations (and what they return, like a request wrapper)
        #: -> the hook's name, to say which hook a failing plugin was running.
        self.roles: dict[CodeType, str] = {}
        # Frames in these folders are libraries (the standard library, installed packages,
        # the core): a failure inside one belongs to whoever called it.
        self.libraries = _library_places()
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

    def note(self, fn: Callable[..., Any], role: str) -> None:
        """Remember that ``fn``'s code runs as ``role`` (a hook's name, or "request attribute 'x'")."""
        code = _code_of(fn)
        if code is not None:
            self.roles.setdefault(code, role)

    def assess(self, tb: TracebackType | None) -> Verdict:
        """Who raised, for the log line (``plugin``, ``phrase``) and for the failure count (``culprit``)."""
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        if not frames:
            return Verdict(None, "at an unknown place")
        innermost = frames[-1]
        where = _place(innermost)
        culprit, place, hook = self._culprit(frames)
        for frame in reversed(frames):
            name = self.plugin_of(frame.f_locals.get("self"), frame.f_code.co_filename)
            if name is not None:
                # Which hook it was running, unless the function's name already says so.
                its = f" (its {hook})" if hook and name == culprit and not place.endswith(f" in {hook}") else ""
                if frame is innermost:
                    phrase = f"in plugin {self.labels[name]} at {where}{its}"
                else:
                    phrase = f"at {where}, called from plugin {self.labels[name]} at {_place(frame)}{its}"
                return Verdict(name, phrase, culprit, hook, place)
        return Verdict(None, f"at {where} (no plugin involved)")

    def _culprit(self, frames: list[FrameType]) -> tuple[str | None, str, str]:
        """(plugin, place, hook): the innermost frame that is not a library's decides whose failure it is."""
        for index in range(len(frames) - 1, -1, -1):
            frame = frames[index]
            filename = frame.f_code.co_filename
            name = self.plugin_of(frame.f_locals.get("self"), filename)
            if name is None:
                if self._is_library(filename):
                    continue
                return None, "", ""  # the app's own code raised
            return name, _place(frame), self._hook(frames[: index + 1])
        return None, "", ""

    def _hook(self, frames: list[FrameType]) -> str:
        """The innermost known hook or attribute among ``frames`` (innermost last), passing no app code."""
        for frame in reversed(frames):
            role = self.roles.get(frame.f_code)
            if role is not None:
                return role
            filename = frame.f_code.co_filename
            if self.plugin_of(frame.f_locals.get("self"), filename) is None and not self._is_library(filename):
                return ""  # called from the app's code: no hook of the plugin's was running
        return ""

    def _is_library(self, filename: str) -> bool:
        return filename.startswith("<") or any(
            filename == place or filename.startswith(place + os.sep) for place in self.libraries
        )


def _place(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _code_of(fn: Callable[..., Any]) -> CodeType | None:
    fn = getattr(fn, "__func__", fn)  # a bound method's function
    code = getattr(fn, "__code__", None)
    return code if isinstance(code, CodeType) else None


def _library_places() -> list[str]:
    paths = sysconfig.get_paths()
    places = {os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    places.add(os.path.dirname(os.path.abspath(__file__)))  # the core itself
    return sorted(places, key=len, reverse=True)


def _package_place(cls: type) -> str:
    top = cls.__module__.split(".")[0]
    module = sys.modules.get(top)
    filename = str(getattr(module, "__file__", None) or "")
    if not filename:
        return ""
    if getattr(module, "__path__", None) is not None:  # a package: everything in its folder
        return os.path.dirname(os.path.abspath(filename))
    return os.path.abspath(filename)
