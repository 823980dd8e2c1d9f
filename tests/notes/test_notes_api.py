"""The JSON API (/api/notes) through the real WSGI app: session cookie + X-CSRFToken, JSON errors."""

from __future__ import annotations

from notes_support import Visitor
from werkzeug.test import Client

from corolla import App


def test_without_a_login_every_call_is_a_json_401(client: Client) -> None:
    for method, path in [
        ("GET", "/api/notes"),
        ("POST", "/api/notes"),
        ("GET", "/api/notes/1"),
        ("PATCH", "/api/notes/1"),
        ("DELETE", "/api/notes/1"),
        ("GET", "/api/csrf-token"),
    ]:
        response = client.open(
            path,
            method=method,
            headers={"Accept": "application/json"},
            json={} if method in ("POST", "PATCH") else None,
        )
        # Unsafe methods without a token stop at the CSRF check (400) before the view would say 401.
        expected = (401,) if method == "GET" else (401, 400)
        assert response.status_code in expected, (method, path, response.status_code)
        assert response.mimetype == "application/json"
    assert client.get("/api/notes").json == {"error": "login required"}
    assert client.get("/api/notes").status_code == 401  # no Accept header: still JSON, never a login page


def test_create_read_update_delete(alice: Visitor) -> None:
    assert alice.api("GET", "/api/notes").json == {"notes": []}

    created = alice.api("POST", "/api/notes", {"title": "From the API", "body": "hello"})
    assert created.status_code == 201, created.text
    note = created.json
    assert note["title"] == "From the API" and note["body"] == "hello"
    assert created.headers["Location"] == f"/api/notes/{note['id']}"
    assert note["created_at"].endswith("+00:00")
    url = f"/api/notes/{note['id']}"

    assert alice.api("GET", url).json == note
    assert [n["id"] for n in alice.api("GET", "/api/notes").json["notes"]] == [note["id"]]
    assert "From the API" in alice.get("/").text, "the pages show the API's notes"

    patched = alice.api("PATCH", url, {"body": "changed"})
    assert patched.status_code == 200, patched.text
    assert patched.json["title"] == "From the API" and patched.json["body"] == "changed"

    put = alice.api("PUT", url, {"title": "Replaced"})
    assert put.status_code == 200, put.text
    assert put.json["title"] == "Replaced" and put.json["body"] == ""

    deleted = alice.api("DELETE", url)
    assert deleted.status_code == 204 and deleted.data == b""
    assert alice.api("GET", url).status_code == 404
    assert alice.api("GET", "/api/notes").json == {"notes": []}


def test_validation_errors_are_422_listing_every_field(alice: Visitor) -> None:
    response = alice.api("POST", "/api/notes", {"title": " ", "body": "x"})
    assert response.status_code == 422
    assert response.json == {"errors": {"title": ["Give the note a title."]}}
    missing = alice.api("POST", "/api/notes", {})
    assert missing.status_code == 422 and "title" in missing.json["errors"]
    wrong_type = alice.api("POST", "/api/notes", {"title": 5, "body": ["a"]})
    assert wrong_type.status_code == 422
    assert set(wrong_type.json["errors"]) == {"title", "body"}
    note = alice.api("POST", "/api/notes", {"title": "ok"}).json
    put = alice.api("PUT", f"/api/notes/{note['id']}", {"body": "no title"})
    assert put.status_code == 422 and "title" in put.json["errors"]
    assert alice.api("GET", f"/api/notes/{note['id']}").json["body"] == ""  # nothing saved


def test_bad_json_is_a_400(alice: Visitor) -> None:
    response = alice.client.post(
        "/api/notes",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": alice.api_token()},
    )
    assert response.status_code == 400
    assert response.json["error"] == "invalid-json"


def test_deeply_nested_json_is_a_400_naming_the_problem(alice: Visitor) -> None:
    deep = "[" * 50000
    for path, token in [("/api/notes", True), ("/api/notes", False), ("/auth/login", True), ("/auth/login", False)]:
        headers = {"X-CSRFToken": alice.api_token()} if token else {}
        response = alice.client.post(path, data=deep, content_type="application/json", headers=headers)
        assert response.status_code == 400, (path, token, response.text)
        assert response.json["error"] == "invalid-json", (path, token)
        assert response.json["detail"] == "arrays or objects are nested too deeply"
    assert alice.api("GET", "/api/notes").json == {"notes": []}


def test_unsafe_methods_need_the_csrf_token_400_with_a_reason(alice: Visitor) -> None:
    note = alice.api("POST", "/api/notes", {"title": "guarded"}).json
    url = f"/api/notes/{note['id']}"
    for method, body in [
        ("POST", {"title": "forged"}),
        ("PUT", {"title": "forged"}),
        ("PATCH", {"title": "f"}),
        ("DELETE", None),
    ]:
        response = alice.api(method, "/api/notes" if method == "POST" else url, body, token=False)
        assert response.status_code == 400, (method, response.text)
        assert response.json["error"] == "csrf" and response.json["reason"] == "missing"
        assert "CSRF token is missing" in response.json["message"]
    bad = alice.api("DELETE", url, token=False, headers={"X-CSRFToken": "not-a-token"})
    assert bad.status_code == 400 and bad.json["reason"] == "invalid"
    assert [n["title"] for n in alice.api("GET", "/api/notes").json["notes"]] == ["guarded"]


def test_a_token_of_another_session_is_refused(alice: Visitor, bob: Visitor) -> None:
    response = alice.api("POST", "/api/notes", {"title": "x"}, token=False, headers={"X-CSRFToken": bob.api_token()})
    assert response.status_code == 400
    assert response.json["reason"] == "wrong-session"


def test_another_users_notes_are_404(alice: Visitor, bob: Visitor) -> None:
    note = alice.api("POST", "/api/notes", {"title": "alice only"}).json
    url = f"/api/notes/{note['id']}"
    for method, body in [("GET", None), ("PUT", {"title": "bob"}), ("PATCH", {"title": "bob"}), ("DELETE", None)]:
        response = bob.api(method, url, body)
        assert response.status_code == 404, method
        assert response.json["error"] == "not found"
    assert bob.api("GET", "/api/notes").json == {"notes": []}
    assert alice.api("GET", url).json["title"] == "alice only"


def test_unknown_ids_methods_and_paths(alice: Visitor, app: App) -> None:
    assert alice.api("GET", "/api/notes/999").status_code == 404
    assert alice.api("GET", "/api/notes/abc").status_code == 404
    assert alice.api("GET", "/api/nothing").json["error"] == "not found"
    response = alice.api("GET", "/api/csrf-token")
    assert response.status_code == 200
    wrong = alice.api("PUT", "/api/notes")
    assert wrong.status_code == 405
    assert wrong.json["error"] == "method not allowed"
    assert "POST" in wrong.headers["Allow"]
