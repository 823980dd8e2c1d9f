"""With the templates plugin: ``csrf_token()`` in every template, forms rendered and re-rendered with errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from forms_support import SECRET
from werkzeug.test import Client
from wtforms import StringField, validators

import corolla
from corolla_forms import Form

SIGNUP = """\
<form method="post">{{ form.hidden_tag() }}
{{ form.name(class_="field") }}
{% for error in form.name.errors %}<p class="error">{{ error }}</p>{% endfor %}
</form>
"""
RAW = """<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>"""
PLAIN = """<p>no form here</p>"""


class Signup(Form):
    name = StringField("Name", [validators.DataRequired(), validators.Length(min=3)])


@pytest.fixture
def app(make_app: Any, tmp_path: Path) -> corolla.App:
    (tmp_path / "templates").mkdir()
    for name, text in (("signup.html", SIGNUP), ("raw.html", RAW), ("plain.html", PLAIN)):
        (tmp_path / "templates" / name).write_text(text)
    app = make_app(
        ["sessions", "forms", "routing", "templates"],
        {"core": {"secret_key": SECRET}},
        isolated=False,
        root=tmp_path,
    )

    @app.route("/signup", methods=["GET", "POST"])  # type: ignore[attr-defined]
    def signup(request: corolla.Request) -> Any:
        form = Signup(request)
        if form.validate_on_submit():
            return f"welcome {form.name.data}"
        return request.render("signup.html", form=form)  # type: ignore[attr-defined]

    @app.get("/raw")  # type: ignore[attr-defined]
    def raw(request: corolla.Request) -> Any:
        return request.render("raw.html")  # type: ignore[attr-defined]

    @app.get("/plain")  # type: ignore[attr-defined]
    def plain(request: corolla.Request) -> Any:
        return request.render("plain.html")  # type: ignore[attr-defined]

    return app


def token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_form_page_round_trip_and_errors(client: Client) -> None:
    page = client.get("/signup").text
    assert 'class="field"' in page
    token = token_in(page)
    again = client.post("/signup", data={"name": "Al", "csrf_token": token})
    assert again.status_code == 200
    assert '<p class="error">Field must be at least 3 characters long.</p>' in again.text
    assert 'value="Al"' in again.text  # what the user typed comes back
    done = client.post("/signup", data={"name": "Ada", "csrf_token": token_in(again.text)})
    assert done.text == "welcome Ada"


def test_csrf_token_global_in_templates(client: Client) -> None:
    token = token_in(client.get("/raw").text)
    assert client.post("/signup", data={"name": "Ada", "csrf_token": token}).text == "welcome Ada"


def test_a_template_without_csrf_token_leaves_the_session_alone(client: Client) -> None:
    response = client.get("/plain")
    assert response.text == "<p>no form here</p>"
    assert "Set-Cookie" not in response.headers
