"""The forms plugin per request, beside Flask + Flask-WTF, in one run.

    .venv/bin/python bench/bench_forms.py          # full run (about a minute)
    .venv/bin/python bench/bench_forms.py --quick  # a smoke run; rough figures

One request: a POST of a 10-field urlencoded form (every field
``DataRequired`` + ``Length``) with its CSRF token, validated, answering
``ok``. Both sides load the session from a signed cookie (Corolla: the
sessions plugin's cookie backend; Flask: its default session), check the
token against the session's secret with its signature and time limit, and
route with their own router (Corolla: the routing plugin). The same form
without CSRF is timed too, on both sides, so the price of the check itself is
visible. Cases run in the same interleaved rounds (bench/harness.py).

Every case gets the very same request: one body holding both sides' tokens
and one Cookie header holding both sessions (Corolla's cookie and token field
are renamed so each side finds its own and ignores the other's). Each call
gets a fresh copy of the environ with a fresh body stream (a body can be read
once): ``PostEnviron.copy``, the same for every case.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import harness

WSGIApp = Callable[..., Iterable[bytes]]
OK = b"ok"
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
FIELDS = [f"field{i}" for i in range(10)]
DATA = {name: f"value of {name}" for name in FIELDS}
# Corolla's cookie and token field are renamed so that one request carries
# both sides' session and token (each ignores the other's): every case then
# parses exactly the same bytes.
COROLLA_COOKIE = "csession"
COROLLA_FIELD = "ctoken"


class PostEnviron(dict):  # type: ignore[type-arg]
    """A prebuilt POST environ whose ``copy()`` carries a fresh ``wsgi.input`` each time."""

    def __init__(self, environ: dict[str, Any], body: bytes) -> None:
        super().__init__(environ)
        self.body = body

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        environ = dict(self)
        environ["wsgi.input"] = io.BytesIO(self.body)
        return environ


def form_fields() -> dict[str, Any]:
    from wtforms import StringField, validators

    return {name: StringField(name, [validators.DataRequired(), validators.Length(max=100)]) for name in FIELDS}


def token_and_cookie(app: WSGIApp, cookie_name: str) -> tuple[str, str]:
    """GET /token: a CSRF token and the session cookie holding its secret."""
    from werkzeug.test import Client

    client = Client(app)
    response = client.get("/token")
    cookie = client.get_cookie(cookie_name)
    if response.status_code != 200 or cookie is None:
        raise RuntimeError(f"/token: {response.status}, cookie {cookie_name!r}: {cookie}")
    return response.text, f"{cookie_name}={cookie.value}"


def post_environ(flask_app: WSGIApp, corolla_app: WSGIApp) -> PostEnviron:
    """One POST both sides accept: each finds its own session cookie and token field, and ignores the other's."""
    from werkzeug.test import EnvironBuilder

    flask_token, flask_cookie = token_and_cookie(flask_app, "session")
    corolla_token, corolla_cookie = token_and_cookie(corolla_app, COROLLA_COOKIE)
    builder = EnvironBuilder(
        path="/submit",
        method="POST",
        data={**DATA, "csrf_token": flask_token, COROLLA_FIELD: corolla_token},
        headers=[("User-Agent", "corolla-bench/1.0"), ("Cookie", f"{flask_cookie}; {corolla_cookie}")],
    )
    environ = builder.get_environ()
    body = environ["wsgi.input"].read()
    builder.close()
    return PostEnviron(environ, body)


def flask_wtf(csrf: bool) -> WSGIApp:
    from flask import Flask
    from flask_wtf import FlaskForm
    from flask_wtf.csrf import generate_csrf

    class Meta:
        pass

    namespace: dict[str, Any] = dict(form_fields())
    if not csrf:
        Meta.csrf = False  # type: ignore[attr-defined]
        namespace["Meta"] = Meta
    form_class = type("TenFields", (FlaskForm,), namespace)
    app = Flask("bench_forms_flask")
    app.config["SECRET_KEY"] = SECRET

    @app.get("/token")
    def token() -> str:
        return generate_csrf()

    @app.post("/submit")
    def submit() -> tuple[str, int]:
        form = form_class()
        return ("ok", 200) if form.validate_on_submit() else (str(form.errors), 400)

    return app  # type: ignore[return-value]


def corolla(folder: Path, csrf: bool) -> Any:
    from corolla import App
    from corolla_forms import Form, csrf_token

    namespace: dict[str, Any] = dict(form_fields())
    if not csrf:
        namespace["Meta"] = type("Meta", (), {"csrf": False})
    form_class = type("TenFields", (Form,), namespace)
    config = {
        "core": {"secret_key": SECRET},
        "sessions": {"cookie_name": COROLLA_COOKIE},
        "forms": {"csrf_field_name": COROLLA_FIELD},
    }
    app = App(config, ["sessions", "routing", "forms"], root=folder, environ={})

    @app.get("/token")  # type: ignore[attr-defined]
    def token(request: Any) -> str:
        return csrf_token(request)

    @app.post("/submit")  # type: ignore[attr-defined]
    def submit(request: Any) -> Any:
        form = form_class(request)
        return "ok" if form.validate_on_submit() else (str(form.errors), 400)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds; rough figures")
    args = parser.parse_args(argv)
    repeats, seconds = (5, 0.005) if args.quick else (31, 0.03)
    with tempfile.TemporaryDirectory(prefix="corolla-bench-forms-") as tmp:
        apps = {
            "Flask + Flask-WTF": flask_wtf(csrf=True),
            "Corolla + forms": corolla(Path(tmp), csrf=True),
            "Flask + Flask-WTF, no CSRF": flask_wtf(csrf=False),
            "Corolla + forms, no CSRF": corolla(Path(tmp), csrf=False),
        }
        environ = post_environ(apps["Flask + Flask-WTF"], apps["Corolla + forms"])
        us = harness.time_apps(apps, environ, dict.fromkeys(apps, OK), repeats=repeats, seconds_per_repeat=seconds)
        harness.close_apps(apps.values())
    print(f"POST of a 10-field form, validated; in-process, median of {repeats} repeats (µs per request):")
    for pair in (("Flask + Flask-WTF", "Corolla + forms"), ("Flask + Flask-WTF, no CSRF", "Corolla + forms, no CSRF")):
        flask, ours = us[pair[0]], us[pair[1]]
        print(f"  {pair[0]:<34} {flask:8.1f} µs")
        print(f"  {pair[1]:<34} {ours:8.1f} µs   {ours / flask:5.2f}x Flask-WTF")
    for side in ("Flask + Flask-WTF", "Corolla + forms"):
        print(f"  CSRF check costs {side:<22} {us[side] - us[side + ', no CSRF']:6.1f} µs")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
