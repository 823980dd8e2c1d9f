"""Broken request bodies sent as raw bytes to the notes demo under gunicorn: never saved, never a 5xx.

gunicorn sets ``wsgi.input_terminated``, so werkzeug reads its body stream
without checking it against ``Content-Length``; these go through the real
server because that is where the bugs were.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import servers
from raw_http import Browser, send
from reliability_support import NOTES, create_app, note_count

from corolla import App

LIMIT = 64 * 1024  # [core] max_content_length for these tests: small, so "too large" is quick to send


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, notes_db: Path) -> Iterator[tuple[servers.Gunicorn, App]]:
    """gunicorn (2 workers) serving the demo on a migrated SQLite file, and an App on the same file to count rows."""
    instance = tmp_path_factory.mktemp("gunicorn-instance")
    shutil.copyfile(notes_db, instance / "app.db")
    env = {
        "COROLLA_CORE__INSTANCE_PATH": str(instance),
        "COROLLA_CORE__SECRET_KEY": "reliability-tests-secret-key-0123456789abcdef",
        "COROLLA_CORE__MAX_CONTENT_LENGTH": str(LIMIT),
    }
    reader = create_app(instance)
    try:
        with servers.gunicorn("app:app", cwd=NOTES, workers=2, env=env) as server:
            yield server, reader
    finally:
        reader.close()


@pytest.fixture(scope="module")
def alice(served: tuple[servers.Gunicorn, App]) -> Browser:
    return Browser(served[0].port).signup("alice")


def note_form(browser: Browser, title: str) -> bytes:
    import urllib.parse

    return urllib.parse.urlencode({"csrf_token": browser.token("/notes/new"), "title": title, "body": ""}).encode()


def test_a_body_shorter_than_its_content_length_is_a_400_and_not_saved(
    served: tuple[servers.Gunicorn, App], alice: Browser
) -> None:
    server, reader = served
    before = note_count(reader)
    body = note_form(alice, "x" * 3000)
    sent = body[: len(body) // 3]  # the client announced all of it, sent a third, and closed
    head = alice.head_of(
        "POST",
        "/notes/new",
        ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"],
    )
    response = send(server.port, head + sent)
    assert response.status == 400, response.body[:300]
    assert b"ended after" in response.body
    assert note_count(reader) == before


@pytest.mark.parametrize(
    "ending",
    [b"\r\n", b"", b"XX0\r\n\r\n"],
    ids=["no-last-chunk", "cut-in-chunk", "no-crlf-after-chunk"],
)
def test_a_chunked_body_without_its_terminator_is_a_400_and_not_saved(
    served: tuple[servers.Gunicorn, App], alice: Browser, ending: bytes
) -> None:
    server, reader = served
    before = note_count(reader)
    body = note_form(alice, "cut")
    head = alice.head_of(
        "POST", "/notes/new", ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"]
    )
    chunked = f"{len(body):x}\r\n".encode() + body + ending  # never the terminating "0\r\n\r\n" after a CRLF
    response = send(server.port, head + chunked)
    assert response.status == 400, response.body[:300]
    assert note_count(reader) == before


def test_a_chunked_json_body_over_the_limit_is_a_413(served: tuple[servers.Gunicorn, App], alice: Browser) -> None:
    server, reader = served
    before = note_count(reader)
    token = alice.token("/notes/new")
    body = b'{"title": "big", "body": "' + b"y" * (LIMIT + 10) + b'"}'
    head = alice.head_of(
        "POST",
        "/api/notes",
        ["Content-Type: application/json", "Transfer-Encoding: chunked", f"X-CSRFToken: {token}"],
    )
    chunks = b"".join(
        f"{len(body[i : i + 8192]):x}\r\n".encode() + body[i : i + 8192] + b"\r\n" for i in range(0, len(body), 8192)
    )
    response = send(server.port, head + chunks + b"0\r\n\r\n")
    assert response.status == 413, response.body[:300]
    assert note_count(reader) == before


def test_a_chunked_body_with_a_bad_size_is_a_4xx(served: tuple[servers.Gunicorn, App], alice: Browser) -> None:
    server, reader = served
    head = alice.head_of(
        "POST", "/notes/new", ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"]
    )
    response = send(server.port, head + b"zz\r\ntitle=x\r\n0\r\n\r\n")
    assert 400 <= response.status < 500


def test_a_complete_chunked_form_is_saved(served: tuple[servers.Gunicorn, App], alice: Browser) -> None:
    # The checks refuse only broken bodies: the same request, whole, creates its note.
    server, reader = served
    before = note_count(reader)
    body = note_form(alice, "whole")
    head = alice.head_of(
        "POST", "/notes/new", ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"]
    )
    response = send(server.port, head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
    assert response.status == 303, response.body[:300]
    assert note_count(reader) == before + 1
