"""A ``TemplateError`` left unhandled by the view: one log line naming the template, and the 500.

The core would blame the plugin (the frame that raised is ``render``, in
this package) and, in debug, open the page with Jinja2's internals. A broken
template is the app's file, not the plugin's fault: the plugin's
``corolla_handle_exception`` (called last) logs it here naming the template
file and line, and answers the 500 itself, the same page as the core's in
production, the error and the template's source first in debug.
Imported only when a template failed.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Response as WerkzeugResponse

from corolla import App, Request, Response

from ._errors import TemplateError

logger = logging.getLogger("corolla.templates")

# Lines of the template shown before and after the failing one on the debug page.
CONTEXT_LINES = 2


def answer(app: App, request: Request, error: TemplateError) -> WerkzeugResponse:
    """Log ``error`` once, naming the template, and return the 500 response."""
    headline = describe(app, request, error)
    logger.error("%s", headline, exc_info=(type(error), error, error.__traceback__))
    if not app.debug:
        return InternalServerError().get_response()
    parts = ["Internal Server Error (debug)", headline]
    excerpt = source_excerpt(error)
    if excerpt:
        parts.append(excerpt)
    parts.append(str(error))
    parts.append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    return Response("\n\n".join(parts), 500, mimetype="text/plain")


def describe(app: App, request: Request, error: TemplateError) -> str:
    """``TemplateError in templates/page.html, line 2: unexpected '}' (rendering 'page.html' for GET /x)``."""
    where = ""
    if error.filename:
        where = f" in {display_path(app, error.filename)}"
        if error.lineno is not None:
            where += f", line {error.lineno}"
    return f"TemplateError{where}: {error.reason} (rendering {error.template!r} for {request.log_line()})"


def display_path(app: App, filename: str) -> str:
    """The file relative to the app's root when it is in the app (``templates/page.html``), else absolute."""
    path = Path(filename)
    for root in {app.root, app.root.resolve()}:
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return filename


def source_excerpt(error: TemplateError) -> str:
    """The failing line of the template with a few around it, numbered, or "" when the source is unknown."""
    if not error.filename or error.lineno is None:
        return ""
    source = getattr(error.__cause__, "source", None)  # a syntax error carries the source it compiled
    if not isinstance(source, str):
        try:
            source = Path(error.filename).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
    lines = source.splitlines()
    if not 1 <= error.lineno <= len(lines):
        return ""
    first, last = max(1, error.lineno - CONTEXT_LINES), min(len(lines), error.lineno + CONTEXT_LINES)
    width = len(str(last))
    return "\n".join(
        f"{'-->' if number == error.lineno else '   '} {number:>{width}} | {lines[number - 1]}".rstrip()
        for number in range(first, last + 1)
    )
