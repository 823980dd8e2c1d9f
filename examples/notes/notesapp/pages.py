"""Error pages in the demo's own layout (the JSON API has its own, in api.py)."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import HTTPException

from corolla import Request
from corolla_forms import CSRFError


def wants_json(request: Request) -> bool:
    accept = request.accept_mimetypes
    return request.is_json or accept.best_match(["text/html", "application/json"]) == "application/json"


def csrf_failed(request: Request, error: CSRFError) -> Any:
    """A form posted with a stale token (an old tab, a session that ended): say what to do, keep the 400."""
    if wants_json(request):
        return {"error": "csrf", "reason": error.reason, "message": error.description}, 400
    page = request.render(
        "error.html",
        title="This form has expired",
        message="The page you sent it from was too old, or you logged in or out since you opened it. "
        "Nothing was saved. Go back, reload the page, and send it again.",
        detail=error.description,
    )
    page.status_code = 400
    return page


def http_error(request: Request, error: HTTPException) -> Any:
    """404, 405, 429... as a page of the site, with werkzeug's description (never a traceback)."""
    code = error.code or 500
    if error.response is not None or code < 400 or wants_json(request):
        return error.get_response(request.environ)
    # A 5xx may be an outage (503: the database or the session store is down): the page is
    # then drawn "plain", without the user's name and flash messages, which would ask them.
    page = request.render(
        "error.html", title=f"{code} {error.name}", message=error.description, detail=None, plain=code >= 500
    )
    page.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            page.headers[name] = value
    return page
