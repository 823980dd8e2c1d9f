"""The hook this plugin declares for others: ``corolla_template_context``.

Registered through ``TemplatesPlugin.hookspecs``, so it exists in an app
exactly when the templates plugin is loaded; plugins that implement it
without requiring templates mark it ``@corolla.hookimpl(optionalhook=True)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from corolla import hookspec

if TYPE_CHECKING:
    from corolla import Request


class TemplatesHooks:
    """The hook specifications of the ``templates`` plugin."""

    @hookspec
    def corolla_template_context(self, request: Request | None) -> Mapping[str, Any] | None:
        """Return variables to add to the context of every rendered template, or None.

        Called once per render (``request.render(...)``,
        ``corolla_templates.render_template(...)``), before the template runs,
        in load order. ``request`` is the request being answered, or None when
        rendering outside a request (an e-mail body, a CLI command). All
        results are merged, a later plugin's keys winning over an earlier
        one's; the variables passed to the render call win over all of them.

        It runs on every render: keep it cheap. Give values that cost
        something (a session, a CSRF token) as callables or lazy objects, so a
        template that does not use them does not pay for them. A plugin that
        also works without ``corolla-templates`` implements it with
        ``@corolla.hookimpl(optionalhook=True)``.
        """


#: The name of 0.1, kept for plugins that import it.
TemplateHooks = TemplatesHooks
