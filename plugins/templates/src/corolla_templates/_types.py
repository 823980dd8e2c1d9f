"""``TemplatesApp`` and ``TemplatesRequest``: what the templates plugin adds, for type checkers.

Combine them with the core classes in the app's own types (annotations only;
the attributes are added at start-up)::

    class Request(corolla.Request, TemplatesRequest): ...

    def view(request: Request) -> corolla.Response:
        return request.render("index.html", title="Home")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import jinja2

    import corolla

    def _added_at_start_up() -> Any:
        """Stands for the value the plugin sets on the app; seen by type checkers only."""


class Render(Protocol):
    """``request.render(name, **context)``: the rendered template as an HTML response."""

    def __call__(self, name: str, /, **context: Any) -> corolla.Response: ...


class TemplatesApp(Protocol):
    """What the templates plugin adds to ``app``: ``templates``, the app's Jinja2 environment."""

    # The values exist for type checkers only (TYPE_CHECKING), so a class
    # naming this protocol as a base can be instantiated without mypy calling
    # it abstract, while at run time the app has these names only when the
    # plugin added them.
    if TYPE_CHECKING:
        templates: jinja2.Environment = _added_at_start_up()


class TemplatesRequest(Protocol):
    """What the templates plugin adds to ``request``: ``render``."""

    render: Render
