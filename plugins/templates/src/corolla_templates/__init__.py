"""corolla-templates: Jinja2 templates, a template-context hook, and static files for Corolla.

This module only re-exports; it does not import Jinja2. See
docs/plugins/templates.md. ``TemplatesPlugin`` and ``render_template`` load
on first use (``lazy_exports``): their module needs werkzeug (static files),
whose ``__init__`` imports its server and test client (about 25 ms), and
``corolla --help`` imports this package only for the ``static`` command's help.
"""

from typing import TYPE_CHECKING

from corolla import lazy_exports

from ._errors import TemplateError
from ._types import TemplatesApp, TemplatesRequest
from .hookspecs import TemplateHooks, TemplatesHooks

if TYPE_CHECKING:
    from ._plugin import TemplatesPlugin, render_template

__getattr__ = lazy_exports(__name__, {"TemplatesPlugin": "._plugin", "render_template": "._plugin"})

__all__ = [
    "TemplateError",
    "TemplateHooks",
    "TemplatesApp",
    "TemplatesHooks",
    "TemplatesPlugin",
    "TemplatesRequest",
    "render_template",
]
