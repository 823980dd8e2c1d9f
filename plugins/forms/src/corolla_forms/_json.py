"""A JSON body as form data: what an HTML form would have sent, or a type error.

WTForms reads "multi dicts" of strings, as browsers send them. A JSON object
is turned into one field by field, guided by the form's fields, the way an
HTML form would encode it: a nested object for a ``FormField`` becomes
``address-city``, a list for a ``FieldList`` ``tags-0``, ``tags-1``. A value of
the wrong JSON type (a string for a ``BooleanField``, an object for a
``StringField``, a file in JSON) is not passed on but reported, so the view
answers 422 with every problem instead of failing with a 500 deep in a
validator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wtforms import fields as f  # type: ignore[import-untyped]
from wtforms.fields.core import UnboundField  # type: ignore[import-untyped]

NUMERIC = (f.IntegerField, f.DecimalField, f.FloatField)
#: Fields taking a list of values in JSON.
MULTIPLE = (f.SelectMultipleField, f.MultipleFileField)
#: Fields whose values may be JSON numbers as well as strings (choices are often ints).
SCALAR_OK = (f.SelectField, f.RadioField, f.SelectMultipleField)


def unbound_fields(form_class: type) -> list[tuple[str, UnboundField]]:
    """A form class's fields, in declaration order (what ``FormMeta`` computes on first instantiation)."""
    known = getattr(form_class, "_unbound_fields", None)
    if known is not None:
        return list(known)
    found = []
    for name in dir(form_class):
        if not name.startswith("_"):
            unbound = getattr(form_class, name)
            if hasattr(unbound, "_formfield"):
                found.append((name, unbound))
    found.sort(key=lambda item: (item[1].creation_counter, item[0]))
    return found


def flatten(
    form_class: type, body: dict[str, Any], prefix: str = ""
) -> tuple[list[tuple[str, Any]], dict[str, list[str]]]:
    """``body`` as (form data items, type errors by field name)."""
    items: list[tuple[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for attr, unbound in unbound_fields(form_class):
        name = prefix + unbound.kwargs.get("name", attr)
        if attr in body:
            for key, value, error in _field(unbound, name, body[attr]):
                if error:
                    errors.setdefault(key, []).append(error)
                else:
                    items.append((key, value))
    return items, errors


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _field(unbound: UnboundField, name: str, value: Any) -> Iterator[tuple[str, Any, str]]:
    cls = unbound.field_class
    if value is None:
        return  # null: as if the field was left out
    if issubclass(cls, f.FormField):
        form_class = unbound.args[0] if unbound.args else unbound.kwargs["form_class"]
        if not isinstance(value, dict):
            yield name, None, f"expected an object, got {_kind(value)}"
            return
        sub_items, sub_errors = flatten(form_class, value, name + unbound.kwargs.get("separator", "-"))
        yield from ((k, v, "") for k, v in sub_items)
        for key, messages in sub_errors.items():
            for message in messages:
                yield key, None, message
        return
    if issubclass(cls, f.FieldList):
        if not isinstance(value, list):
            yield name, None, f"expected a list, got {_kind(value)}"
            return
        inner = unbound.args[0] if unbound.args else unbound.kwargs["unbound_field"]
        for index, item in enumerate(value):
            entry = f"{name}-{index}"
            if item is None and not issubclass(inner.field_class, f.FormField):
                yield entry, "", ""  # keep the position: a null entry is an empty one
            else:
                yield from _field(inner, entry, item)
        return
    if issubclass(cls, f.FileField) and not issubclass(cls, MULTIPLE):
        yield name, None, "files cannot be sent in JSON; send the form as multipart/form-data"
        return
    if issubclass(cls, MULTIPLE):
        if issubclass(cls, f.MultipleFileField):
            yield name, None, "files cannot be sent in JSON; send the form as multipart/form-data"
            return
        if not isinstance(value, list):
            yield name, None, f"expected a list, got {_kind(value)}"
            return
        for item in value:
            yield _scalar(cls, name, item)
        return
    yield _scalar(cls, name, value)


def _scalar(cls: type, name: str, value: Any) -> tuple[str, Any, str]:
    if issubclass(cls, f.BooleanField):
        if not isinstance(value, bool):
            return name, None, f"expected true or false, got {_kind(value)}"
        return name, "y" if value else "false", ""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                # JSON's "\ud800" escapes decode to lone surrogates, which are no text: no
                # template, URL or database could take them further (a 500 deep inside).
                return name, None, f"contains a lone surrogate (\\u{ord(value[exc.start]):04x}), which is not text"
        return name, value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and issubclass(cls, (*NUMERIC, *SCALAR_OK)):
        return name, repr(value) if isinstance(value, float) else str(value), ""
    expected = "a number" if issubclass(cls, NUMERIC) else "a string"
    return name, None, f"expected {expected}, got {_kind(value)}"
