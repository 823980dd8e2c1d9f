"""``Form``: a WTForms form bound to a Corolla request, with CSRF bound to the session."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import wtforms  # type: ignore[import-untyped]
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import UnprocessableEntity
from wtforms.csrf.core import CSRF, CSRFTokenField  # type: ignore[import-untyped]
from wtforms.meta import DefaultMeta  # type: ignore[import-untyped]

from ._csrf import SAFE_METHODS, protection
from ._errors import TOO_DEEP, TOO_LONG_NUMBER, InvalidJSON
from ._json import flatten

if TYPE_CHECKING:
    import corolla

#: Methods whose form data is the body; other methods read the query string.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _TokenField(CSRFTokenField):  # type: ignore[misc]  # WTForms is untyped: its classes are Any
    """The hidden ``csrf_token`` field; its token is made when the field is rendered, not before.

    WTForms computes the token while binding the form, which would touch the
    session (and set a cookie) for every form, also a JSON API's. Here a
    token exists only once a page shows one.
    """

    def process(self, *args: Any, **kwargs: Any) -> None:
        super(CSRFTokenField, self).process(*args, **kwargs)  # skip the eager generate_csrf_token

    @property
    def current_token(self) -> str | None:
        token: str | None = self.csrf_impl.generate_csrf_token(self)
        return token

    @current_token.setter
    def current_token(self, value: Any) -> None:
        pass


class _SessionCSRF(CSRF):  # type: ignore[misc]
    field_class = _TokenField

    def setup_form(self, form: Any) -> Any:
        self.request = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: Any) -> str | None:
        if self.request is None:
            return None
        return protection(self.request).token(self.request)

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        pass  # Form checks the token when it is bound, and raises a 400 instead of a field error


class _Meta(DefaultMeta):  # type: ignore[misc]
    csrf = True
    csrf_class = _SessionCSRF


class Form(wtforms.Form):  # type: ignore[misc]
    """A WTForms form bound to ``request``.

    ``Form(request, obj=None, **kwargs)``: on POST, PUT, PATCH and DELETE the
    data is ``request.form`` plus ``request.files``, or the JSON object of the
    body when the content type is JSON; on GET and HEAD it is the query string
    (none when there is none, so ``obj`` and defaults show). ``obj``,
    ``data``, ``prefix``, ``meta`` and other keywords are WTForms' own;
    ``formdata=...`` overrides what is read from the request.

    On unsafe methods (POST, PUT, PATCH, DELETE) binding the form checks the
    CSRF token: a 400 ``CSRFError`` from the constructor on failure, so no
    view code reads unchecked data. ``validate()`` then checks the fields.
    ``class Meta: csrf = False`` turns CSRF off for one form class.
    """

    Meta = _Meta

    def __init__(self, request: corolla.Request | None = None, obj: Any = None, **kwargs: Any) -> None:
        self.request = request
        self.json_errors: dict[str, list[str]] = {}
        meta = dict(kwargs.pop("meta", None) or {})
        meta["csrf_context"] = request
        csrf = protection(request) if request is not None else None
        if csrf is None or not csrf.enabled:
            meta["csrf"] = False
        elif csrf.field_name != "csrf_token":
            meta.setdefault("csrf_field_name", csrf.field_name)
        if "formdata" in kwargs:
            formdata = kwargs.pop("formdata")
        else:
            formdata = self._formdata(request, kwargs.get("prefix", ""))
        super().__init__(formdata=formdata, obj=obj, meta=meta, **kwargs)
        # A form bound on an unsafe method checks the CSRF token now, before the view can read
        # form.data or request.form: a view that never calls validate() cannot act on unchecked data.
        self._check_csrf()

    def _check_csrf(self) -> None:
        """Raise ``CSRFError`` (400) on an unsafe method without a valid token (once per request)."""
        request = self.request
        if self.meta.csrf and request is not None and request.method not in SAFE_METHODS:
            field = self._fields.get(self.meta.csrf_field_name)
            protection(request).protect(request, field.data if field is not None else None)

    def _formdata(self, request: corolla.Request | None, prefix: str) -> Any:
        if request is None:
            return None
        if request.method in BODY_METHODS:
            if request.is_json:
                return self._json_formdata(request, prefix)
            files = request.files  # parses the body once; form is then cached
            return CombinedMultiDict([request.form, files]) if files else request.form
        args = request.args
        return args if args else None

    def _json_formdata(self, request: corolla.Request, prefix: str) -> MultiDict[str, Any]:
        if not request.get_data(cache=True):
            return MultiDict()
        try:
            body = json.loads(request.get_data(cache=True))
        except UnicodeDecodeError as exc:
            raise InvalidJSON(f"it is not UTF-8 ({exc.reason} at byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise InvalidJSON(f"{exc.msg}: line {exc.lineno} column {exc.colno} (char {exc.pos})") from None
        except RecursionError:  # "[[[[..." thousands deep: the parser gives up with no position
            raise InvalidJSON(TOO_DEEP) from None
        except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits (4300)
            raise InvalidJSON(TOO_LONG_NUMBER) from None
        if not isinstance(body, dict):
            self.json_errors[""] = [f"expected a JSON object of fields, got {type(body).__name__}"]
            return MultiDict()
        if prefix and prefix[-1] not in "-_;:/.":
            prefix += "-"
        try:
            items, self.json_errors = flatten(type(self), body, prefix)
        except RecursionError:  # parsed, but too deep to walk
            raise InvalidJSON(TOO_DEEP) from None
        return MultiDict(items)

    # -- submission and validation ------------------------------------------

    def is_submitted(self) -> bool:
        """Whether the request sends data to change something (POST, PUT, PATCH, DELETE)."""
        return self.request is not None and self.request.method in BODY_METHODS

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the CSRF token (400 on failure), then every field; True when all pass."""
        self._check_csrf()  # done when the form was bound; a no-op now unless the form was changed since
        ok = super().validate(extra_validators)
        if self.json_errors:
            for name, messages in self.json_errors.items():
                field = self._fields.get(name)
                if field is not None:
                    field.errors = list(messages)  # replaces "required": the value was there, of the wrong type
            return False
        return bool(ok)

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        """``is_submitted() and validate()``."""
        return self.is_submitted() and self.validate(extra_validators)

    @property
    def errors(self) -> dict[str, Any]:
        """Field name -> messages (nested for ``FormField``/``FieldList``); form-level errors under ``""``."""
        errors: dict[Any, Any] = dict(super().errors)
        if None in errors:
            errors[""] = errors.pop(None)
        for name, messages in self.json_errors.items():
            if name not in self._fields:
                errors[name] = list(messages)
        return errors

    def error_response(self, status: int = 422) -> corolla.Response:
        """The errors as JSON, ``{"errors": {"field": ["message"]}}``, with ``status`` (422)."""
        from corolla import Response

        body = json.dumps({"errors": self.errors}, ensure_ascii=False)
        return Response(body, status, mimetype="application/json")

    def validate_or_abort(self, extra_validators: Any = None) -> None:
        """Validate, or stop the request with the 422 JSON of ``error_response()`` (for JSON APIs)."""
        if not self.validate(extra_validators):
            raise UnprocessableEntity(response=self.error_response())

    def hidden_tag(self) -> str:
        """Every hidden field rendered (the CSRF token included), for a template."""
        from markupsafe import Markup

        return Markup("".join(str(f) for f in self if isinstance(f, wtforms.HiddenField)))
