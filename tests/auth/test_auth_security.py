"""Rate limits, open redirects, CSRF, overrides, refusal without forms, migrations, deploy checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from auth_support import PASSWORD, PLUGINS, SECRET, AuthClient, add_views

import corolla
from corolla.testing import run_cli


def fail(client: AuthClient, username: str, address: str = "10.0.0.1") -> int:
    token = client.token()
    response = client.post(
        "/auth/login",
        data={"username": username, "password": "wrong password", "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
    )
    return response.status_code


def login_from(client: AuthClient, username: str, address: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = client.token()
    return client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
    )


LIMITS = {"max_attempts": 3, "max_attempts_per_account": 5, "max_attempts_per_address": 4, "window": 300}


@pytest.fixture
def limited(auth_app: Callable[..., corolla.App]) -> AuthClient:
    """alice's own browser: it registered (so it is a device alice logged in from) and logged out."""
    client = AuthClient(auth_app(LIMITS, views=add_views))
    client.register("alice")
    client.logout()
    return client


def stranger(limited: AuthClient) -> AuthClient:
    """Another browser on the same app, which never logged in (an attacker, or alice on a new device)."""
    return AuthClient(limited.application)


def test_failures_from_one_address_lock_that_address_out_of_that_account_only(limited: AuthClient) -> None:
    attacker = stranger(limited)
    for _ in range(3):
        assert fail(attacker, "alice ", "10.6.6.6") == 200  # the name is normalised: "alice " is alice
    response = login_from(attacker, "alice", "10.6.6.6")
    assert response.status_code == 429  # the right password from the guessing address: refused
    assert 0 < int(response.headers["Retry-After"]) <= 300
    assert "Too many failed logins for this account from this address. Try again in 5 minutes." in response.text
    # alice on a new device elsewhere is not locked out by someone else's guesses.
    assert login_from(stranger(limited), "alice", "10.1.1.1").status_code == 303


def test_account_limit_holds_across_addresses_for_new_devices(limited: AuthClient) -> None:
    attacker = stranger(limited)
    for n in range(5):
        assert fail(attacker, "alice", f"10.0.0.{n}") == 200
    response = login_from(stranger(limited), "alice", "10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed logins for this account. Try again in 5 minutes." in response.text


def test_a_browser_that_logged_in_before_is_never_locked_out_by_others(limited: AuthClient) -> None:
    attacker = stranger(limited)
    for n in range(12):  # past every limit, from many addresses, renewing the lock
        fail(attacker, "alice", f"10.0.0.{n}")
    assert login_from(attacker, "alice", "10.0.0.99").status_code == 429
    # alice's own browser carries the device cookie of her last login: her password still works.
    assert login_from(limited, "alice", "10.1.1.1").status_code == 303
    assert limited.get("/whoami").text == "alice"


def test_a_trusted_browser_has_a_limit_of_its_own(limited: AuthClient) -> None:
    for _ in range(3):
        assert fail(limited, "alice", "10.1.1.1") == 200
    assert login_from(limited, "alice", "10.1.1.1").status_code == 429
    assert login_from(stranger(limited), "alice", "10.2.2.2").status_code == 303  # the device, not the account


def test_the_device_cookie_is_signed_and_bound_to_the_account(limited: AuthClient) -> None:
    cookie = limited.get_cookie("auth_device", path="/auth")
    assert cookie is not None and cookie.http_only and "alice" not in cookie.value
    attacker = stranger(limited)
    for n in range(5):
        fail(attacker, "alice", f"10.0.0.{n}")
    forged = stranger(limited)
    forged.set_cookie("auth_device", cookie.value[:-2] + "xx")
    assert login_from(forged, "alice", "10.3.3.3").status_code == 429
    # A valid device cookie of another account does not unlock alice.
    bob = stranger(limited)
    bob.register("bob")
    bob.logout()
    assert login_from(bob, "alice", "10.4.4.4").status_code == 429


def test_ipv6_addresses_count_by_their_64_network(limited: AuthClient) -> None:
    attacker = stranger(limited)
    for host in ("1", "2", "ffff:1"):
        assert fail(attacker, "alice", f"2001:db8:1:2::{host}") == 200
    assert login_from(attacker, "alice", "2001:db8:1:2:aaaa::1").status_code == 429
    assert login_from(stranger(limited), "alice", "2001:db8:1:3::1").status_code == 303


def test_address_limit_holds_across_accounts(limited: AuthClient) -> None:
    for name in ("bob", "carol", "dave", "erin"):
        assert fail(limited, name, "10.9.9.9") == 200
    blocked = login_from(stranger(limited), "alice", "10.9.9.9")
    assert blocked.status_code == 429
    assert "from this address" in blocked.text
    assert login_from(stranger(limited), "alice", "10.1.1.1").status_code == 303  # another address is fine


def test_limit_answers_json_clients_in_json(limited: AuthClient) -> None:
    attacker = stranger(limited)
    for _ in range(3):
        fail(attacker, "alice", "10.0.0.1")
    token = attacker.token()
    response = attacker.post(
        "/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"X-CSRFToken": token},
        environ_overrides={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 429
    assert response.json["error"].startswith("Too many failed logins")
    assert "Retry-After" in response.headers


def test_a_success_clears_the_accounts_counter(limited: AuthClient) -> None:
    assert fail(limited, "alice", "10.0.0.1") == 200
    assert fail(limited, "alice", "10.0.0.2") == 200
    assert login_from(limited, "alice", "10.0.0.3").status_code == 303
    limited.logout()
    assert fail(limited, "alice", "10.0.0.4") == 200
    assert fail(limited, "alice", "10.0.0.5") == 200
    assert login_from(limited, "alice", "10.0.0.6").status_code == 303


def test_attempts_expire_after_the_window(limited: AuthClient) -> None:
    app = limited.application
    attacker = stranger(limited)
    for _ in range(3):
        fail(attacker, "alice", "10.0.0.1")
    assert login_from(attacker, "alice", "10.0.0.1").status_code == 429
    with app.db.begin() as db:  # type: ignore[attr-defined]
        db.execute(sa.text("UPDATE auth_login_attempt SET attempted_at = attempted_at - 301"))
    assert login_from(attacker, "alice", "10.0.0.1").status_code == 303


def test_the_limit_is_shared_by_apps_on_one_database(auth_app: Callable[..., corolla.App]) -> None:
    # Two apps (as two gunicorn workers would be) over the same database file.
    first = AuthClient(auth_app({"max_attempts": 2}, views=add_views))
    second = AuthClient(auth_app({"max_attempts": 2}, views=add_views))
    first.register("alice")
    first.logout()
    attacker_one, attacker_two = AuthClient(first.application), AuthClient(second.application)
    fail(attacker_one, "alice", "10.0.0.1")
    fail(attacker_two, "alice", "10.0.0.1")
    assert login_from(attacker_two, "alice", "10.0.0.1").status_code == 429
    assert login_from(attacker_one, "alice", "10.0.0.1").status_code == 429


def test_max_attempts_zero_turns_the_limit_off_and_fails_the_deploy_check(
    auth_app: Callable[..., corolla.App],
) -> None:
    app = auth_app({"max_attempts": 0}, views=add_views)
    client = AuthClient(app)
    client.register("alice")
    client.logout()
    for _ in range(8):
        fail(client, "alice")
    assert login_from(client, "alice", "10.0.0.1").status_code == 303
    (check,) = [c for c in checks(app) if c.id == "auth.rate_limit"]
    assert not check.ok and "not rate-limited" in check.message


def checks(app: corolla.App) -> list[corolla.Check]:
    return [c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group]


def test_deploy_checks_pass_by_default(app: corolla.App) -> None:
    found = {c.id: c for c in checks(app)}
    assert found["auth.rate_limit"].ok
    assert found["orm.migrations"].ok, found["orm.migrations"].message


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(browser: AuthClient, target: str) -> None:
    browser.register("alice", next=target)
    assert browser.get("/whoami").text == "alice"
    browser.logout()
    response = browser.login("alice", next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_safe_next_is_followed_after_registering(browser: AuthClient) -> None:
    response = browser.register("alice", next="/private?tab=new")
    assert response.headers["Location"] == "/private?tab=new"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/login", {"username": "alice", "password": PASSWORD}),
        ("/auth/register", {"username": "bob", "password": PASSWORD, "confirm": PASSWORD}),
        ("/auth/logout", {}),
    ],
)
@pytest.mark.parametrize("token", [None, "forged"])
def test_every_form_needs_a_valid_csrf_token(
    browser: AuthClient, path: str, data: dict[str, str], token: str | None
) -> None:
    browser.register("alice")
    if token is not None:
        data = {**data, "csrf_token": token}
    response = browser.post(path, data=data)
    assert response.status_code == 400
    assert "CSRF" in response.text
    assert browser.get("/whoami").text == "alice"  # not logged out, not logged in as someone else


def test_the_app_overrides_the_auth_templates(auth_app: Callable[..., corolla.App], tmp_path: Path) -> None:
    root = tmp_path / "app"
    folder = root / "templates"
    (folder / "auth").mkdir(parents=True)
    (folder / "base.html").write_text(
        "<main class=app-layout>{% block content %}{% endblock %}</main><title>{% block title %}{% endblock %}</title>"
    )
    (folder / "auth" / "base.html").write_text('{% extends "base.html" %}')
    page = AuthClient(auth_app(views=add_views, root=root)).get("/auth/login").text
    assert page.startswith("<main class=app-layout>")
    assert "<h1>Log in</h1>" in page and "<title>Log in</title>" in page
    assert "system-ui" not in page  # the plugin's own layout is not used
    # One page alone, by its path.
    (folder / "auth" / "register.html").write_text("my own register page")
    assert AuthClient(auth_app(views=add_views, root=root)).get("/auth/register").text == "my own register page"


def test_without_forms_the_plugin_is_refused_naming_it(make_app: Callable[..., corolla.App]) -> None:
    with pytest.raises(corolla.PluginResolutionError) as info:
        make_app([p for p in PLUGINS if p != "forms"], {"core": {"secret_key": SECRET}}, isolated=False)
    (problem,) = [p for p in info.value.problems if p.plugin == "auth"]
    assert problem.kind == "missing"
    assert "forms" in problem.message and "forms" in problem.fix
    assert "auth" in str(info.value)


@pytest.mark.parametrize(("setting", "value"), [("window", 0), ("max_attempts", -1), ("home", "https://evil.example/")])
def test_bad_settings_stop_the_app_naming_the_plugin(
    make_app: Callable[..., corolla.App], setting: str, value: object
) -> None:
    with pytest.raises(corolla.ConfigError, match=rf"\[auth\] {setting} = .*: must be"):
        make_app(PLUGINS, {"core": {"secret_key": SECRET}, "auth": {setting: value}}, isolated=False)


def test_the_shipped_migration_creates_and_drops_the_tables(app: corolla.App) -> None:
    assert {"auth_user", "auth_login_attempt"} <= set(sa.inspect(app.db.engine).get_table_names())
    result = run_cli("db", "downgrade", "auth@base", app=app)
    assert result.exit_code == 0, result.output
    app.db.engine.dispose()
    assert not {"auth_user", "auth_login_attempt"} & set(sa.inspect(app.db.engine).get_table_names())


def test_the_migration_matches_the_models(app: corolla.App, tmp_path: Path) -> None:
    # Autogenerate against the migrated database finds nothing to do for the auth tables.
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from corolla_orm import Model

    # Model.metadata is shared by every app in the process: compare the auth tables only (a
    # ``notes`` table of the notes demo's tests refers to auth_user, but is not auth's to create).
    def auth_only(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return str(getattr(table, "name", "")).startswith("auth_")

    with app.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": auth_only})
        diff = compare_metadata(context, Model.metadata)
    assert diff == []


def test_listing_plugins_imports_neither_sqlalchemy_nor_wtforms(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from corolla.testing import run_cli; r = run_cli('plugins', 'list', cwd=sys.argv[1]);"
        "assert 'auth' in r.output, r.output;"
        "print(sorted(m for m in ('sqlalchemy', 'wtforms', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


# -- passwords: their hash method, a change ends the other sessions, registration throttled ---


def test_a_password_change_logs_out_every_other_session(auth_app: Callable[..., corolla.App]) -> None:
    from corolla_auth import update_session_auth_hash

    def views(app: corolla.App) -> None:
        add_views(app)

        @app.post("/password")
        def change(request: corolla.Request) -> str:
            user = request.user  # type: ignore[attr-defined]
            user.set_password(request.form["new"], "pbkdf2:sha256:1000")
            request.db.commit()  # type: ignore[attr-defined]
            update_session_auth_hash(request, user)  # this session stays logged in
            return "changed"

    app = auth_app(views=views)
    laptop, phone = AuthClient(app), AuthClient(app)
    laptop.register("alice")
    phone.login("alice")
    assert phone.get("/whoami").text == "alice"
    token = laptop.token("/auth/register")
    assert laptop.post("/password", data={"new": "another long password", "csrf_token": token}).text == "changed"
    assert laptop.get("/whoami").text == "alice"
    assert phone.get("/whoami").text == "anonymous"  # the stolen or forgotten session ends with the old password
    assert phone.login("alice", "another long password").status_code == 303


@pytest.mark.parametrize("method", ["pbkdf2:md5:1", "pbkdf2:sha1:600000", "plain", "scrypt:1024:8:1:x", "md5"])
def test_weak_or_unknown_hash_methods_stop_the_app(make_app: Callable[..., corolla.App], method: str) -> None:
    with pytest.raises(
        corolla.ConfigError, match=r"\[auth\] password_method = .*(not allowed|not a password hash|takes)"
    ):
        make_app(PLUGINS, {"core": {"secret_key": SECRET}, "auth": {"password_method": method}}, isolated=False)


def test_cheap_hash_settings_fail_the_deploy_check(auth_app: Callable[..., corolla.App]) -> None:
    cheap = {c.id: c for c in checks(auth_app(views=add_views))}["auth.password_method"]  # pbkdf2:sha256:1000
    assert not cheap.ok and "600000" in cheap.fix
    default = {c.id: c for c in checks(auth_app({"password_method": ""}, views=add_views))}["auth.password_method"]
    assert default.ok, default.message


def test_login_rehashes_a_password_stored_with_another_method(
    auth_app: Callable[..., corolla.App], tmp_path: Path
) -> None:
    from corolla_auth import User

    old = AuthClient(auth_app(views=add_views))
    old.register("alice")
    app = auth_app({"password_method": "pbkdf2:sha256:2000"}, views=add_views)
    assert AuthClient(app).login("alice").status_code == 303
    with app.db.session() as db:  # type: ignore[attr-defined]
        (user,) = db.scalars(sa.select(User)).all()
    assert user.password_hash.startswith("pbkdf2:sha256:2000$") and user.check_password(PASSWORD)


def register_from(client: AuthClient, username: str, address: str):  # type: ignore[no-untyped-def]
    data = {
        "username": username,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": client.token("/auth/register"),
    }
    return client.post("/auth/register", data=data, environ_overrides={"REMOTE_ADDR": address})


def test_registrations_are_throttled_per_address(auth_app: Callable[..., corolla.App]) -> None:
    app = auth_app({"max_registrations": 2}, views=add_views)
    for name in ("bot1", "bot2"):
        assert register_from(AuthClient(app), name, "10.5.5.5").status_code == 303
    blocked = register_from(AuthClient(app), "bot3", "10.5.5.5")
    assert blocked.status_code == 429 and "Too many registrations" in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0
    assert register_from(AuthClient(app), "human", "10.7.7.7").status_code == 303
