"""Compiling hooks into plain calls, and naming the plugin an exception came from.

pluggy registers, validates and orders the hook implementations; at start-up
this module turns the request-time hooks into ordinary Python callables, so a
request runs no pluggy machinery and looks up no hook by name. A hook with no
implementations compiles to None and the app skips it with one test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import pluggy

from ._plugin import Plugin

#: ``trace(hook name, plugin name, seconds, request)``, called after each traced hook call.
Tracer = Callable[[str, str, float, Any], None]


def call_order(hook: pluggy.HookCaller) -> list[pluggy.HookImpl]:
    """Implementations in the order pluggy calls them (it stores them reversed)."""
    return list(reversed(hook.get_hookimpls()))


def needs_pluggy(impls: Sequence[pluggy.HookImpl]) -> bool:
    """Wrappers change how a hook is called; leave those to pluggy."""
    return any(impl.wrapper or impl.hookwrapper for impl in impls)


def traced(fn: Callable[..., Any], hook_name: str, plugin: str, trace: Tracer) -> Callable[..., Any]:
    """``fn`` reporting each call's duration to ``trace``; the first argument is the request.

    Only compiled in when tracing is on (``[core] trace_hooks``): with it off
    the pipeline holds the plain functions and pays nothing.
    """
    clock = time.perf_counter

    def call(*args: Any) -> Any:
        start = clock()
        try:
            return fn(*args)
        finally:
            trace(hook_name, plugin, clock() - start, args[0] if args else None)

    return call


def pluggy_call(hook: pluggy.HookCaller, argnames: Sequence[str], trace: Tracer | None) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return hook(**dict(zip(argnames, args, strict=True)))

    if trace is None:
        return call
    names = "+".join(impl.plugin_name for impl in call_order(hook))
    return traced(call, hook.name, names, trace)


def bind(impl: pluggy.HookImpl, argnames: Sequence[str]) -> Callable[..., Any]:
    """A callable taking the spec's arguments positionally and passing only what ``impl`` accepts.

    pluggy lets an implementation accept a subset of the spec's arguments; for
    the common case (it accepts all, in order) the function itself is returned,
    which saves a call per request.
    """
    fn = impl.function
    wanted = tuple(impl.argnames)
    if wanted != tuple(argnames):
        index = [argnames.index(name) for name in wanted]
        inner = fn

        def fn(*args: Any) -> Any:
            return inner(*[args[i] for i in index])

    return fn


def bind_all(
    hook: pluggy.HookCaller, impls: Sequence[pluggy.HookImpl], argnames: Sequence[str], trace: Tracer | None
) -> list[Callable[..., Any]]:
    fns = [bind(impl, argnames) for impl in impls]
    if trace is None:
        return fns
    return [traced(fn, hook.name, impl.plugin_name, trace) for fn, impl in zip(fns, impls, strict=True)]


def compile_firstresult(
    hook: pluggy.HookCaller, argnames: Sequence[str], trace: Tracer | None = None
) -> Callable[..., Any] | None:
    """One callable returning the first non-None result, or None if nobody implements the hook."""
    impls = call_order(hook)
    if not impls:
        return None
    if needs_pluggy(impls):
        return pluggy_call(hook, argnames, trace)
    fns = bind_all(hook, impls, argnames, trace)
    if len(fns) == 1:
        return fns[0]

    def first(*args: Any) -> Any:
        for fn in fns:
            result = fn(*args)
            if result is not None:
                return result
        return None

    return first


def compile_each(
    hook: pluggy.HookCaller, argnames: Sequence[str], reverse: bool = False, trace: Tracer | None = None
) -> list[Callable[..., Any]]:
    """The implementations as a list of plain callables, in call order (or reversed)."""
    impls = call_order(hook)
    if needs_pluggy(impls):
        return [pluggy_call(hook, argnames, trace)]
    fns = bind_all(hook, impls, argnames, trace)
    return fns[::-1] if reverse else fns


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
    import sys

    top = cls.__module__.split(".")[0]
    module = sys.modules.get(top)
    filename = str(getattr(module, "__file__", None) or "")
    if not filename:
        return ""
    if getattr(module, "__path__", None) is not None:  # a package: everything in its folder
        return os.path.dirname(os.path.abspath(filename))
    return os.path.abspath(filename)
