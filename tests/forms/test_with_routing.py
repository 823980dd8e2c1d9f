"""The forms plugin beside the real routing plugin: ``csrf_everywhere`` sees the matched view."""

from __future__ import annotations

from typing import Any

import pytest
from forms_support import SECRET
from werkzeug.test import Client
from wtforms import StringField

import corolla
from corolla_forms import Form, csrf_exempt, csrf_token


class Note(Form):
    text = StringField("Text")


@pytest.fixture
def app(make_app: Any) -> corolla.App:
    app = make_app(
        ["sessions", "forms", "routing"],
        {"core": {"secret_key": SECRET}, "forms": {"csrf_everywhere": True}},
        isolated=False,
    )

    @app.get("/token")  # type: ignore[attr-defined]
    def token(request: corolla.Request) -> str:
        return csrf_token(request)

    @app.post("/notes/<int:note_id>")  # type: ignore[attr-defined]
    def update(request: corolla.Request, note_id: int) -> Any:
        return {"id": note_id}

    @app.post("/hooks/<name>")  # type: ignore[attr-defined]
    @csrf_exempt
    def hook(request: corolla.Request, name: str) -> Any:
        form = Note(request)
        return {"hook": name, "ok": form.validate(), "text": form.text.data}

    return app


def test_routed_view_is_checked(client: Client) -> None:
    assert client.post("/notes/3").status_code == 400
    token = client.get("/token").text
    assert client.post("/notes/3", headers={"X-CSRFToken": token}).json == {"id": 3}


def test_routed_exempt_view(client: Client) -> None:
    response = client.post("/hooks/github", json={"text": "push"})
    assert response.json == {"hook": "github", "ok": True, "text": "push"}


def test_no_route_is_404_and_wrong_method_405_not_a_csrf_failure(client: Client) -> None:
    assert client.post("/nowhere").status_code == 404
    assert client.post("/token").status_code == 405
