"""Tests through a real app, with the fixtures of ``corolla.testing`` (installed with corolla)."""

from werkzeug.test import Client


def test_answers_its_path(make_app):
    # isolated=False: discover the installed distribution; ["auth"]: load only this plugin.
    app = make_app(["auth"], isolated=False)
    response = Client(app).get("/auth")
    assert response.status_code == 200
    assert response.text == "Hello from auth"


def test_other_paths_are_left_alone(make_app):
    app = make_app(["auth"], isolated=False)
    assert Client(app).get("/elsewhere").status_code == 404


def test_greeting_is_configurable(make_app):
    app = make_app(["auth"], isolated=False, config={"auth": {"greeting": "Hi"}})
    assert Client(app).get("/auth").text == "Hi"
