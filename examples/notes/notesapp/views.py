"""The HTML pages: the list of your notes (or a welcome page), new, edit, delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from corolla import Request, Response
from corolla_auth import login_required
from corolla_orm import get_or_404
from corolla_routing import Router
from corolla_sessions import flash

from .forms import NoteForm
from .models import Note

router = Router(name="notes")


def own_note(request: Request, note_id: int) -> Note:
    """The note ``note_id`` of the logged-in user; 404 for a note of someone else, as for one that is not there."""
    note = get_or_404(request.db, Note, note_id)
    if note.owner_id != request.user.id:
        raise NotFound()
    return note


def see_other(request: Request, endpoint: str, **values: Any) -> Response:
    """303: after a POST, the browser GETs the next page (reloading it does not post again)."""
    return redirect(request.url_for(endpoint, **values), 303, Response)


@router.get("/")
def index(request: Request) -> Any:
    user = request.user
    if user is None:
        return request.render("welcome.html")
    notes = request.db.scalars(
        sa.select(Note).where(Note.owner_id == user.id).order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    return request.render("notes/index.html", notes=notes)


@router.route("/notes/new", methods=["GET", "POST"])
@login_required
def new(request: Request) -> Any:
    form = NoteForm(request)
    if form.validate_on_submit():
        note = Note(owner_id=request.user.id, title=form.title.data, body=form.body.data or "")
        request.db.add(note)
        request.db.commit()
        flash(request, f"Note “{note.title}” created.", "success")
        return see_other(request, "notes.index")
    return request.render("notes/form.html", form=form, note=None)


@router.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(request: Request, note_id: int) -> Any:
    note = own_note(request, note_id)
    form = NoteForm(request, obj=note)
    if form.validate_on_submit():
        note.title = form.title.data
        note.body = form.body.data or ""
        request.db.commit()
        flash(request, f"Note “{note.title}” saved.", "success")
        return see_other(request, "notes.index")
    return request.render("notes/form.html", form=form, note=note)


@router.route("/notes/<int:note_id>/delete", methods=["GET", "POST"])
@login_required
def delete(request: Request, note_id: int) -> Any:
    note = own_note(request, note_id)
    if request.method == "GET":
        return request.render("notes/delete.html", note=note)  # asks first
    # The CSRF token was checked before this view ran ([forms] csrf_everywhere).
    request.db.delete(note)
    request.db.commit()
    flash(request, f"Note “{note.title}” deleted.", "info")
    return see_other(request, "notes.index")
