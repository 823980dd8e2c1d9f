"""``TemplateError``: a template that could not be rendered, with where and why."""

from __future__ import annotations

from corolla import CorollaError


class TemplateError(CorollaError):
    """A template could not be rendered.

    ``kind`` is ``"not-found"``, ``"syntax"``, ``"undefined"`` or
    ``"runtime"`` (an exception raised inside the template). ``template`` is
    the name given to the render call; ``filename`` and ``lineno`` say where
    it failed (the innermost template: an included one, when it failed
    there), or are None when unknown. ``reason`` is what is wrong, in one
    line without the where (``"unexpected '}'"``, ``"'user' is undefined;
    ..."``); the message says it all, with the folders searched for a missing
    template. The Jinja2 exception is ``__cause__``.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        template: str,
        filename: str | None = None,
        lineno: int | None = None,
        reason: str | None = None,
    ) -> None:
        self.kind = kind
        self.template = template
        self.filename = filename
        self.lineno = lineno
        self.reason = message if reason is None else reason
        super().__init__(message)
