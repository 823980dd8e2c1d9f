"""A route group's own request hooks: ``@router.before_request`` and friends, for its routes only.

As a Flask blueprint's: ``before_request(request)`` runs before each of the
group's views (a value other than None answers instead),
``after_request(request, response)`` changes the response the view's value
became (in place; reverse order of registration), and
``teardown_request(request, exception)`` runs when the view is done, also
when it raised (reverse order). They are compiled into the group's views
when the group is included, so routes of groups without hooks, and every
other route, pay nothing.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import corolla

if TYPE_CHECKING:
    from ._router import Router


def with_group_hooks(view: Any, router: Router) -> Any:
    """``view`` running the group's hooks around it (functools.wraps keeps its name and marks)."""
    before, after, teardown = tuple(router.before), tuple(router.after), tuple(router.teardown)

    @functools.wraps(view)
    def grouped(request: corolla.Request, **values: Any) -> Any:
        error: Exception | None = None
        try:
            rv = None
            for function in before:
                rv = function(request)
                if rv is not None:
                    break
            else:
                rv = view(request, **values)
            if not after:
                return rv
            response = corolla.make_response(rv, request)
            for function in reversed(after):
                returned = function(request, response)
                if returned is not None and returned is not response:
                    raise TypeError(
                        f"after_request function {getattr(function, '__qualname__', function)!r} of {router!r} "
                        "returned a new response; change the one it is given in place"
                    )
            return response
        except Exception as exc:
            error = exc
            raise
        finally:
            for function in reversed(teardown):
                function(request, error)

    grouped.__corolla_group_view__ = view  # type: ignore[attr-defined]
    return grouped


def registered_view(view: Any) -> Any:
    """The view as registered, under a group's hook wrapper if it has one."""
    return getattr(view, "__corolla_group_view__", view)
