"""Flash messages: stored in the session for the next request that shows them.

They live in ``session["_flashes"]`` as ``[category, message]`` pairs (JSON
has no tuples). ``get_flashed_messages`` takes them out of the session on its
first call in a request and returns the same list on later calls in that
request, so a layout and a page can both ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corolla import Request

FLASHES_KEY = "_flashes"
#: Where get_flashed_messages keeps this request's messages (a private request attribute).
_CACHE = "_corolla_sessions_flashes"


def flash(request: Request, message: str, category: str = "message") -> None:
    """Keep ``message`` in the session until a later request calls ``get_flashed_messages``."""
    session = request.session  # type: ignore[attr-defined]
    session[FLASHES_KEY] = [*session.get(FLASHES_KEY, ()), [category, message]]


def get_flashed_messages(
    request: Request, with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[Any]:
    """The flashed messages, removed from the session (the same list for the rest of this request).

    ``with_categories`` gives ``(category, message)`` tuples instead of
    messages; ``category_filter`` keeps only those categories.
    """
    flashes = request.__dict__.get(_CACHE)
    if flashes is None:
        session = request.session  # type: ignore[attr-defined]
        stored = session.pop(FLASHES_KEY, None) if FLASHES_KEY in session else None
        flashes = request.__dict__[_CACHE] = [
            (str(item[0]), item[1]) for item in stored or () if isinstance(item, list) and len(item) == 2
        ]
    if category_filter:
        wanted = set(category_filter) if not isinstance(category_filter, str) else {category_filter}
        flashes = [item for item in flashes if item[0] in wanted]
    if with_categories:
        return list(flashes)
    return [message for _, message in flashes]
