"""Errors the routing plugin raises on purpose; each says what failed and the fix."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.routing import BuildError

from corolla import CorollaError


class RoutingError(CorollaError):
    """A route, group, mount or error handler cannot be registered (raised where it is registered)."""


class UrlBuildError(RoutingError, BuildError):
    """``url_for`` could not build a URL; names the endpoint and the missing or unexpected values.

    Also a werkzeug ``BuildError`` (a ``LookupError``), so code written for
    Flask that catches ``BuildError`` keeps working.
    """

    def __init__(self, endpoint: str, message: str) -> None:
        self.endpoint = endpoint
        self.values: dict[str, object] = {}
        self.method = None
        self.adapter = None
        self.message = message
        Exception.__init__(self, message)

    def __str__(self) -> str:
        return self.message


def quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in sorted(names))
