"""``[core] trace_hooks``: each hook call logged on ``corolla.trace`` with its plugin and duration.

Tracing is swapped in, not branched on (as in pluggy): with it on, the
compiled hooks are wrapped by ``traced``; with it off they are the plain
functions, so the request path carries no ``if trace:``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._wrappers import Request

if TYPE_CHECKING:
    from ._app import App

#: ``trace(hook name, plugin name, seconds, request or None)``, called after each traced hook call.
Tracer = Callable[[str, str, float, Any], None]


def request_line(request: Request) -> str:
    """The request as log lines quote it: method and path, never the query string (it may hold tokens)."""
    return f"'{request.log_line()}'"


def hook_tracer(label: Callable[[str], str]) -> Tracer:
    """Logs each hook call on ``corolla.trace``: request line, hook, plugin, duration."""
    trace_log = logging.getLogger("corolla.trace")

    def trace(hook_name: str, plugin: str, seconds: float, request: Any) -> None:
        where = request_line(request) if isinstance(request, Request) else "?"
        # A wrapper's time includes everything it wraps.
        trace_log.info("%s %s in plugin %s: %.3f ms", where, hook_name, label(plugin), seconds * 1e3)

    return trace


def app_tracer(app: App) -> Tracer | None:
    """The tracer for ``app`` when ``[core] trace_hooks`` is on, else None."""
    return hook_tracer(app._host.label) if app.config["core"]["trace_hooks"] else None


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
