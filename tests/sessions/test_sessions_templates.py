"""With the real templates plugin: ``session`` and ``get_flashed_messages`` in every template context."""

from __future__ import annotations

from werkzeug.test import Client

from corolla_sessions import flash

LAYOUT = (
    "{% for category, message in get_flashed_messages(with_categories=true) %}"
    "[{{ category }}: {{ message }}]{% endfor %}"
    "{% if session.user %} user={{ session.user }}{% endif %} n={{ session.get('n', 0) }}"
)


def login(request):
    request.session["user"] = "ada"
    flash(request, "welcome", "info")
    return "ok"


def page(request):
    return request.render("page.html")


def static_page(request):
    response = request.render("static.html")
    response.headers["X-Session-Loaded"] = str(request.touched("session"))
    return response


def test_templates_see_the_session_and_flashes(sessions_app, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(LAYOUT)
    (tmp_path / "templates" / "static.html").write_text("no session here")
    app = sessions_app(
        views={"/login": login, "/page": page, "/static": static_page}, plugins=["templates"], root=tmp_path
    )
    client = Client(app)
    client.get("/login")
    assert client.get("/page").text == "[info: welcome] user=ada n=0"
    assert client.get("/page").text == " user=ada n=0"  # shown once
    response = client.get("/static")
    assert response.text == "no session here"
    assert response.headers["X-Session-Loaded"] == "False"  # the context did not load the session
    assert "Vary" not in response.headers and "Set-Cookie" not in response.headers


def test_rendering_outside_a_request_gets_no_session(sessions_app, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "mail.html").write_text("{{ session is defined }}")
    app = sessions_app(plugins=["templates"], root=tmp_path)
    assert app.plugins["templates"].render("mail.html", {}) == "False"
