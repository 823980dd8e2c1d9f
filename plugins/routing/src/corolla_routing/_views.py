"""Checking a view where it is registered, not on its first request.

A view is called as ``view(request, **url_values)``. A Flask habit (no
``request`` parameter) or a typo in an argument name would otherwise fail
only when the URL is first requested, with a TypeError raised inside the
routing plugin; an ``async def`` view would return a coroutine the WSGI
server cannot send. Both are refused on the line that registered the view,
naming it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

from ._errors import RoutingError

#: The variable names of a werkzeug rule: ``<name>``, ``<int:name>``, ``<any(a, b):name>``.
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?\s*([A-Za-z_]\w*)\s*>")


def rule_arguments(rule: str) -> list[str]:
    return _VARIABLE.findall(rule)


def check_async(rule: str, view: Any, name: str) -> None:
    """Refuse an ``async def`` view: Corolla serves WSGI, which calls views synchronously."""
    func = inspect.unwrap(view) if callable(view) else view
    # A callable object with an `async def __call__` is refused too.
    method = None if inspect.isfunction(func) else vars(type(func)).get("__call__")
    if inspect.iscoroutinefunction(func) or (method is not None and inspect.iscoroutinefunction(method)):
        raise RoutingError(
            f"route {rule!r}: the view {name} is `async def`, but Corolla serves WSGI, where a view returns "
            "its response: calling it would only make a coroutine. Make it a plain `def`, and run async "
            "code inside it with asyncio.run(...) if you must"
        )


def check_signature(rule: str, view: Any, name: str, arguments: Iterable[str]) -> None:
    """Refuse a view that cannot be called as ``view(request, **url_values)``."""
    names = list(dict.fromkeys(arguments))
    try:
        signature = inspect.signature(view)
    except (TypeError, ValueError):  # a builtin or C callable: nothing to check
        return
    try:
        signature.bind(None, **dict.fromkeys(names))
    except TypeError as exc:
        wanted = ", ".join(["request", *names])
        raise RoutingError(
            f"route {rule!r}: the view {name} cannot be called as view(request"
            f"{''.join(f', {n}=...' for n in names)}): {exc}. A view takes the request first, then the "
            f"rule's values as keyword arguments: def {_short_name(view)}({wanted}): ..."
        ) from None


def _short_name(view: Any) -> str:
    func = inspect.unwrap(view) if callable(view) else view
    return str(getattr(func, "__name__", "view"))
