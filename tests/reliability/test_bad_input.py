"""Each input of the first outside run that got a 500, now a 4xx naming the problem (notes demo, every plugin)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from reliability_support import Visitor, csrf_token, note_count

from corolla import App

DIGITS = "1" * 5000


def test_a_json_number_of_5000_digits_is_a_400_on_the_api(notes_app: Callable[..., App]) -> None:
    app = notes_app()
    alice = Visitor(app).signup("alice")
    response = alice.client.post(
        "/api/notes",
        data=f'{{"title": "t", "body": {DIGITS}}}',
        content_type="application/json",
        headers={"X-CSRFToken": alice.api_token()},
    )
    assert response.status_code == 400
    assert response.json["error"] == "invalid-json"
    assert "more than 4300 digits" in response.json["message"]
    assert note_count(app) == 0


def test_a_json_number_of_5000_digits_is_a_400_on_the_login(notes_app: Callable[..., App]) -> None:
    app = notes_app()
    Visitor(app).signup("alice")
    visitor = Visitor(app)
    token = csrf_token(visitor.get("/auth/login"))
    response = visitor.client.post(
        "/auth/login",
        data=f'{{"username": "alice", "password": {DIGITS}}}',
        content_type="application/json",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "more than 4300 digits" in response.text
    assert "Signed in" not in visitor.get("/").text


@pytest.mark.parametrize("number", ["99999999999999999999", str(2**63)])
def test_an_int_path_segment_beyond_64_bits_is_a_404(notes_app: Callable[..., App], number: str) -> None:
    alice = Visitor(notes_app()).signup("alice")
    assert alice.get(f"/api/notes/{number}").status_code == 404
    assert alice.get(f"/notes/{number}/edit").status_code == 404
    assert alice.api("DELETE", f"/api/notes/{number}").status_code == 404


def test_the_largest_64_bit_id_still_reaches_the_view(notes_app: Callable[..., App]) -> None:
    # The bound is the column's range, not lower: 2**63 - 1 is a valid id (of no note here).
    alice = Visitor(notes_app()).signup("alice")
    response = alice.get(f"/api/notes/{2**63 - 1}")
    assert response.status_code == 404 and response.json["error"] == "not found"


def test_a_lone_surrogate_in_json_is_a_422_naming_the_field(notes_app: Callable[..., App]) -> None:
    app = notes_app()
    alice = Visitor(app).signup("alice")
    response = alice.client.post(
        "/api/notes",
        data='{"title": "a\\ud800b"}',
        content_type="application/json",
        headers={"X-CSRFToken": alice.api_token()},
    )
    assert response.status_code == 422
    assert response.json["errors"]["title"] == ["contains a lone surrogate (\\ud800), which is not text"]
    assert note_count(app) == 0


def test_a_lone_surrogate_in_the_json_login_is_refused(notes_app: Callable[..., App]) -> None:
    # Found by the fuzz suite: `next` went into url_for() in the login page, a 500.
    app = notes_app()
    visitor = Visitor(app)
    token = csrf_token(visitor.get("/auth/login"))
    response = visitor.client.post(
        "/auth/login",
        data='{"username": "", "password": "", "next": "\\ud800"}',
        content_type="application/json",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    # The form does not validate (the login page again, as for any invalid login form), never a 500.
    assert response.status_code == 200
    assert "Log in" in response.text


def test_a_value_the_database_driver_cannot_encode_is_a_400(
    notes_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    # A view that stores a request's value without a form. The driver cannot encode a lone
    # surrogate: SQLAlchemy calls the orm's handle_error listener with no exception of its
    # own, which used to raise AttributeError there and hide the real error (a 500).
    from corolla_routing import Router

    app = notes_app()
    router = Router("/raw", name="raw")

    @router.post("/notes")
    def raw_note(request: Any) -> Any:
        from notesapp.models import Note

        request.db.add(Note(owner_id=1, title=request.get_json()["title"], body=""))
        request.db.commit()
        return "saved"

    app.include(router)
    alice = Visitor(app).signup("alice")
    with caplog.at_level(logging.INFO):
        response = alice.api("POST", "/raw/notes", {"title": "\udfff"})
    assert response.status_code == 400
    assert "not valid Unicode" in response.text
    assert "AttributeError" not in caplog.text
    assert note_count(app) == 0


def test_a_malformed_referer_on_https_is_a_csrf_400(notes_app: Callable[..., App]) -> None:
    app = notes_app()
    visitor = Visitor(app)
    page = visitor.get("/auth/login", base_url="https://localhost")
    response = visitor.client.post(
        "/auth/login",
        data={"username": "x", "password": "y", "csrf_token": csrf_token(page)},
        headers={"Referer": "https://["},
        base_url="https://localhost",
    )
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert "Referer header is not a valid URL" in response.text


def test_a_nul_byte_in_a_form_field_on_postgresql_is_a_400(pg_notes_app: App) -> None:
    alice = Visitor(pg_notes_app).signup("alice")
    response = alice.post("/notes/new", {"title": "before\x00after", "body": ""})
    assert response.status_code == 400
    assert "cannot contain NUL" in response.text
    assert note_count(pg_notes_app) == 0
    # The request after it is served normally (the failed transaction was rolled back).
    assert alice.create_note("fine").status_code == 200
    assert note_count(pg_notes_app) == 1


def test_an_int_beyond_the_column_on_postgresql_is_a_4xx(pg_notes_app: App) -> None:
    alice = Visitor(pg_notes_app).signup("alice")
    # Beyond 64 bits: no route matches.
    assert alice.get("/api/notes/99999999999999999999").status_code == 404
    # Within 64 bits but beyond the demo's 32-bit INTEGER id: the database refuses it, a 400 saying so.
    response = alice.get(f"/api/notes/{2**63 - 1}")
    assert response.status_code == 400
    assert "out of range" in response.json["message"]
    assert alice.get("/api/notes").status_code == 200  # the session's transaction was rolled back
