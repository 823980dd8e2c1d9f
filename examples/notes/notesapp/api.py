"""The JSON API for the same notes, mounted at ``/api``.

It uses the browser's session: log in through the HTML pages (or POST the
login form), then send the session cookie, and for POST, PUT, PATCH and
DELETE the CSRF token in an ``X-CSRFToken`` header (``GET /api/csrf-token``
gives one). Errors are JSON too:

| status | when |
| --- | --- |
| 400 | the body is not valid JSON, or the CSRF token is missing, invalid, expired or of another session |
| 401 | not logged in |
| 404 | no such note, or a note of another user |
| 405 | a method the URL does not take |
| 422 | the note does not validate: ``{"errors": {"title": ["..."]}}`` |
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from corolla import Request
from corolla_forms import CSRFError, InvalidJSON, csrf_token
from corolla_routing import Router

from .forms import NoteForm
from .models import Note
from .views import own_note

router = Router("/api", name="api")


def login_required_json(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``corolla_auth.login_required``, but always the JSON 401: an API never redirects to a login page."""

    @functools.wraps(view)
    def wrapper(request: Request, **values: Any) -> Any:
        if request.user is None:
            return {"error": "login required"}, 401
        return view(request, **values)

    return wrapper


@router.get("/csrf-token")
@login_required_json
def token(request: Request) -> Any:
    return {"csrf_token": csrf_token(request)}


@router.get("/notes")
@login_required_json
def list_notes(request: Request) -> Any:
    notes = request.db.scalars(
        sa.select(Note).where(Note.owner_id == request.user.id).order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    return {"notes": [note.as_dict() for note in notes]}


@router.post("/notes")
@login_required_json
def create(request: Request) -> Any:
    form = NoteForm(request)
    form.validate_or_abort()  # 422 with every field's errors
    note = Note(owner_id=request.user.id, title=form.title.data, body=form.body.data or "")
    request.db.add(note)
    request.db.commit()
    location = request.url_for("api.note", note_id=note.id)
    return note.as_dict(), 201, {"Location": location}


@router.route("/notes/<int:note_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
@login_required_json
def note(request: Request, note_id: int) -> Any:
    note = own_note(request, note_id)
    if request.method == "GET":
        return note.as_dict()
    if request.method == "DELETE":
        request.db.delete(note)
        request.db.commit()
        return "", 204
    # PUT replaces the note: a field left out is an error (or empty). PATCH
    # changes the fields sent: the others keep the note's values (obj=note).
    form = NoteForm(request, obj=note if request.method == "PATCH" else None)
    form.validate_or_abort()
    note.title = form.title.data
    note.body = form.body.data or ""
    request.db.commit()
    return note.as_dict()


@router.errorhandler(CSRFError)
def csrf_failed(request: Request, error: CSRFError) -> Any:
    return {"error": "csrf", "reason": error.reason, "message": error.description}, 400


@router.errorhandler(HTTPException)
def http_error(request: Request, error: HTTPException) -> Any:
    if error.response is not None or (error.code or 500) < 400:
        # A response made already (the 422 of validate_or_abort), or a redirect (a slash added).
        return error.get_response(request.environ)
    if isinstance(error, InvalidJSON):
        return error.json_body(), 400
    name = (error.name or "error").lower()
    body = {"error": name, "message": error.description}
    return body, error.code or 500, [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
