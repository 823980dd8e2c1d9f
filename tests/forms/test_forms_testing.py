"""corolla_forms.testing.csrf_token: a valid token for a test client, without fetching a page."""

from __future__ import annotations

from typing import Any

from wtforms import StringField, validators

import corolla
from corolla_forms import Form
from corolla_forms.testing import csrf_token


class Comment(Form):
    text = StringField("Text", [validators.DataRequired()])


def comment_view(request: corolla.Request) -> Any:
    form = Comment(request)
    if form.validate_on_submit():
        return {"saved": form.text.data}
    return form.error_response()


def whoami(request: corolla.Request) -> str:
    return str(request.session.get("user", "nobody"))


def test_the_token_is_accepted_in_the_form_and_the_header(forms_app: Any) -> None:
    app = forms_app({"/comment": comment_view})
    client = app.test_client()
    assert client.post("/comment", data={"text": "hi"}).status_code == 400  # no token
    token = csrf_token(client)
    assert client.post("/comment", data={"text": "hi", "csrf_token": token}).json == {"saved": "hi"}
    assert client.post("/comment", data={"text": "again"}, headers={"X-CSRFToken": csrf_token(client)}).json == {
        "saved": "again"
    }


def test_the_token_keeps_what_the_session_held(forms_app: Any) -> None:
    app = forms_app({"/comment": comment_view, "/me": whoami})
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = "ada"
    token = csrf_token(client)
    assert client.get("/me").text == "ada"
    assert client.post("/comment", data={"text": "hi", "csrf_token": token}).status_code == 200


def test_a_token_from_another_client_is_refused(forms_app: Any) -> None:
    app = forms_app({"/comment": comment_view})
    response = app.test_client().post("/comment", data={"text": "hi", "csrf_token": csrf_token(app.test_client())})
    assert response.status_code == 400
