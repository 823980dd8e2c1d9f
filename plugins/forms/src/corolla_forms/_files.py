"""File uploads: ``FileField``, ``MultipleFileField`` and their validators.

The request's size limits come first: werkzeug refuses a body over
``[core] max_content_length`` (413), a form field over
``max_form_memory_size`` (413) and more than ``max_form_parts`` parts (413)
while parsing, before any field sees the data. These validators then judge
each file that got through.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import FileStorage
from wtforms import fields  # type: ignore[import-untyped]
from wtforms.validators import DataRequired, StopValidation, ValidationError  # type: ignore[import-untyped]


def _is_file(value: Any) -> bool:
    return isinstance(value, FileStorage) and bool(value.filename)


class FileField(fields.FileField):  # type: ignore[misc]  # WTForms is untyped: its classes are Any
    """A file input; ``data`` is the uploaded ``werkzeug.datastructures.FileStorage``, or None.

    A browser sends an empty part for a file input left empty, and a client
    may send a plain text field under the same name: both count as no file.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = next((v for v in valuelist if _is_file(v)), None)


class MultipleFileField(fields.MultipleFileField):  # type: ignore[misc]
    """Several files in one input; ``data`` is a list of ``FileStorage`` (empty when none)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [v for v in valuelist if _is_file(v)]

    def process_data(self, value: Any) -> None:
        self.data = list(value) if value else []


def _files(field: Any) -> list[FileStorage]:
    data = field.data
    if isinstance(data, list):
        return [d for d in data if _is_file(d)]
    return [data] if _is_file(data) else []


class FileRequired(DataRequired):  # type: ignore[misc]
    """At least one file was uploaded in this field (stops the field's other validators if not)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)

    def __call__(self, form: Any, field: Any) -> None:
        if not _files(field):
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("A file is required."))


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _human(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.3g} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


class FileSize:
    """Every file in the field is between ``min_size`` and ``max_size`` bytes (inclusive).

    The request's own limit (``[core] max_content_length``) already stopped
    anything bigger than the whole body may be; this is the per-file rule.
    """

    def __init__(self, max_size: int, min_size: int = 0, message: str | None = None) -> None:
        self.max_size = max_size
        self.min_size = min_size
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        for upload in _files(field):
            size = _size(upload)
            if not self.min_size <= size <= self.max_size:
                if self.message:
                    raise ValidationError(self.message)
                if size > self.max_size:
                    raise ValidationError(f"{upload.filename} is {_human(size)}; the limit is {_human(self.max_size)}.")
                raise ValidationError(f"{upload.filename} is {_human(size)}; at least {_human(self.min_size)} needed.")


class FileAllowed:
    """Every file's name ends in one of ``extensions`` and, if given, its type is one of ``mimetypes``.

    Extensions are compared case-insensitively, without the dot
    (``["png", "jpg"]``). The MIME type is the one the client declared for the
    part (``image/png``; ``image/*`` matches any image): a claim, not proof.
    Check the content itself where it matters (e.g. open images with Pillow).
    """

    def __init__(
        self,
        extensions: Iterable[str] | None = None,
        mimetypes: Iterable[str] | None = None,
        message: str | None = None,
    ) -> None:
        self.extensions = tuple(e.lower().lstrip(".") for e in (extensions or ()))
        self.mimetypes = tuple(m.lower() for m in (mimetypes or ()))
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        for upload in _files(field):
            name = upload.filename or ""
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if self.extensions and ext not in self.extensions:
                allowed = ", ".join(f".{e}" for e in self.extensions)
                raise ValidationError(self.message or f"{name}: only {allowed} files are accepted.")
            if self.mimetypes and not self._type_ok(upload.mimetype.lower()):
                allowed = ", ".join(self.mimetypes)
                raise ValidationError(
                    self.message or f"{name} is {upload.mimetype or 'of no type'}; {allowed} expected."
                )

    def _type_ok(self, mimetype: str) -> bool:
        for wanted in self.mimetypes:
            if wanted == mimetype or (wanted.endswith("/*") and mimetype.startswith(wanted[:-1])):
                return True
        return False
