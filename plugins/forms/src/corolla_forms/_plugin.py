"""``FormsPlugin``: the declaration, the config section, and the hooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import corolla
from corolla import Setting, hookimpl

from ._csrf import CSRFProtection, is_exempt_view, mark_exempt

if TYPE_CHECKING:
    from werkzeug.routing import Rule

    Handler = Callable[[corolla.Request], Any]

    class _RoutedRequest(corolla.Request):
        """A request with the routing plugin's ``request.url_rule`` (for the type checker; never instantiated)."""

        url_rule: Rule | None


def _seconds_or_zero(value: int, section: Mapping[str, Any]) -> str | None:
    """Checked while planning: a negative limit means nothing."""
    return None if value >= 0 else "is a negative number of seconds: give the seconds a token stays valid (3600), or 0"


class FormsPlugin(corolla.Plugin):
    """WTForms bound to the request; CSRF protection bound to the session."""

    requires = ["sessions>=0.1,<1"]
    optional = ["orm", "templates", "routing"]
    settings = {
        "csrf_enabled": Setting(bool, True, "Check CSRF tokens on unsafe methods; never off in production"),
        "csrf_everywhere": Setting(
            bool,
            True,
            "Check every POST/PUT/PATCH/DELETE before its view (@csrf_exempt opts a view out); "
            "false checks only requests that bind a Form (deploy check fails)",
        ),
        "csrf_time_limit": Setting(
            int, 3600, "Seconds a token stays valid; 0 = no limit (deploy check fails)", check=_seconds_or_zero
        ),
        "csrf_field_name": Setting(str, "csrf_token", "Form field (and JSON key) carrying the token"),
        "csrf_headers": Setting(list, ["X-CSRFToken", "X-CSRF-Token"], "Headers JavaScript clients may send it in"),
        "csrf_ssl_strict": Setting(bool, True, "On https, also require an Origin or Referer of this site"),
        "csrf_trusted_origins": Setting(list, [], "Other origins (https://example.com) accepted by the https check"),
        "csrf_exempt_paths": Setting(list, [], "Path patterns (fnmatch, e.g. /hooks/*) never checked"),
        "csrf_cookie_name": Setting(
            str, "csrf_secret", "Cookie holding the CSRF secret of a visitor whose session is empty (not stored)"
        ),
    }

    def __init__(self, app: corolla.App, record: corolla.PluginRecord, config: Mapping[str, Any]) -> None:
        super().__init__(app, record, config)
        self.csrf = CSRFProtection(app, config)

    @hookimpl
    def corolla_wrap_request(self, app: corolla.App, handler: Handler) -> Handler | None:
        csrf = self.csrf
        if not (csrf.enabled and self.config["csrf_everywhere"]):
            return None  # forms check their own requests when bound: nothing to do per request

        def check_everywhere(request: corolla.Request) -> Any:
            if csrf.required(request):
                routed, view = _view_of(request)
                if routed and view is None:
                    pass  # no route: no view will run, the dispatcher answers 404/405
                elif is_exempt_view(view):
                    mark_exempt(request)
                else:
                    csrf.check(request, csrf.submitted_token(request))
            return handler(request)

        return check_everywhere

    @hookimpl(optionalhook=True)
    def corolla_template_context(self, request: corolla.Request | None) -> Mapping[str, Any] | None:
        if request is None:
            return None
        csrf = self.csrf
        return {"csrf_token": lambda: csrf.token(request)}

    @hookimpl
    def corolla_deploy_checks(self, app: corolla.App) -> list[corolla.Check]:
        enabled = self.config["csrf_enabled"]
        everywhere = enabled and self.config["csrf_everywhere"]
        origins = list(self.config["csrf_trusted_origins"])
        plain = [o for o in origins if not str(o).lower().startswith("https://")]
        limit = self.config["csrf_time_limit"]
        return [
            corolla.Check(
                "forms.csrf_enabled",
                enabled,
                "CSRF protection is on" if enabled else "CSRF protection is off: any site can submit your forms",
                "set [forms] csrf_enabled = true (exempt single views with @csrf_exempt instead)",
            ),
            corolla.Check(
                "forms.csrf_everywhere",
                everywhere,
                "every unsafe request is CSRF-checked before its view (@csrf_exempt opts out)"
                if everywhere
                else "only requests that bind a Form are CSRF-checked: a view without one accepts forged posts",
                "set [forms] csrf_everywhere = true (and mark views that must take foreign posts @csrf_exempt)",
            ),
            corolla.Check(
                "forms.csrf_time_limit",
                limit > 0,
                f"CSRF tokens expire after {limit} seconds" if limit > 0 else "CSRF tokens never expire",
                "set [forms] csrf_time_limit to a number of seconds, e.g. 3600",
                severity="warning",
            ),
            corolla.Check(
                "forms.csrf_trusted_origins",
                not plain,
                f"csrf_trusted_origins lists plain-http origins ({', '.join(plain)}): a man in the middle there "
                "can post to this site"
                if plain
                else f"{len(origins)} other trusted origin{'s' * (len(origins) != 1)}, all https",
                "list only https:// origins in [forms] csrf_trusted_origins",
            ),
            corolla.Check(
                "forms.csrf_ssl_strict",
                self.config["csrf_ssl_strict"],
                "https requests must come from this site"
                if self.config["csrf_ssl_strict"]
                else "the https Origin/Referer check is off",
                "set [forms] csrf_ssl_strict = true (list other sites of yours in csrf_trusted_origins)",
            ),
        ]


def _view_of(request: corolla.Request) -> tuple[bool, Any]:
    """(whether the dispatcher tells, the view it will call) for ``request``, before it calls it.

    The routing plugin's lazy ``request.url_rule`` is the matched route (None
    when nothing matches), with its view in ``.view``; routing reuses this
    match when it dispatches, so asking costs nothing extra. Another
    dispatcher without ``url_rule``: (False, None), the request is checked and
    ``csrf_exempt_paths`` is the way to exempt it.
    """
    if not hasattr(type(request), "url_rule"):
        return False, None
    rule = cast("_RoutedRequest", request).url_rule
    return True, getattr(rule, "view", None)
