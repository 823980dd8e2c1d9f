"""The Jinja2 side: the loader, building the Environment, and errors that say where.

Imported only when the first template is rendered (or ``app.templates`` is
first touched), so an app that renders nothing, and ``corolla plugins
list``, never import Jinja2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import jinja2
from werkzeug.exceptions import HTTPException

from ._errors import TemplateError
from ._folders import Folder


class FolderLoader(jinja2.FileSystemLoader):
    """Jinja2's FileSystemLoader over the app's and the plugins' folders; first found wins.

    The only change: a template found nowhere is reported with every folder
    searched, in order, and whose each is.
    """

    def __init__(self, folders: Sequence[Folder]) -> None:
        super().__init__([str(folder.path) for folder in folders])
        self.folders = list(folders)

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(template, self.explain(template)) from None

    def explain(self, template: str) -> str:
        searched = "".join(f"\n  {folder.describe()}" for folder in self.folders)
        return (
            f"template {template!r} not found; searched, in order:{searched}\n"
            f"Create it in {self.folders[0].path} or check its name (paths are relative to these folders)."
        )


# Suffixes saying "a Jinja template" after the real extension: page.html.j2 is HTML.
JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")


def autoescape_for(extensions: Sequence[str]) -> Callable[[str | None], bool]:
    """Jinja2's ``autoescape`` function: on for ``extensions`` and for strings (no name), off otherwise.

    Unlike ``jinja2.select_autoescape``, the extension is also looked for
    before a trailing ``.j2``, ``.jinja`` or ``.jinja2``, so ``page.html.j2``
    is escaped like ``page.html``. Case-insensitive. Raises ``TypeError``
    right away when ``extensions`` is not a list of strings.
    """
    endings = tuple("." + ext.lstrip(".").lower() for ext in extensions)

    def autoescape(name: str | None) -> bool:
        if name is None:
            return True  # Environment.from_string
        name = name.lower()
        if name.endswith(endings):
            return True
        for suffix in JINJA_SUFFIXES:
            if name.endswith(suffix):
                return name[: -len(suffix)].endswith(endings)
        return False

    return autoescape


def become_environment(
    target: object,
    *,
    folders: Sequence[Folder],
    auto_reload: bool,
    strict_undefined: bool,
    autoescape: Sequence[str],
) -> None:
    """Turn ``target`` (the app's placeholder, see ``_lazy``) into the app's ``jinja2.Environment``.

    On failure ``target`` is left the placeholder it was, so the next use tries again.
    """
    options: dict[str, Any] = {
        "loader": FolderLoader(folders),
        "autoescape": autoescape_for(autoescape),
        "auto_reload": auto_reload,
        "undefined": jinja2.StrictUndefined if strict_undefined else jinja2.Undefined,
    }
    placeholder, state = type(target), dict(vars(target))
    # Past the placeholder's own __setattr__, which would start another build.
    object.__setattr__(target, "__class__", jinja2.Environment)
    try:
        jinja2.Environment.__init__(target, **options)  # type: ignore[arg-type]
    except BaseException:
        vars(target).clear()
        vars(target).update(state)
        object.__setattr__(target, "__class__", placeholder)
        raise


def _template_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """(file, line) of the innermost template frame in a traceback Jinja2 rewrote."""
    found = None
    while tb is not None:
        # Jinja2 replaces frames of compiled template code by frames that
        # raise at the template's file and line, marked with this global.
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def translate(exc: BaseException, template: str) -> TemplateError | None:
    """A ``TemplateError`` saying what failed where, or None for an exception to let through as it is.

    Let through: HTTP exceptions (a helper may abort with a 404 from inside a
    template) and a ``TemplateError`` of a nested render, already explained.
    """
    if isinstance(exc, (HTTPException, TemplateError)):
        return None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename = exc.filename or exc.name or template
        return TemplateError(
            "syntax",
            f"syntax error in template {exc.name or template!r} ({filename}, line {exc.lineno}): {exc.message}"
            + ("" if exc.name in (None, template) else f" (while rendering {template!r})"),
            template=template,
            filename=exc.filename,
            lineno=exc.lineno,
            reason=str(exc.message),
        )
    frame = _template_frame(exc.__traceback__)
    where = f" ({frame[0]}, line {frame[1]})" if frame else ""
    file, line = frame if frame else (None, None)
    if isinstance(exc, jinja2.TemplateNotFound):
        context = f" included from a template{where}" if frame else ""
        return TemplateError(
            "not-found",
            f"{exc.message}{context}",
            template=template,
            filename=file,
            lineno=line,
            reason=f"template {exc.name!r} not found",
        )
    if isinstance(exc, jinja2.UndefinedError):
        reason = (
            f"{exc.message}; pass it to the render call, "
            "or test it in the template ({% if name is defined %}, {{ name | default('') }})"
        )
        return TemplateError(
            "undefined",
            f"undefined variable in template {template!r}{where}: {reason}",
            template=template,
            filename=file,
            lineno=line,
            reason=reason,
        )
    if frame is None:
        return None
    return TemplateError(
        "runtime",
        f"{type(exc).__name__} raised in template {template!r}{where}: {exc}",
        template=template,
        filename=file,
        lineno=line,
        reason=f"{type(exc).__name__}: {exc}",
    )
