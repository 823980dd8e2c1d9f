"""request.session through the real app: reading, writing, saving only when needed, flags, Vary."""

from __future__ import annotations

from sessions_support import cookie_of, counter, peek
from werkzeug.test import Client

from corolla_sessions import Session, flash, get_flashed_messages


def untouched(request):
    return "no session here"


def test_counter_survives_requests(sessions_app):
    client = Client(sessions_app(views={"/count": counter}))
    assert client.get("/count").text == "n=1"
    assert client.get("/count").text == "n=2"
    assert client.get("/count").text == "n=3"


def test_session_is_a_mutable_mapping_with_flags(sessions_app):
    seen = {}

    def view(request):
        session = request.session
        seen["type"] = type(session)
        seen["new"], seen["modified"], seen["permanent"] = session.new, session.modified, session.permanent
        session["a"] = 1
        seen["modified_after"] = session.modified
        return "ok"

    Client(sessions_app(views={"/": view})).get("/")
    assert seen == {"type": Session, "new": True, "modified": False, "permanent": False, "modified_after": True}


def test_loaded_session_is_not_new(sessions_app):
    flags = []

    def view(request):
        flags.append(request.session.new)
        request.session["x"] = 1
        return "ok"

    client = Client(sessions_app(views={"/": view}))
    client.get("/")
    client.get("/")
    assert flags == [True, False]


def test_unmodified_session_is_not_saved_again(sessions_app):
    client = Client(sessions_app(views={"/count": counter, "/peek": peek}))
    client.get("/count")
    response = client.get("/peek")
    assert response.text == "n=1"
    assert cookie_of(response) is None
    assert response.headers["Vary"] == "Cookie"


def test_new_empty_session_sets_no_cookie(sessions_app):
    response = Client(sessions_app(views={"/peek": peek})).get("/peek")
    assert response.text == "n=None"
    assert cookie_of(response) is None
    assert response.headers["Vary"] == "Cookie"


def test_untouched_request_has_no_vary_and_no_cookie(sessions_app):
    client = Client(sessions_app(views={"/count": counter, "/plain": untouched}))
    client.get("/count")
    response = client.get("/plain")
    assert "Vary" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_vary_is_merged_with_the_views_own(sessions_app):
    def view(request):
        request.session["a"] = 1
        return "ok", {"Vary": "Accept-Encoding"}

    response = Client(sessions_app(views={"/": view})).get("/")
    assert set(v.strip() for v in response.headers["Vary"].split(",")) == {"Accept-Encoding", "Cookie"}


def test_default_cookie_flags(sessions_app):
    header = cookie_of(Client(sessions_app(views={"/count": counter})).get("/count"))
    assert header is not None
    parts = [p.strip() for p in header.split(";")]
    assert "HttpOnly" in parts
    assert "SameSite=Lax" in parts
    assert "Path=/" in parts
    assert "Secure" not in parts
    assert not any(p.startswith(("Expires=", "Max-Age=", "Domain=")) for p in parts)


def test_secure_on_https_requests(sessions_app):
    client = Client(sessions_app(views={"/count": counter}))
    header = cookie_of(client.get("/count", base_url="https://localhost/"))
    assert "; Secure" in header


def test_configured_cookie_flags(sessions_app):
    app = sessions_app(
        views={"/count": counter},
        sessions={
            "cookie_name": "sid",
            "cookie_secure": True,
            "cookie_samesite": "Strict",
            "cookie_path": "/app",
            "cookie_domain": "example.org",
            "cookie_httponly": False,
        },
    )
    response = Client(app).get("/count")
    header = cookie_of(response, "sid")
    parts = [p.strip() for p in header.split(";")]
    assert {"Secure", "SameSite=Strict", "Path=/app", "Domain=example.org"} <= set(parts)
    assert "HttpOnly" not in parts


def test_permanent_session_cookie_has_max_age(sessions_app):
    def login(request):
        request.session["user"] = "ada"
        request.session.permanent = True
        return "ok"

    client = Client(sessions_app(views={"/login": login, "/peek": peek}, sessions={"max_age": 3600}))
    header = cookie_of(client.get("/login"))
    assert "Max-Age=3600" in header and "Expires=" in header
    # refresh_each_request (default on) extends a permanent session on every request that reads it
    refreshed = cookie_of(client.get("/peek"))
    assert refreshed is not None and "Max-Age=3600" in refreshed


def test_permanent_without_refresh_is_saved_only_when_modified(sessions_app):
    app = sessions_app(
        views={"/count": counter, "/peek": peek}, sessions={"permanent": True, "refresh_each_request": False}
    )
    client = Client(app)
    assert "Max-Age=" in cookie_of(client.get("/count"))
    assert cookie_of(client.get("/peek")) is None


def test_permanent_flag_is_kept_but_not_in_the_mapping(sessions_app):
    keys = []

    def login(request):
        request.session["user"] = "ada"
        request.session.permanent = True
        return "ok"

    def check(request):
        keys.append((sorted(request.session), request.session.permanent))
        return "ok"

    client = Client(sessions_app(views={"/login": login, "/check": check}))
    client.get("/login")
    client.get("/check")
    assert keys == [(["user"], True)]


def test_clear_expires_the_cookie(sessions_app):
    def logout(request):
        request.session.clear()
        return "bye"

    client = Client(sessions_app(views={"/count": counter, "/logout": logout, "/peek": peek}))
    client.get("/count")
    header = cookie_of(client.get("/logout"))
    assert header.startswith("session=;") and "Max-Age=0" in header
    assert client.get("/peek").text == "n=None"


def test_view_exception_discards_changes(sessions_app):
    def boom(request):
        request.session["n"] = 100
        raise RuntimeError("boom")

    client = Client(sessions_app(views={"/count": counter, "/boom": boom, "/peek": peek}))
    client.get("/count")
    response = client.get("/boom")
    assert response.status_code == 500
    assert cookie_of(response) is None
    assert client.get("/peek").text == "n=1"


def test_session_methods_mark_modified():
    session = Session({"a": 1, "b": [1]}, new=False)
    assert not session.modified
    session.get("a")
    session.pop("missing", None)
    session.setdefault("a", 5)
    assert not session.modified
    for change in (
        lambda s: s.__setitem__("c", 1),
        lambda s: s.__delitem__("a"),
        lambda s: s.pop("a"),
        lambda s: s.popitem(),
        lambda s: s.setdefault("z", 1),
        lambda s: s.update(x=1),
        lambda s: s.clear(),
        lambda s: s.__ior__({"y": 2}),
    ):
        fresh = Session({"a": 1, "b": [1]}, new=False)
        change(fresh)
        assert fresh.modified
    assert Session({"a": 1}).copy() == {"a": 1} and type(Session({"a": 1}).copy()) is dict


def test_flash_messages_show_once(sessions_app):
    def post(request):
        flash(request, "saved")
        flash(request, "careful", "warning")
        return "ok"

    def show(request):
        first = get_flashed_messages(request, with_categories=True)
        again = get_flashed_messages(request)
        warnings = get_flashed_messages(request, category_filter=["warning"])
        return {"first": first, "again": again, "warnings": warnings}

    client = Client(sessions_app(views={"/post": post, "/show": show}))
    client.get("/post")
    assert client.get("/show").json == {
        "first": [["message", "saved"], ["warning", "careful"]],
        "again": ["saved", "careful"],
        "warnings": ["careful"],
    }
    assert client.get("/show").json == {"first": [], "again": [], "warnings": []}


def test_flash_alone_keeps_other_data(sessions_app):
    def show(request):
        return {"messages": get_flashed_messages(request)}

    def post(request):
        flash(request, "hi")
        return "ok"

    client = Client(sessions_app(views={"/count": counter, "/post": post, "/show": show, "/peek": peek}))
    client.get("/count")
    client.get("/post")
    assert client.get("/show").json == {"messages": ["hi"]}
    assert client.get("/peek").text == "n=1"
