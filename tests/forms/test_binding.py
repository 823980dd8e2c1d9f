"""Binding a Form to the request: form fields, files, JSON bodies, query strings, objects; errors as 422 JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from forms_support import get_token, token_page
from werkzeug.test import Client
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    validators,
)

import corolla
from corolla_forms import Form, csrf_exempt


class Address(Form):
    class Meta:
        csrf = False  # a sub-form: the outer form carries the token

    city = StringField("City", [validators.DataRequired()])
    zip = StringField("ZIP", [validators.Length(min=4, max=10)])


class Signup(Form):
    name = StringField("Name", [validators.DataRequired(), validators.Length(max=20)])
    age = IntegerField("Age", [validators.NumberRange(min=0, max=150)])
    newsletter = BooleanField("Newsletter")
    plan = SelectField("Plan", choices=["1", "2"], coerce=int)
    tags = FieldList(StringField("Tag"))
    address = FormField(Address)
    price = DecimalField("Price", places=2, validators=[validators.Optional()])
    colours = SelectMultipleField("Colours", choices=["red", "green"], validators=[validators.Optional()])


def signup_view(request: corolla.Request) -> Any:
    form = Signup(request)
    if form.validate_on_submit():
        data = form.data
        data["price"] = str(data["price"]) if data["price"] is not None else None
        data.pop("csrf_token", None)
        return data
    if form.is_submitted():
        return form.error_response()
    return form.name()


@pytest.fixture
def app(forms_app: Any) -> corolla.App:
    return forms_app({"/signup": signup_view, "/token": token_page})


@pytest.fixture
def token(client: Client) -> str:
    return get_token(client)


VALID = {
    "name": "Ada",
    "age": "36",
    "newsletter": "y",
    "plan": "2",
    "tags-0": "math",
    "tags-1": "engines",
    "address-city": "London",
    "address-zip": "W1 1AA",
    "price": "9.50",
    "colours": ["red", "green"],
}


def test_form_post_binds_fields(client: Client, token: str) -> None:
    response = client.post("/signup", data={**VALID, "csrf_token": token})
    assert response.status_code == 200, response.text
    assert response.json == {
        "name": "Ada",
        "age": 36,
        "newsletter": True,
        "plan": 2,
        "tags": ["math", "engines"],
        "address": {"city": "London", "zip": "W1 1AA"},
        "price": "9.50",
        "colours": ["red", "green"],
    }


def test_validation_errors_are_422_json(client: Client, token: str) -> None:
    response = client.post(
        "/signup", data={"name": "x" * 30, "age": "old", "plan": "3", "address-zip": "1", "csrf_token": token}
    )
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    errors = response.json["errors"]
    assert errors["name"] == ["Field cannot be longer than 20 characters."]
    assert errors["age"] == ["Not a valid integer value.", "Number must be between 0 and 150."]
    assert errors["plan"] == ["Not a valid choice."]
    assert errors["address"] == {
        "city": ["This field is required."],
        "zip": ["Field must be between 4 and 10 characters long."],
    }


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_read_the_body(client: Client, token: str, method: str) -> None:
    response = client.open("/signup", method=method, data={**VALID, "csrf_token": token})
    assert response.status_code == 200, response.text
    assert response.json["name"] == "Ada"


def test_get_reads_the_query_string(forms_app: Any) -> None:
    class Search(Form):
        q = StringField("Query", [validators.DataRequired()])
        page = IntegerField("Page", default=1)

    def search(request: corolla.Request) -> Any:
        form = Search(request)
        if form.validate():  # GET: no CSRF token needed
            return {"q": form.q.data, "page": form.page.data}
        return form.error_response()

    client = Client(forms_app({"/search": search}))
    assert client.get("/search?q=wtforms&page=3").json == {"q": "wtforms", "page": 3}
    assert client.get("/search?page=x").json == {
        "errors": {"q": ["This field is required."], "page": ["Not a valid integer value."]}
    }


def test_get_without_query_shows_object_data(forms_app: Any) -> None:
    class Profile:
        name = "Grace"
        age = 85

    def edit(request: corolla.Request) -> Any:
        form = Signup(request, obj=Profile())
        return {"name": form.name.data, "age": form.age.data, "submitted": form.is_submitted()}

    client = Client(forms_app({"/edit": edit}))
    assert client.get("/edit").json == {"name": "Grace", "age": 85, "submitted": False}


def test_html_rendering_has_the_token_field(client: Client) -> None:
    def page(request: corolla.Request) -> str:
        form = Signup(request)
        return f"<form method=post>{form.hidden_tag()}{form.name()}</form>"

    client.application.test_routes["/page"] = page  # type: ignore[attr-defined]
    html = client.get("/page").text
    assert 'name="csrf_token" type="hidden" value="' in html
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/signup", data={**VALID, "csrf_token": token})
    assert response.status_code == 200, response.text


# -- JSON bodies -----------------------------------------------------------------


def post_json(client: Client, body: Any, token: str, raw: str | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body)
    return client.post("/signup", data=data, content_type="application/json", headers={"X-CSRFToken": token})


JSON_VALID = {
    "name": "Ada",
    "age": 36,
    "newsletter": True,
    "plan": 2,
    "tags": ["math", "engines"],
    "address": {"city": "London", "zip": "W1 1AA"},
    "price": 9.5,
    "colours": ["red"],
}


def test_json_body_binds_nested_fields(client: Client, token: str) -> None:
    response = post_json(client, JSON_VALID, token)
    assert response.status_code == 200, response.text
    assert response.json == {**JSON_VALID, "price": "9.5"}


def test_json_false_and_null(client: Client, token: str) -> None:
    response = post_json(client, {**JSON_VALID, "newsletter": False, "price": None}, token)
    assert response.status_code == 200, response.text
    assert response.json["newsletter"] is False
    assert response.json["price"] is None


def test_json_wrong_types_are_422(client: Client, token: str) -> None:
    body = {
        "name": 42,
        "age": "36",  # a numeric string is fine, as from a form
        "newsletter": "yes",
        "plan": 2,
        "tags": "math",
        "address": {"city": ["London"], "zip": {"x": 1}},
        "price": True,
        "colours": "red",
    }
    response = post_json(client, body, token)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "name": ["expected a string, got a number"],
        "newsletter": ["expected true or false, got a string"],
        "tags": ["expected a list, got a string"],
        "address-city": ["expected a string, got a list"],
        "address-zip": ["expected a string, got an object"],
        "price": ["expected a number, got a boolean"],
        "colours": ["expected a list, got a string"],
        "address": {"city": ["This field is required."], "zip": ["Field must be between 4 and 10 characters long."]},
    }


def test_json_number_out_of_type_range(client: Client, token: str) -> None:
    response = post_json(client, {**JSON_VALID, "age": 36.5}, token)
    assert response.status_code == 422
    assert response.json["errors"] == {"age": ["Not a valid integer value.", "Number must be between 0 and 150."]}


def test_json_that_is_not_an_object_is_422(client: Client, token: str) -> None:
    response = post_json(client, ["Ada"], token)
    assert response.status_code == 422
    assert response.json["errors"][""] == ["expected a JSON object of fields, got list"]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ('{"name": }', "Expecting value: line 1 column 10 (char 9)"),
        ('{"name": "Ada"', "Expecting ',' delimiter: line 1 column 15 (char 14)"),
        ("\n\n  nope", "Expecting value: line 3 column 3 (char 4)"),
    ],
)
def test_invalid_json_is_400_with_the_position(client: Client, token: str, raw: str, detail: str) -> None:
    response = post_json(client, None, token, raw=raw)
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid-json",
        "message": f"The request body is not valid JSON: {detail}.",
        "detail": detail,
    }


def test_json_that_is_not_utf8_is_400(client: Client, token: str) -> None:
    response = client.post(
        "/signup", data=b'{"name": "\xff"}', content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.json["detail"]


def test_json_with_a_prefix(forms_app: Any) -> None:
    class Small(Form):
        class Meta:
            csrf = False

        name = StringField("Name", [validators.DataRequired()])

    @csrf_exempt  # an API view: the form has no CSRF field, and every unsafe request is checked
    def view(request: corolla.Request) -> Any:
        form = Small(request, prefix="user")
        return {"ok": form.validate(), "name": form.name.data, "html_name": form.name.name}

    client = Client(forms_app({"/small": view}))
    response = client.post("/small", json={"name": "Ada"})
    assert response.json == {"ok": True, "name": "Ada", "html_name": "user-name"}


def test_validate_or_abort(forms_app: Any) -> None:
    class Small(Form):
        class Meta:
            csrf = False

        name = StringField("Name", [validators.DataRequired()])

    @csrf_exempt  # an API view: the form has no CSRF field, and every unsafe request is checked
    def view(request: corolla.Request) -> Any:
        form = Small(request)
        form.validate_or_abort()
        return {"name": form.name.data}

    client = Client(forms_app({"/small": view}))
    assert client.post("/small", json={"name": "Ada"}).json == {"name": "Ada"}
    response = client.post("/small", json={})
    assert response.status_code == 422
    assert response.json == {"errors": {"name": ["This field is required."]}}


def test_explicit_formdata_wins(forms_app: Any) -> None:
    from werkzeug.datastructures import MultiDict

    class Small(Form):
        class Meta:
            csrf = False

        name = StringField("Name")

    @csrf_exempt  # an API view: the form has no CSRF field, and every unsafe request is checked
    def view(request: corolla.Request) -> Any:
        return {"name": Small(request, formdata=MultiDict({"name": "given"})).name.data}

    client = Client(forms_app({"/small": view}))
    assert client.post("/small", data={"name": "posted"}).json == {"name": "given"}


def test_form_without_request_is_unbound() -> None:
    form = Signup(None, data={"name": "Ada"})
    assert form.name.data == "Ada"
    assert "csrf_token" not in form._fields
    assert not form.is_submitted()


def test_populate_obj_skips_the_token(client: Client, token: str) -> None:
    class Account:
        def __init__(self) -> None:
            self.address = Account.Place()

        class Place:
            pass

    def save(request: corolla.Request) -> Any:
        form = Signup(request)
        account = Account()
        if form.validate_on_submit():
            form.populate_obj(account)
        fields = {k: v for k, v in vars(account).items() if k in ("name", "age", "csrf_token")}
        return {**fields, "city": account.address.city}

    client.application.test_routes["/save"] = save  # type: ignore[attr-defined]
    response = client.post("/save", data={**VALID, "csrf_token": token})
    assert response.json == {"name": "Ada", "age": 36, "city": "London"}


DEEP = "[" * 50000


@pytest.mark.parametrize("raw", [DEEP, '{"name": ' + DEEP])
def test_deeply_nested_json_is_400_not_500(client: Client, token: str, raw: str) -> None:
    # The parser's RecursionError is no ValueError: it used to escape as a 500.
    response = post_json(client, None, token, raw=raw)
    assert response.status_code == 400, response.text
    assert response.json["error"] == "invalid-json"
    assert response.json["detail"] == "arrays or objects are nested too deeply"


def test_deeply_nested_json_without_a_token_is_400(client: Client) -> None:
    # The CSRF check looks for the token in the JSON body: that parse must not be a 500 either.
    response = client.post("/signup", data=DEEP, content_type="application/json")
    assert response.status_code == 400, response.text
    assert response.json["error"] == "invalid-json"
