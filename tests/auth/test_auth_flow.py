"""Register, log in, log out, request.user and @login_required, through the real app and its pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from auth_support import PASSWORD, AuthClient, add_views

import corolla


def test_register_logs_the_new_user_in_with_a_flash_message(browser: AuthClient) -> None:
    response = browser.register("alice")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert browser.get("/whoami").text == "alice"
    page = browser.get("/auth/login").text
    assert "Welcome, alice! Your account is ready." in page
    assert "Welcome" not in browser.get("/auth/login").text  # shown once


def test_the_user_row_holds_a_salted_hash_not_the_password(app: corolla.App, browser: AuthClient) -> None:
    from corolla_auth import User

    browser.register("alice")
    with app.db.session() as db:
        (user,) = db.query(User).all()
    assert user.username == "alice" and user.created_at is not None
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_login_regenerates_the_session_and_flashes(auth_app: Callable[..., corolla.App], redis_server: Any) -> None:
    # Server-side sessions (Redis): the cookie holds only the session id, so a new cookie means a new id,
    # and the old id can be tried again. With cookie sessions the cookie changes on every write anyway.
    def views(app: corolla.App) -> None:
        add_views(app)

        @app.get("/cart")
        def cart(request: corolla.Request) -> str:
            request.session["cart"] = ["tea"]
            return "added"

    app = auth_app(views=views, sessions={"backend": "redis", "redis_url": redis_server.url})
    browser = AuthClient(app)
    browser.register("alice")
    browser.logout()
    browser.get("/cart")  # an anonymous session holding something: stored, with an id
    before = browser.session_cookie()
    assert before is not None
    # Session fixation: an attacker who planted (or read) the pre-login id keeps a copy of it.
    attacker = AuthClient(app)
    attacker.set_cookie("session", before)
    assert attacker.get("/whoami").text == "anonymous"

    response = browser.login("alice")
    assert response.status_code == 303
    # The pre-login id is no longer valid: it does not carry the login.
    assert attacker.get("/whoami").text == "anonymous"
    assert attacker.get("/private", headers={"Accept": "application/json"}).status_code == 401
    after = browser.session_cookie()
    assert after is not None and after != before
    assert browser.get("/whoami").text == "alice"
    assert "Welcome back, alice." in browser.get("/auth/register").text


def test_login_is_case_insensitive_on_the_username(browser: AuthClient) -> None:
    browser.register("Alice")
    browser.logout()
    assert browser.login("aLiCe").status_code == 303
    assert browser.get("/whoami").text == "Alice"


def test_logout_ends_the_login_and_flashes(browser: AuthClient) -> None:
    browser.register("alice")
    response = browser.logout()
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert browser.get("/whoami").text == "anonymous"
    assert "You are logged out." in browser.get("/auth/login").text


def test_logout_only_by_post(browser: AuthClient) -> None:
    browser.register("alice")
    assert browser.get("/auth/logout").status_code == 405
    assert browser.get("/whoami").text == "alice"


def test_wrong_password_and_unknown_user_get_the_same_answer(browser: AuthClient) -> None:
    browser.register("alice")
    browser.logout()
    wrong = browser.login("alice", "not the password")
    unknown = browser.login("bob", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Invalid username or password." in response.text
    assert browser.get("/whoami").text == "anonymous"


def test_empty_fields_are_field_errors(browser: AuthClient) -> None:
    response = browser.login("", "")
    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2


def test_duplicate_username_is_refused_case_insensitively(browser: AuthClient, app: corolla.App) -> None:
    from corolla_auth import User

    browser.register("alice")
    browser.logout()
    response = browser.register("ALICE")
    assert response.status_code == 200
    assert "That username is taken." in response.text
    with app.db.session() as db:
        assert db.query(User).count() == 1


def test_register_validates_the_fields(browser: AuthClient) -> None:
    short = browser.register("bo", "short")
    assert "Field must be between 3 and 80 characters long." in short.text
    assert "Use 8 to 1024 characters." in short.text
    odd = browser.register("bad name!", PASSWORD)
    assert "letters, digits, dots, dashes and underscores only" in odd.text
    token = browser.token("/auth/register")
    mismatch = browser.post(
        "/auth/register",
        data={"username": "carol", "password": PASSWORD, "confirm": PASSWORD + "!", "csrf_token": token},
    )
    assert "The passwords differ." in mismatch.text
    assert browser.get("/whoami").text == "anonymous"
    # Only the invalid field is marked, names its errors, and has the focus.
    fields = {m.group(1): m.group(0) for m in re.finditer(r'<input [^>]*name="(\w+)"[^>]*>', mismatch.text)}
    assert 'aria-invalid="true"' in fields["confirm"] and 'aria-describedby="confirm-errors"' in fields["confirm"]
    assert '<ul class="errors" id="confirm-errors"><li>The passwords differ.</li></ul>' in mismatch.text
    assert "autofocus" in fields["confirm"]
    assert not any("aria-invalid" in fields[name] or "autofocus" in fields[name] for name in ("username", "password"))
    fresh = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<input [^>]*name="(\w+)"[^>]*>', browser.get("/auth/register").text)
    }
    assert "autofocus" in fresh["username"] and "aria-invalid" not in fresh["username"]


def test_login_required_redirects_browsers_to_the_login_page(browser: AuthClient) -> None:
    response = browser.get("/private?page=2")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query) == {"next": ["/private?page=2"]}
    # The login page carries next through the form, and the login goes there.
    page = browser.get(response.headers["Location"]).text
    assert 'name="next" type="hidden" value="/private?page=2"' in page
    browser.register("alice")
    browser.logout()
    login = browser.login("alice", next="/private?page=2")
    assert login.headers["Location"] == "/private?page=2"
    assert browser.get("/private?page=2").json == {"user": "alice"}


def test_login_required_answers_json_clients_with_401(browser: AuthClient) -> None:
    by_accept = browser.get("/private", headers={"Accept": "application/json"})
    assert by_accept.status_code == 401
    assert by_accept.json == {"error": "login required"}
    by_body = browser.get("/private", json={"q": 1})
    assert by_body.status_code == 401 and by_body.json == {"error": "login required"}
    # Browsers send */* too, but prefer HTML.
    html = browser.get("/private", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 303


def test_request_user_is_lazy(app: corolla.App) -> None:
    seen = {}

    @app.get("/peek")
    def peek(request: corolla.Request) -> str:
        seen["before"] = request.touched("user"), request.touched("session")
        return "ok"

    response = AuthClient(app).get("/peek")
    assert response.text == "ok"
    assert seen["before"] == (False, False)
    assert "Set-Cookie" not in response.headers


def test_a_deleted_user_is_logged_out(app: corolla.App, browser: AuthClient) -> None:
    from corolla_auth import User

    browser.register("alice")
    with app.db.begin() as db:
        db.query(User).delete()
    assert browser.get("/whoami").text == "anonymous"
    assert browser.get("/private").status_code == 303


def test_json_login(browser: AuthClient) -> None:
    browser.register("alice")
    browser.logout()
    token = browser.token()
    bad = browser.post("/auth/login", json={"username": "alice", "password": "nope"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 401 and bad.json == {"error": "invalid username or password"}
    good = browser.post("/auth/login", json={"username": "alice", "password": PASSWORD}, headers={"X-CSRFToken": token})
    assert good.status_code == 303
    assert browser.get("/whoami").text == "alice"


def test_pages_under_a_configured_prefix_and_home(auth_app) -> None:  # type: ignore[no-untyped-def]
    from auth_support import add_views

    app = auth_app({"prefix": "/account", "home": "/whoami"}, views=add_views)
    client = AuthClient(app)
    assert client.get("/auth/login").status_code == 404
    token = client.token("/account/register")
    response = client.post(
        "/account/register",
        data={"username": "alice", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/whoami"
    assert client.get("/private").status_code == 200
    assert app.url_for("auth.login") == "/account/login"


def test_an_error_page_showing_the_user_gives_its_connection_back(auth_app) -> None:  # type: ignore[no-untyped-def]
    from auth_support import add_views

    from corolla_auth import User
    from corolla_orm import get_or_404

    def views(app: corolla.App) -> None:
        add_views(app)

        @app.get("/missing")
        def missing(request: corolla.Request) -> object:
            return get_or_404(request.db, User, 999)

        @app.errorhandler(404)
        def not_found(request: corolla.Request, exception: Exception) -> object:
            # Runs after the orm plugin closed request.db; reading the user opens it again.
            return f"nothing here, {request.user.username if request.user else 'stranger'}", 404

    app = auth_app(views=views)
    client = AuthClient(app)
    client.register("alice")
    response = client.get("/missing")
    assert (response.status_code, response.text) == (404, "nothing here, alice")
    assert app.db.engine.pool.checkedout() == 0
