"""The note form, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from wtforms import StringField, TextAreaField, validators

from corolla_forms import Form


class NoteForm(Form):
    title = StringField(
        "Title",
        [validators.DataRequired(message="Give the note a title."), validators.Length(max=200)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    body = TextAreaField("Note", [validators.Length(max=20_000)])
