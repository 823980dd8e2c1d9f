"""examples/flaskr: Flask's tutorial app on Corolla, tested as Flask's tutorial tests it.

It uses what a Flask user reaches for: an app factory wrapped by
``make_app(factory=...)``, an app hook (``request.user``, Flask's ``g.user``),
an app command (``corolla init-db``), ``client.session_transaction()``,
``with client:`` and a CSRF token helper.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from corolla import App
from corolla.testing import Client, run_cli
from corolla_forms.testing import csrf_token

FLASKR = Path(__file__).parents[2] / "examples" / "flaskr"

DATA = """
INSERT INTO user (username, password)
VALUES
  ('test', 'pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f'),
  ('other', 'pbkdf2:sha256:50000$kJPKsz6N$d2d4784f1b030a9761f5ccaeeaca413f27f2ecb76d6168407af962ddce849f79');

INSERT INTO post (title, body, author_id, created)
VALUES
  ('test title', 'test' || x'0a' || 'body', 1, '2018-01-01 00:00:00');
"""


@pytest.fixture
def create_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., App]]:
    monkeypatch.syspath_prepend(str(FLASKR))
    from flaskr import create_app

    yield create_app
    for name in [m for m in sys.modules if m == "flaskr" or m.startswith("flaskr.")]:
        del sys.modules[name]


@pytest.fixture
def app(make_app: Callable[..., App], create_app: Callable[..., App]) -> App:
    # The factory gets this config; make_app gives it a temporary instance folder (the SQLite file).
    app = make_app(config={"core": {"testing": True, "secret_key": "test" * 10}}, factory=create_app)
    result = run_cli("init-db", app=app)
    assert result.exit_code == 0, result.output
    app.db.run_script(DATA)  # type: ignore[attr-defined]
    return app


class AuthActions:
    def __init__(self, client: Client) -> None:
        self.client = client

    def login(self, username: str = "test", password: str = "test") -> Any:
        data = {"username": username, "password": password, "csrf_token": csrf_token(self.client)}
        return self.client.post("/auth/login", data=data)

    def logout(self) -> Any:
        return self.client.post("/auth/logout", data={"csrf_token": csrf_token(self.client)})


@pytest.fixture
def auth(client: Client) -> AuthActions:
    return AuthActions(client)


# -- the factory, the command and the hook --------------------------------------


def test_config(make_app: Callable[..., App], create_app: Callable[..., App]) -> None:
    assert not make_app(factory=create_app).config["core"]["testing"]
    assert make_app(config={"core": {"testing": True}}, factory=create_app).config["core"]["testing"]


def test_init_db_command(app: App) -> None:
    result = run_cli("init-db", app=app)
    assert result.exit_code == 0
    assert "Initialized" in result.stdout
    assert "init-db" in run_cli("--help", app=app).stdout  # listed under "Commands of the app"
    with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT count(*) FROM user")).scalar_one() == 0


def test_the_hook_is_the_app_plugin(app: App) -> None:
    import json

    rows = {r["name"]: r for r in json.loads(run_cli("plugins", "list", "--json", app=app).stdout)}
    assert rows["app"]["reason"] == "the app's own request hooks: before_request"
    assert "app [trylast]" in run_cli("hooks", "corolla_wrap_request", app=app).stdout


# -- auth -----------------------------------------------------------------------


def test_register(client: Client, app: App) -> None:
    assert client.get("/auth/register").status_code == 200
    data = {"username": "a", "password": "a", "csrf_token": csrf_token(client)}
    response = client.post("/auth/register", data=data)
    assert response.headers["Location"] == "/auth/login"
    with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT * FROM user WHERE username = 'a'")).first() is not None


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("", "", "Username is required."), ("a", "", "Password is required."), ("test", "test", "already registered")],
)
def test_register_validate_input(client: Client, username: str, password: str, message: str) -> None:
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    response = client.post("/auth/register", data=data)
    assert message in response.text


def test_login(client: Client, auth: AuthActions) -> None:
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.headers["Location"] == "/"
    with client:
        client.get("/")
        assert client.last_request.session["user_id"] == 1
        assert client.last_request.user["username"] == "test"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("username", "password", "message"), [("a", "test", "Incorrect username."), ("test", "a", "Incorrect password.")]
)
def test_login_validate_input(auth: AuthActions, username: str, password: str, message: str) -> None:
    assert message in auth.login(username, password).text


def test_logout(client: Client, auth: AuthActions) -> None:
    auth.login()
    auth.logout()
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_a_post_without_its_csrf_token_is_refused(client: Client) -> None:
    assert client.post("/auth/login", data={"username": "test", "password": "test"}).status_code == 400


# -- blog -----------------------------------------------------------------------


def test_index(client: Client, auth: AuthActions) -> None:
    response = client.get("/")
    assert "Log In" in response.text and "Register" in response.text
    auth.login()
    response = client.get("/")
    assert "Log Out" in response.text
    assert "test title" in response.text
    assert "by test on 2018-01-01" in response.text
    assert "test\nbody" in response.text
    assert 'href="/1/update"' in response.text


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_login_required(client: Client, path: str) -> None:
    response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/auth/login"


def test_author_required(app: App, client: Client, auth: AuthActions) -> None:
    with app.db.begin() as db:  # type: ignore[attr-defined]
        db.execute(sa.text("UPDATE post SET author_id = 2 WHERE id = 1"))
    auth.login()
    # The current user can't modify another user's post, and sees no edit link.
    assert client.post("/1/update", data={"csrf_token": csrf_token(client)}).status_code == 403
    assert client.post("/1/delete", data={"csrf_token": csrf_token(client)}).status_code == 403
    assert 'href="/1/update"' not in client.get("/").text


@pytest.mark.parametrize("path", ["/2/update", "/2/delete"])
def test_exists_required(client: Client, auth: AuthActions, path: str) -> None:
    auth.login()
    assert client.post(path, data={"csrf_token": csrf_token(client)}).status_code == 404


def test_create(client: Client, auth: AuthActions, app: App) -> None:
    auth.login()
    assert client.get("/create").status_code == 200
    client.post("/create", data={"title": "created", "body": "", "csrf_token": csrf_token(client)})
    with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT count(id) FROM post")).scalar_one() == 2


def test_update(client: Client, auth: AuthActions, app: App) -> None:
    auth.login()
    assert client.get("/1/update").status_code == 200
    client.post("/1/update", data={"title": "updated", "body": "", "csrf_token": csrf_token(client)})
    with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT title FROM post WHERE id = 1")).scalar_one() == "updated"


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_create_update_validate(client: Client, auth: AuthActions, path: str) -> None:
    auth.login()
    response = client.post(path, data={"title": "", "body": "", "csrf_token": csrf_token(client)})
    assert "Title is required." in response.text


def test_delete(client: Client, auth: AuthActions, app: App) -> None:
    auth.login()
    response = client.post("/1/delete", data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"
    with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT * FROM post WHERE id = 1")).first() is None


def test_testing_lets_a_bug_reach_the_test(app: App, client: Client, auth: AuthActions) -> None:
    # [core] testing: an exception no handler takes is raised here, not turned into a 500 page.
    auth.login()
    with app.db.begin() as db:  # type: ignore[attr-defined]
        db.execute(sa.text("DROP TABLE post"))
    with pytest.raises(sa.exc.OperationalError, match="no such table: post"):
        client.get("/")
