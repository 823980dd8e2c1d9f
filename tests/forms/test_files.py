"""File uploads: FileField, MultipleFileField, their validators, and the core's request size limits."""

from __future__ import annotations

import io
from typing import Any

import pytest
from forms_support import get_token, token_page
from werkzeug.test import Client
from wtforms import StringField

import corolla
from corolla_forms import FileAllowed, FileField, FileRequired, FileSize, Form, MultipleFileField

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


class Avatar(Form):
    title = StringField("Title")
    image = FileField("Image", [FileRequired(), FileAllowed(["png", "jpg"], ["image/*"]), FileSize(max_size=1000)])
    extras = MultipleFileField("Extras", [FileAllowed(["txt"]), FileSize(max_size=50, min_size=1)])


SAVED: list[Any] = []


def upload(request: corolla.Request) -> Any:
    form = Avatar(request)
    if form.validate_on_submit():
        image = form.image.data
        SAVED.append(image.filename)
        return {
            "title": form.title.data,
            "image": [image.filename, image.mimetype, len(image.read())],
            "extras": [f.filename for f in form.extras.data],
        }
    return form.error_response()


@pytest.fixture(autouse=True)
def _clear() -> None:
    SAVED.clear()


@pytest.fixture
def app(forms_app: Any) -> corolla.App:
    return forms_app(
        {"/upload": upload, "/token": token_page},
        {"core": {"max_content_length": 20_000, "max_form_memory_size": 2_000, "max_form_parts": 20}},
    )


def post(client: Client, **data: Any) -> Any:
    return client.post("/upload", data={"csrf_token": get_token(client), **data})


def file(content: bytes, name: str, mimetype: str = "application/octet-stream") -> tuple[io.BytesIO, str, str]:
    return io.BytesIO(content), name, mimetype


def test_upload(client: Client) -> None:
    response = post(
        client,
        title="me",
        image=file(PNG, "me.png", "image/png"),
        extras=[file(b"a", "a.txt", "text/plain"), file(b"bb", "b.txt", "text/plain")],
    )
    assert response.status_code == 200, response.text
    assert response.json == {"title": "me", "image": ["me.png", "image/png", len(PNG)], "extras": ["a.txt", "b.txt"]}


def test_file_required(client: Client) -> None:
    for data in ({}, {"image": "not a file"}, {"image": file(b"", "")}):
        response = post(client, title="me", **data)
        assert response.status_code == 422
        assert response.json["errors"] == {"image": ["A file is required."]}
    assert SAVED == []


def test_wrong_extension_and_type(client: Client) -> None:
    response = post(client, image=file(PNG, "me.gif", "image/gif"))
    assert response.json["errors"] == {"image": ["me.gif: only .png, .jpg files are accepted."]}
    response = post(client, image=file(PNG, "me.png", "text/html"))
    assert response.json["errors"] == {"image": ["me.png is text/html; image/* expected."]}
    response = post(client, image=file(PNG, "me.png", "image/png"), extras=file(b"x", "x.exe"))
    assert response.json["errors"] == {"extras": ["x.exe: only .txt files are accepted."]}


def test_file_size(client: Client) -> None:
    response = post(client, image=file(b"\0" * 1500, "big.png", "image/png"))
    assert response.status_code == 422
    assert response.json["errors"] == {"image": ["big.png is 1.5 kB; the limit is 1 kB."]}
    response = post(client, image=file(PNG, "me.png", "image/png"), extras=file(b"", "empty.txt"))
    assert response.json["errors"] == {"extras": ["empty.txt is 0 bytes; at least 1 bytes needed."]}


def test_body_over_max_content_length_is_413(client: Client) -> None:
    response = post(client, image=file(b"\0" * 30_000, "huge.png", "image/png"))
    assert response.status_code == 413
    assert SAVED == []


def test_field_over_max_form_memory_size_is_413(client: Client) -> None:
    response = post(client, title="x" * 3_000, image=file(PNG, "me.png", "image/png"))
    assert response.status_code == 413


def test_too_many_parts_is_413(client: Client) -> None:
    many = {f"f{i}": "x" for i in range(30)}
    response = post(client, image=file(PNG, "me.png", "image/png"), **many)
    assert response.status_code == 413


def test_urlencoded_body_over_the_limit_is_413(client: Client) -> None:
    response = client.post("/upload", data="title=" + "x" * 30_000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_files_in_json_are_422(client: Client) -> None:
    response = client.post(
        "/upload", json={"image": "aGVsbG8=", "extras": []}, headers={"X-CSRFToken": get_token(client)}
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "image": ["files cannot be sent in JSON; send the form as multipart/form-data"],
        "extras": ["files cannot be sent in JSON; send the form as multipart/form-data"],
    }


def test_csrf_failure_reads_no_file(client: Client) -> None:
    response = client.post("/upload", data={"image": file(PNG, "me.png", "image/png")})
    assert response.status_code == 400
    assert SAVED == []
