"""The demo's HTML pages through the real WSGI app: the whole flow a person clicks through."""

from __future__ import annotations

import re

from notes_support import PASSWORD, Visitor, csrf_token, flashes
from werkzeug.test import Client

from corolla import App


def note_ids(page_text: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="note-(\d+)"', page_text)]


def test_a_visitor_sees_the_welcome_page_with_the_layout(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "<title>Welcome · Corolla notes</title>" in page.text
    assert 'href="/auth/register"' in page.text and 'href="/auth/login"' in page.text
    assert '<link rel="stylesheet" href="/static/style.css">' in page.text
    assert "Set-Cookie" not in page.headers  # nothing to remember about a visitor yet


def test_the_stylesheet_is_served(client: Client) -> None:
    with client.get("/static/style.css") as css:
        assert css.status_code == 200
        assert css.mimetype == "text/css"
        assert "--accent" in css.text


def test_register_log_in_and_out_with_flash_messages(app: App) -> None:
    visitor = Visitor(app)
    registered = visitor.register("alice")
    assert registered.status_code == 200
    assert flashes(registered) == ["Welcome, alice! Your account is ready."]
    assert registered.request.path == "/"

    home = visitor.get("/")
    assert "Signed in as <strong>alice</strong>" in home.text
    assert "No notes yet." in home.text
    assert "<title>Your notes · Corolla notes</title>" in home.text

    out = visitor.logout()
    assert out.status_code == 200
    assert flashes(out) == ["You are logged out."]
    assert "Signed in as" not in out.text
    assert "Create an account" in visitor.get("/").text

    back = visitor.login("alice")
    assert flashes(back) == ["Welcome back, alice."]
    assert "Signed in as <strong>alice</strong>" in back.text


def test_login_comes_back_to_the_page_asked_for(app: App) -> None:
    visitor = Visitor(app)
    visitor.register("alice")
    visitor.logout()
    sent = visitor.get("/notes/new")
    assert sent.status_code == 303
    login_page = sent.headers["Location"]
    assert login_page == "/auth/login?next=/notes/new"
    page = visitor.get(login_page)
    assert 'name="next" type="hidden" value="/notes/new"' in page.text
    token = csrf_token(page)
    response = visitor.client.post(
        login_page, data={"username": "alice", "password": PASSWORD, "next": "/notes/new", "csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/notes/new"
    wrong = visitor.post("/auth/login", {"username": "alice", "password": "not it"})
    assert "Invalid username or password." in wrong.text


def test_the_auth_pages_use_the_demos_layout(client: Client) -> None:
    for path in ("/auth/login", "/auth/register"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Corolla notes</title>" in page.text, "templates/auth/base.html overrides the plugin's"
        assert '<link rel="stylesheet" href="/static/style.css">' in page.text
        assert 'name="csrf_token"' in page.text


def test_pages_need_a_login(client: Client) -> None:
    for path in ("/notes/new", "/notes/1/edit"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/auth/login?next=")
    # A POST without a login never reaches the view either (the token is checked first: 400 without one).
    assert client.post("/notes/1/delete").status_code in (303, 400)


def test_create_edit_and_delete_a_note(alice: Visitor) -> None:
    created = alice.create_note("Groceries", "eggs\nmilk")
    assert created.status_code == 200
    assert created.request.path == "/"
    assert flashes(created) == ["Note “Groceries” created."]
    (note_id,) = note_ids(created.text)
    assert '<p class="body">eggs\nmilk</p>' in created.text

    form = alice.get(f"/notes/{note_id}/edit")
    assert form.status_code == 200
    assert 'value="Groceries"' in form.text and "eggs\nmilk</textarea>" in form.text.replace("\r\n", "\n")

    saved = alice.post(f"/notes/{note_id}/edit", {"title": "Groceries (Sat)", "body": "eggs"}, follow=True)
    assert flashes(saved) == ["Note “Groceries (Sat)” saved."]
    assert "Groceries (Sat)" in saved.text and "milk" not in saved.text

    # Deleting asks first: the edit page links to a confirmation page, whose form posts.
    edit_page = alice.get(f"/notes/{note_id}/edit").text
    assert f'<a class="button danger" href="/notes/{note_id}/delete">Delete this note…</a>' in edit_page
    assert 'method="post" action="/notes/' not in edit_page
    confirm = alice.get(f"/notes/{note_id}/delete")
    assert confirm.status_code == 200
    assert "<h1>Delete “Groceries (Sat)”?</h1>" in confirm.text
    assert f'<form class="danger" method="post" action="/notes/{note_id}/delete">' in confirm.text
    assert note_ids(alice.get("/").text) == [note_id]  # asking deleted nothing
    deleted = alice.post(f"/notes/{note_id}/delete", token_from=f"/notes/{note_id}/delete", follow=True)
    assert flashes(deleted) == ["Note “Groceries (Sat)” deleted."]
    assert note_ids(deleted.text) == []
    assert alice.get(f"/notes/{note_id}/edit").status_code == 404


def test_newest_first_and_flash_shown_once(alice: Visitor) -> None:
    alice.create_note("first")
    page = alice.create_note("second")
    ids = note_ids(page.text)
    assert len(ids) == 2 and ids[0] > ids[1]
    assert flashes(alice.get("/")) == []


def test_an_invalid_note_is_shown_again_with_its_errors(alice: Visitor) -> None:
    page = alice.post("/notes/new", {"title": "   ", "body": "kept"})
    assert page.status_code == 200
    assert '<p class="error" id="title-error">Give the note a title.</p>' in page.text
    # The invalid field says so, names its error, and has the focus; the valid one does not.
    (title,) = re.findall(r"<input [^>]*name=\"title\"[^>]*>", page.text)
    assert 'aria-invalid="true"' in title and 'aria-describedby="title-error"' in title and "autofocus" in title
    (body,) = re.findall(r"<textarea [^>]*>", page.text)
    assert "aria-invalid" not in body and "autofocus" not in body
    assert "kept</textarea>" in page.text
    assert note_ids(alice.get("/").text) == []
    too_long = alice.post("/notes/new", {"title": "x" * 201})
    assert "Field cannot be longer than 200 characters." in too_long.text


def test_html_is_escaped(alice: Visitor) -> None:
    page = alice.create_note("<script>alert(1)</script>", "<b>bold</b>")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_only_the_owner_sees_edits_or_deletes_a_note(alice: Visitor, bob: Visitor) -> None:
    (note_id,) = note_ids(alice.create_note("alice's secret").text)
    assert note_ids(bob.get("/").text) == []
    assert "alice&#39;s secret" not in bob.get("/").text
    not_yours = bob.get(f"/notes/{note_id}/edit")
    assert not_yours.status_code == 404
    assert "<h1>404 Not Found</h1>" in not_yours.text and "Signed in as <strong>bob</strong>" in not_yours.text
    token = csrf_token(bob.get("/notes/new"))
    assert bob.post(f"/notes/{note_id}/edit", {"title": "mine now", "csrf_token": token}).status_code == 404
    assert bob.post(f"/notes/{note_id}/delete", {"csrf_token": token}).status_code == 404
    assert note_ids(alice.get("/").text) == [note_id]
    assert "alice&#39;s secret" in alice.get("/").text


def test_a_form_without_its_csrf_token_is_refused_with_a_readable_page(alice: Visitor) -> None:
    (note_id,) = note_ids(alice.create_note("keep me").text)
    for path, data in [("/notes/new", {"title": "forged"}), (f"/notes/{note_id}/delete", {})]:
        response = alice.client.post(path, data=data)
        assert response.status_code == 400
        assert "<h1>This form has expired</h1>" in response.text
        assert "Nothing was saved." in response.text
        assert "The CSRF token is missing." in response.text
    assert note_ids(alice.get("/").text) == [note_id]


def test_a_stale_form_after_logging_out_shows_the_error_page(app: App, alice: Visitor) -> None:
    token = csrf_token(alice.get("/notes/new"))
    alice.logout()
    alice.login("alice")  # a new session: the old page's token belongs to the one that ended
    response = alice.client.post("/notes/new", data={"title": "late", "csrf_token": token})
    assert response.status_code == 400
    assert "<h1>This form has expired</h1>" in response.text
    assert note_ids(alice.get("/").text) == []


def test_unknown_pages_are_404_in_the_layout(client: Client) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert "<h1>404 Not Found</h1>" in page.text
    assert "Corolla notes</title>" in page.text
    with client.get("/static/nothing.css") as missing:
        assert missing.status_code == 404
    wrong = client.delete("/")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
