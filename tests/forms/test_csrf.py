"""CSRF protection through the real app and the real sessions plugin (cookie backend)."""

from __future__ import annotations

import logging
import time
from typing import Any

import itsdangerous.timed
import pytest
from forms_support import SECRET, get_token, token_page
from werkzeug.test import Client
from wtforms import StringField, validators

import corolla
from corolla_forms import Form, csrf_exempt, csrf_token


class Comment(Form):
    text = StringField("Text", [validators.DataRequired()])


SAVED: list[str] = []


def comment_view(request: corolla.Request) -> Any:
    form = Comment(request)
    if form.validate_on_submit():
        SAVED.append(form.text.data)
        return {"saved": form.text.data}
    return form.error_response()


@csrf_exempt
def webhook_view(request: corolla.Request) -> Any:
    form = Comment(request)
    return {"ok": form.validate(), "text": form.text.data}


def plain_post(request: corolla.Request) -> str:
    SAVED.append("plain")
    return "done"


ROUTES = {"/token": token_page, "/comment": comment_view, "/hook": webhook_view, "/plain": plain_post}


@pytest.fixture(autouse=True)
def _clear_saved() -> None:
    SAVED.clear()


@pytest.fixture
def app(forms_app: Any) -> corolla.App:
    return forms_app(ROUTES)


def test_token_from_the_session_passes(client: Client) -> None:
    token = get_token(client)
    response = client.post("/comment", data={"text": "hi", "csrf_token": token})
    assert response.status_code == 200, response.text
    assert SAVED == ["hi"]


def test_tokens_are_masked_per_request_and_all_valid(client: Client) -> None:
    first, second = get_token(client), get_token(client)
    assert first != second
    for token in (first, second):
        assert client.post("/comment", data={"text": "x", "csrf_token": token}).status_code == 200


def test_one_token_per_request(forms_app: Any) -> None:
    client = Client(forms_app({"/twice": lambda request: {"same": csrf_token(request) == csrf_token(request)}}))
    assert client.get("/twice").json == {"same": True}


def test_the_secret_lives_in_a_cookie_until_the_session_holds_something(forms_app: Any) -> None:
    def secret(request: corolla.Request) -> Any:
        csrf_token(request)
        return {"secret": request.session.get("_csrf_secret")}

    def cart(request: corolla.Request) -> str:
        request.session["cart"] = ["tea"]
        return "added"

    client = Client(forms_app({"/secret": secret, "/cart": cart}))
    response = client.get("/secret")
    # An empty session is not stored for a secret: the secret has a cookie of its own.
    assert response.json["secret"] is None and client.get_cookie("session") is None
    cookie = client.get_cookie("csrf_secret")
    assert cookie is not None and len(cookie.value) == 32 and cookie.http_only
    assert client.get("/secret").json["secret"] is None  # kept in the cookie, not renewed
    assert client.get_cookie("csrf_secret").value == cookie.value
    # Once the session holds something it is stored anyway: the secret moves into it.
    client.get("/cart")
    assert client.get("/secret").json["secret"] == cookie.value
    assert client.get_cookie("csrf_secret") is None
    assert client.get("/secret").json["secret"] == cookie.value


def test_rotate_token_refuses_older_tokens(forms_app: Any) -> None:
    from corolla_forms import rotate_token

    def rotate(request: corolla.Request) -> str:
        rotate_token(request)
        return csrf_token(request)

    client = Client(forms_app({**ROUTES, "/rotate": rotate}))
    old = get_token(client)
    new = client.get("/rotate").text
    assert failure(client.post("/comment", json={"text": "x"}, headers={"X-CSRFToken": old}))[0] == 400
    assert client.post("/comment", json={"text": "x"}, headers={"X-CSRFToken": new}).status_code == 200


def failure(response: Any) -> tuple[int, str]:
    return response.status_code, response.json["reason"]


def test_missing_token_is_400_and_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    get_token(client)
    with caplog.at_level(logging.WARNING, logger="corolla.forms"):
        response = client.post("/comment", data={"text": "hi"}, headers={"Accept": "application/json"})
    assert failure(response) == (400, "missing")
    assert "The CSRF token is missing" in response.json["message"]
    assert SAVED == []
    assert "CSRF check failed on 'POST /comment': missing" in caplog.text


def test_failure_page_for_browsers_is_readable_html(client: Client) -> None:
    get_token(client)
    response = client.post("/comment", data={"text": "hi", "csrf_token": "nonsense"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The CSRF token is invalid. Reload the page and submit the form again." in response.text


def test_invalid_and_tampered_tokens(client: Client) -> None:
    token = get_token(client)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in ("nonsense", tampered, token[: token.rindex(".")]):
        response = client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": bad})
        assert failure(response) == (400, "invalid")
    assert SAVED == []


def test_expired_token(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    class TwoHoursAgo:
        @staticmethod
        def time() -> float:
            return time.time() - 7200

    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.timed, "time", TwoHoursAgo)
        old = get_token(client)
    response = client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": old})
    assert failure(response) == (400, "expired")
    assert "expired (3600 seconds)" in response.json["message"]
    assert client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": get_token(client)}).status_code == 200


def test_no_time_limit(forms_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(forms_app(ROUTES, {"forms": {"csrf_time_limit": 0}}))

    class TenDaysAgo:  # older than any limit, younger than the session (31 days)
        @staticmethod
        def time() -> float:
            return time.time() - 10 * 86400

    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.timed, "time", TenDaysAgo)
        old = get_token(client)
    assert client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": old}).status_code == 200


def test_token_of_another_session(app: corolla.App) -> None:
    alice, mallory = Client(app), Client(app)
    alices_token = get_token(alice)
    get_token(mallory)  # mallory has a session (and a secret) of her own
    response = mallory.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": alices_token})
    assert failure(response) == (400, "wrong-session")
    assert "belongs to another session" in response.json["message"]
    assert alice.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": alices_token}).status_code == 200
    assert SAVED == ["hi"]


def test_token_without_a_session(app: corolla.App) -> None:
    token = get_token(Client(app))
    response = Client(app).post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token})
    assert failure(response) == (400, "no-session")
    assert "session this form belongs to has expired" in response.json["message"]


def test_session_cleared_in_between(forms_app: Any) -> None:
    def logout(request: corolla.Request) -> str:
        request.session.clear()
        return "bye"

    def cart(request: corolla.Request) -> str:
        request.session["cart"] = ["tea"]
        return "added"

    client = Client(forms_app({**ROUTES, "/logout": logout, "/cart": cart}))
    client.get("/cart")  # a session holding something: the CSRF secret lives in it
    token = get_token(client)
    client.get("/logout")
    response = client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token})
    assert failure(response) == (400, "no-session")


@pytest.mark.parametrize("header", ["X-CSRFToken", "X-CSRF-Token"])
def test_json_client_with_the_header(client: Client, header: str) -> None:
    response = client.post("/comment", json={"text": "from js"}, headers={header: get_token(client)})
    assert response.status_code == 200, response.text
    assert response.json == {"saved": "from js"}


def test_json_client_with_the_token_in_the_body(client: Client) -> None:
    response = client.post("/comment", json={"text": "hi", "csrf_token": get_token(client)})
    assert response.status_code == 200, response.text


def test_csrf_is_checked_before_the_fields(client: Client) -> None:
    get_token(client)
    response = client.post("/comment", json={"text": 42})
    assert failure(response) == (400, "missing")  # not a 422: nothing of the body is looked at


def test_get_is_never_checked(forms_app: Any) -> None:
    def search(request: corolla.Request) -> Any:
        form = Comment(request)
        return {"ok": form.validate()}

    client = Client(forms_app({"/search": search}))
    assert client.get("/search?text=x").json == {"ok": True}


def test_exempt_view(client: Client) -> None:
    response = client.post("/hook", json={"text": "ping"})
    assert response.json == {"ok": True, "text": "ping"}


def test_exempt_form_class(forms_app: Any) -> None:
    class Api(Form):
        class Meta:
            csrf = False

        text = StringField("Text")

    def api(request: corolla.Request) -> Any:
        return {"ok": Api(request).validate()}

    # A form without a CSRF field does not exempt its view: every unsafe request is checked first.
    client = Client(forms_app({"/api": api, "/exempt": csrf_exempt(api)}))
    assert failure(client.post("/api", json={"text": "x"})) == (400, "missing")
    assert client.post("/exempt", json={"text": "x"}).json == {"ok": True}


def test_csrf_disabled(forms_app: Any) -> None:
    client = Client(forms_app(ROUTES, {"forms": {"csrf_enabled": False}}))
    assert client.post("/comment", json={"text": "hi"}).status_code == 200


def test_custom_field_name(forms_app: Any) -> None:
    def page(request: corolla.Request) -> str:
        return str(Comment(request).hidden_tag())

    client = Client(forms_app({**ROUTES, "/page": page}, {"forms": {"csrf_field_name": "_token"}}))
    html = client.get("/page").text
    assert 'name="_token"' in html
    token = html.split('value="')[1].split('"')[0]
    assert client.post("/comment", data={"text": "hi", "_token": token}).status_code == 200
    assert client.post("/comment", json={"text": "hi", "_token": token}).status_code == 200


def test_secret_key_rotation(forms_app: Any) -> None:
    old = forms_app(ROUTES)
    client = Client(old)
    token = get_token(client)
    rotated = forms_app(ROUTES, {"core": {"secret_key": "n" * 40, "secret_key_fallbacks": [SECRET]}})
    client.application = rotated
    assert client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token}).status_code == 200
    forgotten = forms_app(ROUTES, {"core": {"secret_key": "n" * 40}})
    client.application = forgotten
    response = client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_template_context_gives_a_callable(forms_app: Any) -> None:
    def page(request: corolla.Request) -> str:
        context = request.app.plugins["forms"].corolla_template_context(request=request)
        return context["csrf_token"]()

    client = Client(forms_app({**ROUTES, "/page": page}))
    token = client.get("/page").text
    assert client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token}).status_code == 200


def test_template_context_outside_a_request(forms_app: Any) -> None:
    app = forms_app(ROUTES)
    assert app.plugins["forms"].corolla_template_context(request=None) is None


def test_reading_a_form_does_not_touch_the_session(client: Client) -> None:
    response = client.post("/hook", json={"text": "ping"})
    assert "Set-Cookie" not in response.headers


def test_any_sessions_provider(forms_app: Any) -> None:
    client = Client(forms_app(ROUTES, sessions="memsessions"))
    token = get_token(client)
    assert client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token}).status_code == 200
    other = Client(client.application)
    get_token(other)
    response = other.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": token})
    assert failure(response) == (400, "wrong-session")


# -- https: Origin and Referer ------------------------------------------------------


def https_post(client: Client, token: str, **headers: str) -> Any:
    return client.post(
        "/comment",
        json={"text": "hi"},
        base_url="https://shop.example",
        headers={"X-CSRFToken": token, **headers},
    )


@pytest.fixture
def https_client(app: corolla.App) -> tuple[Client, str]:
    client = Client(app)
    response = client.get("/token", base_url="https://shop.example")
    return client, response.text


def test_https_same_origin(https_client: tuple[Client, str]) -> None:
    client, token = https_client
    assert https_post(client, token, Origin="https://shop.example").status_code == 200
    assert https_post(client, token, Referer="https://shop.example/cart?x=1").status_code == 200


@pytest.mark.parametrize(
    ("headers", "found"),
    [
        ({}, "neither an Origin nor a Referer"),
        ({"Origin": "https://evil.example"}, "The Origin header (https://evil.example) is not this site"),
        ({"Referer": "https://evil.example/page"}, "The Referer header (https://evil.example) is not this site"),
        ({"Referer": "http://shop.example/page"}, "The Referer header (http://shop.example) is not this site"),
    ],
)
def test_https_cross_origin_is_refused(https_client: tuple[Client, str], headers: dict[str, str], found: str) -> None:
    client, token = https_client
    response = https_post(client, token, **headers)
    assert failure(response) == (400, "origin")
    assert found in response.json["message"]


def test_https_trusted_origin_and_strict_off(forms_app: Any) -> None:
    for config in ({"csrf_trusted_origins": ["https://admin.example"]}, {"csrf_ssl_strict": False}):
        client = Client(forms_app(ROUTES, {"forms": config}))
        token = client.get("/token", base_url="https://shop.example").text
        assert https_post(client, token, Origin="https://admin.example").status_code == 200


def test_plain_http_needs_no_referer(client: Client) -> None:
    response = client.post("/comment", json={"text": "hi"}, headers={"X-CSRFToken": get_token(client)})
    assert response.status_code == 200


# -- csrf_everywhere ------------------------------------------------------------------


def test_every_unsafe_method_is_checked_by_default(forms_app: Any) -> None:
    # A view that builds no Form is protected too, unless it says @csrf_exempt (Django's model).
    client = Client(forms_app(ROUTES))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.open("/plain", method=method, headers={"Accept": "application/json"})
        assert failure(response) == (400, "missing"), method
    assert SAVED == []
    assert client.post("/plain", headers={"X-CSRFToken": get_token(client)}).text == "done"
    assert client.post("/hook", json={"text": "ping"}).json == {"ok": True, "text": "ping"}  # @csrf_exempt


def test_turning_csrf_everywhere_off_fails_its_deploy_check(forms_app: Any) -> None:
    app = forms_app(ROUTES, {"forms": {"csrf_everywhere": False}})
    assert Client(app).post("/plain").text == "done"  # the documented opt-out: only forms check
    checks = {c.id: c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group}
    check = checks["forms.csrf_everywhere"]
    assert not check.ok and "csrf_everywhere = true" in check.fix


@pytest.fixture
def everywhere(forms_app: Any) -> Client:
    return Client(forms_app(ROUTES, {"forms": {"csrf_everywhere": True, "csrf_exempt_paths": ["/public/*"]}}))


def test_everywhere_checks_views_without_forms(everywhere: Client) -> None:
    response = everywhere.post("/plain", data={"x": "1"}, headers={"Accept": "application/json"})
    assert failure(response) == (400, "missing")
    assert SAVED == []
    token = get_token(everywhere)
    assert everywhere.post("/plain", data={"csrf_token": token}).text == "done"
    assert everywhere.post("/plain", headers={"X-CSRFToken": token}).text == "done"
    assert everywhere.open("/plain", method="DELETE", headers={"X-CSRFToken": token}).text == "done"
    assert SAVED == ["plain", "plain", "plain"]


def test_everywhere_lets_safe_methods_through(everywhere: Client) -> None:
    assert everywhere.get("/plain").text == "done"
    assert everywhere.open("/plain", method="OPTIONS").text == "done"


def test_everywhere_with_a_form_checks_once(everywhere: Client) -> None:
    token = get_token(everywhere)
    assert everywhere.post("/comment", data={"text": "hi", "csrf_token": token}).status_code == 200


def test_everywhere_honours_exempt_views_and_paths(everywhere: Client) -> None:
    everywhere.application.test_routes["/public/ping"] = plain_post  # type: ignore[attr-defined]
    assert everywhere.post("/hook", json={"text": "ping"}).json == {"ok": True, "text": "ping"}
    assert everywhere.post("/public/ping").text == "done"


def test_everywhere_with_a_dispatcher_that_does_not_name_views(forms_app: Any, corolla_plugins: Any) -> None:
    corolla_plugins.add(
        "blind",
        body="""
            @hookimpl
            def corolla_dispatch(self, request):
                return getattr(self.app, "test_routes", {})[request.path](request)
        """,
    )
    from forms_support import SECRET as key

    app = forms_app({}, {"forms": {"csrf_everywhere": True}})
    blind = corolla.App(
        {"core": {"secret_key": key}, "forms": {"csrf_everywhere": True}},
        ["sessions", "forms", "blind"],
        root=app.root,
        environ={},
    )
    try:
        blind.test_routes = {"/hook": webhook_view}  # type: ignore[attr-defined]
        # Without request.url_rule the decorator cannot be seen before the view runs: checked.
        assert Client(blind).post("/hook", json={"text": "x"}).status_code == 400
    finally:
        blind.close()


def test_everywhere_with_deeply_nested_json_is_400(everywhere: Client) -> None:
    response = everywhere.post("/plain", data="[" * 50000, content_type="application/json")
    assert response.status_code == 400, response.text
    assert response.json["error"] == "invalid-json"
    assert SAVED == []


# -- a form bound on an unsafe method checks the token, validate() or not -------------


def reads_without_validating(request: corolla.Request) -> Any:
    form = Comment(request)  # never validate()d: binding it is the CSRF check
    SAVED.append(str(form.data["text"]))
    return {"saved": form.text.data}


def test_binding_a_form_checks_the_token(forms_app: Any) -> None:
    client = Client(forms_app({**ROUTES, "/unvalidated": reads_without_validating}))
    response = client.post("/unvalidated", data={"text": "hi"}, headers={"Accept": "application/json"})
    assert failure(response) == (400, "missing")
    response = client.post(
        "/unvalidated", data={"text": "hi", "csrf_token": "forged"}, headers={"Accept": "application/json"}
    )
    assert failure(response) == (400, "invalid")
    assert SAVED == []
    token = get_token(client)
    assert client.post("/unvalidated", data={"text": "hi", "csrf_token": token}).json == {"saved": "hi"}
    assert client.post("/unvalidated", json={"text": "yo"}, headers={"X-CSRFToken": token}).json == {"saved": "yo"}
    assert client.get("/unvalidated?text=q").json == {"saved": "q"}  # safe methods are never checked
    assert SAVED == ["hi", "yo", "q"]
