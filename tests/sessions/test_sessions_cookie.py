"""The cookie backend: bad input, key rotation, expiry, size, regenerate."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
import zlib

import pytest
from itsdangerous import TimestampSigner
from sessions_support import OLD_SECRET, SECRET, clock_of, cookie_of, cookie_value
from werkzeug.test import Client

from corolla_sessions import SessionCookieTooLarge


def counter(request):
    session = request.session
    session["n"] = session.get("n", 0) + 1
    return f"n={session['n']}"


def peek(request):
    return f"n={request.session.get('n')}"


VIEWS = {"/count": counter, "/peek": peek}


def signed(payload: bytes, key: str = SECRET, timestamp: int | None = None) -> str:
    """A cookie signed exactly as the backend signs, with any payload (and time)."""
    derived = TimestampSigner(
        key, salt=b"corolla.sessions.cookie", key_derivation="hmac", digest_method=hashlib.sha256
    ).derive_key()
    signer = TimestampSigner(derived, key_derivation="none", digest_method=hashlib.sha256)
    if timestamp is not None:
        signer.get_timestamp = lambda: timestamp  # type: ignore[method-assign]
    return signer.sign(payload).decode()


def b64(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def test_cookie_holds_signed_compact_json(sessions_app):
    value = cookie_value(Client(sessions_app(views=VIEWS)).get("/count"))
    payload, _timestamp, _signature = value.split(".")
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == b'{"n":1}'


def test_large_sessions_are_compressed(sessions_app):
    def big(request):
        request.session["text"] = "corolla " * 300
        return "ok"

    client = Client(sessions_app(views={"/big": big, "/text": lambda r: r.session["text"]}))
    value = cookie_value(client.get("/big"))
    assert value.startswith(".") and len(value) < 400
    assert client.get("/text").text == "corolla " * 300


BAD = {
    "garbage": "not a session at all",
    "tampered": None,  # filled in below: a real cookie with one payload character changed
    "truncated": None,
    "no dots": "abcdef",
    "empty": "",
    "bad base64 in a valid signature": signed(b"%%%"),
    "not json": signed(b64(b"{not json")),
    "json but not an object": signed(b64(b"[1, 2]")),
    "bad compressed payload": signed(b"." + b64(b"not zlib")),
    "wrong key": signed(b64(b'{"n": 41}'), key="some-other-secret-key-entirely-0123456789"),
    "expired": signed(b64(b'{"n": 41}'), timestamp=int(time.time()) - 10_000),
    "from the future": signed(b64(b'{"n": 41}'), timestamp=int(time.time()) + 10_000),
    "oversized": "a" * 5000,
    "unicode": "s\u00e9ssion\u2603.x.y",
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_cookies_give_a_fresh_session_and_a_debug_line(sessions_app, kind, caplog):
    app = sessions_app(views=VIEWS, sessions={"max_age": 3600})
    value = BAD[kind]
    if value is None:
        good = cookie_value(Client(app).get("/count"))
        value = good[:-5] if kind == "truncated" else ("A" if good[0] != "A" else "B") + good[1:]
    client = Client(app, use_cookies=False)  # the cookie goes as sent, unchecked by the test client
    sent = {"Cookie": f"session={value}"}
    with caplog.at_level(logging.DEBUG, logger="corolla.sessions"):
        response = client.get("/peek", headers=sent)
    assert response.status_code == 200
    assert response.text == "n=None"
    assert any(r.levelno == logging.DEBUG and r.name == "corolla.sessions" for r in caplog.records), kind
    # the bad cookie is expired, so the client stops sending it
    assert "Max-Age=0" in cookie_of(response)
    assert client.get("/count", headers=sent).text == "n=1"


def test_quoted_cookie_value_is_read(sessions_app):
    app = sessions_app(views=VIEWS)
    value = cookie_value(Client(app).get("/count"))
    response = Client(app, use_cookies=False).get("/peek", headers={"Cookie": f'other=1; session="{value}"'})
    assert response.text == "n=1"


def test_cookie_named_like_a_prefix_is_not_ours(sessions_app):
    app = sessions_app(views=VIEWS)
    value = cookie_value(Client(app).get("/count"))
    response = Client(app, use_cookies=False).get("/peek", headers={"Cookie": f"xsession={value}; sessionx={value}"})
    assert response.text == "n=None"


def test_fallback_key_is_accepted_and_re_signed(sessions_app):
    old_app = sessions_app(views=VIEWS, core={"secret_key": OLD_SECRET})
    old_client = Client(old_app)
    old_client.get("/count")
    old_value = cookie_value(old_client.get("/count"))

    app = sessions_app(views=VIEWS, core={"secret_key": SECRET, "secret_key_fallbacks": [OLD_SECRET]})
    client = Client(app)
    client.set_cookie("session", old_value)
    response = client.get("/peek")
    assert response.text == "n=2"
    new_value = cookie_value(response)
    assert new_value is not None and new_value != old_value  # re-signed with the current key

    only_new = Client(sessions_app(views=VIEWS))  # no fallbacks: the old cookie is refused, the new one works
    only_new.set_cookie("session", old_value)
    assert only_new.get("/peek").text == "n=None"
    only_new.set_cookie("session", new_value)
    assert only_new.get("/peek").text == "n=2"


def test_expired_fallback_cookie_is_refused_and_logged_as_expired(sessions_app, caplog):
    app = sessions_app(views=VIEWS, core={"secret_key_fallbacks": [OLD_SECRET]}, sessions={"max_age": 60})
    client = Client(app)
    client.set_cookie("session", signed(b64(b'{"n": 5}'), key=OLD_SECRET, timestamp=int(time.time()) - 120))
    with caplog.at_level(logging.DEBUG, logger="corolla.sessions"):
        assert client.get("/peek").text == "n=None"
    messages = [r.getMessage() for r in caplog.records if r.name == "corolla.sessions"]
    assert any("fallback key, expired (max_age 60 s)" in m for m in messages), messages
    assert not any("does not match" in m for m in messages), messages
    client.set_cookie("session", signed(b64(b'{"n": 5}'), key=OLD_SECRET))
    assert client.get("/peek").text == "n=5"


def test_max_age_is_enforced_by_the_signature_timestamp(sessions_app):
    app = sessions_app(views=VIEWS, sessions={"max_age": 60})
    clock = clock_of(app)
    client = Client(app)
    client.get("/count")
    clock.advance(60)
    assert client.get("/peek").text == "n=1"  # 60 s old: still valid
    # the client keeps the cookie (it is a browser-session cookie), the server refuses it
    clock.advance(1)
    assert client.get("/peek").text == "n=None"


def test_cookie_over_4kb_is_a_500_naming_plugin_and_size(sessions_app, caplog):
    def big(request):
        import os

        request.session["noise"] = base64.b64encode(os.urandom(4000)).decode()  # does not compress
        return "ok"

    client = Client(sessions_app(views={"/big": big, **VIEWS}))
    with caplog.at_level(logging.ERROR):
        response = client.get("/big")
    assert response.status_code == 500
    assert "sessions plugin" in response.text and "bytes" in response.text
    assert cookie_of(response) is None
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "sessions" in message and "'GET /big'" in message and "over the 4093 bytes" in message
    assert client.get("/count").text == "n=1"  # the app keeps serving


def test_too_large_error_says_what_to_do():
    error = SessionCookieTooLarge(5000, 4093)
    assert "5000 bytes" in str(error) and "redis" in str(error)
    assert error.code == 500


def test_value_json_cannot_store_is_a_500_naming_the_plugin(sessions_app, caplog):
    import datetime

    def bad(request):
        request.session["when"] = datetime.date(2026, 1, 1)
        return "ok"

    with caplog.at_level(logging.ERROR):
        response = Client(sessions_app(views={"/bad": bad})).get("/bad")
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "SessionError" in record.getMessage() and "plugin 'sessions'" in record.getMessage()
    assert "ISO string" in str(record.exc_info[1])


def test_regenerate_re_signs_and_keeps_data(sessions_app):
    def login(request):
        request.session.regenerate()
        return "ok"

    client = Client(sessions_app(views={"/login": login, **VIEWS}))
    client.get("/count")
    assert cookie_value(client.get("/peek")) is None  # unchanged: not sent again
    assert cookie_value(client.get("/login")) is not None  # regenerated: signed and sent again
    assert client.get("/peek").text == "n=1"


def test_compressed_payload_bomb_is_refused(sessions_app):
    bomb = zlib.compress(b'{"a":"' + b"x" * (2 << 20) + b'"}', 9)
    client = Client(sessions_app(views=VIEWS))
    client.set_cookie("session", signed(b"." + b64(bomb)))
    assert client.get("/peek").text == "n=None"
