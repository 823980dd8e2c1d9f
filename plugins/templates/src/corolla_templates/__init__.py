"""corolla-templates: Jinja2 templates, a template-context hook, and static files for Corolla.

This module only re-exports; it does not import Jinja2. See
docs/plugins/templates.md.
"""

from ._errors import TemplateError
from ._plugin import TemplatesPlugin, render_template
from ._types import TemplatesApp, TemplatesRequest
from .hookspecs import TemplateHooks, TemplatesHooks

__all__ = [
    "TemplateError",
    "TemplateHooks",
    "TemplatesApp",
    "TemplatesHooks",
    "TemplatesPlugin",
    "TemplatesRequest",
    "render_template",
]
