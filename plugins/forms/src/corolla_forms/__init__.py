"""corolla-forms: WTForms bound to the request, CSRF protection bound to the session.

This module only re-exports. ``Form`` and the file fields and validators are
exported lazily (module ``__getattr__``): the manager imports this module to
read the plugin's declaration, even for ``corolla plugins list``, and
WTForms costs about 50 ms to import. It is imported on first use of one of
these names (``from corolla_forms import Form`` included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corolla import lazy_exports

from ._csrf import csrf_exempt, csrf_token, rotate_token
from ._errors import CSRFError, InvalidJSON
from ._plugin import FormsPlugin

if TYPE_CHECKING:
    from ._files import FileAllowed, FileField, FileRequired, FileSize, MultipleFileField
    from ._form import Form

__getattr__ = lazy_exports(
    __name__,
    {
        "FileAllowed": "._files",
        "FileField": "._files",
        "FileRequired": "._files",
        "FileSize": "._files",
        "Form": "._form",
        "MultipleFileField": "._files",
    },
)


__all__ = [
    "CSRFError",
    "FileAllowed",
    "FileField",
    "FileRequired",
    "FileSize",
    "Form",
    "FormsPlugin",
    "InvalidJSON",
    "MultipleFileField",
    "csrf_exempt",
    "csrf_token",
    "rotate_token",
]
