"""Request, Response and ``make_response``: werkzeug's objects, built lazily.

``Request`` is werkzeug's ``Request`` with its constructor replaced: werkzeug
parses the method, path, server, headers and so on up front (about 3 µs);
here each is computed on first access from the WSGI environ and then cached
in the instance ``__dict__``, so a request that reads nothing costs one object
allocation. Everything else (``args``, ``form``, ``cookies``, ``json``...) is
werkzeug's own code, which reads these attributes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar, overload
from urllib.parse import unquote

from werkzeug.datastructures import EnvironHeaders, Headers
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse
from werkzeug.wsgi import _get_server

from ._input import input_stream

if TYPE_CHECKING:
    from ._app import App

T = TypeVar("T")
Obj = TypeVar("Obj")


class lazy(Generic[Obj, T]):  # noqa: N801 - used like a decorator, like property
    """A non-data descriptor computed once per instance.

    Unlike ``functools.cached_property`` (which takes a lock on every first
    access before Python 3.12) it only stores the value in ``__dict__``; later
    reads are plain attribute lookups that never reach the descriptor.
    """

    __slots__ = ("factory", "name")

    def __init__(self, factory: Callable[[Obj], T], name: str | None = None) -> None:
        self.factory = factory
        self.name = name or factory.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[Obj, T]: ...
    @overload
    def __get__(self, obj: Obj, owner: type | None = None) -> T: ...
    def __get__(self, obj: Obj | None, owner: type | None = None) -> T | lazy[Obj, T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.factory(obj)
        return value


def _decode(value: str) -> str:
    # WSGI carries paths as latin-1 "bytes in str"; werkzeug decodes them as
    # UTF-8 with replacement, so invalid bytes never raise here.
    return value.encode("latin1").decode("utf-8", "replace")


def parse_urlencoded(data: bytes, max_fields: int | None) -> list[tuple[str, str]]:
    """``name=value&...`` as werkzeug parses it (``parse_qsl``, blanks kept), counting real fields.

    A field is a non-empty piece between ``&`` separators, so a trailing
    ``&`` or a run of them adds none (``parse_qsl``'s own ``max_num_fields``
    counts separators). More than ``max_fields`` fields is a 413. Raises
    ``UnicodeDecodeError`` (a ``ValueError``, which werkzeug's parser turns
    into an empty form) for a body that is not UTF-8, as werkzeug does.

    Faster than ``parse_qsl``, which calls ``unquote`` twice per field (most
    of its time): ``+`` is replaced once in the whole body (before the split
    and before unquoting, as ``parse_qsl`` does per piece), and every name and
    value is unquoted by a single ``unquote`` call over all of them joined by
    NUL, split again after. That is exact because a NUL byte never belongs to
    a UTF-8 sequence, so an invalid escape is quoted back the same either way;
    a body holding a NUL (raw or ``%00``) takes the per-piece way.
    """
    text = data.decode()
    pieces = text.split("&")
    if max_fields is not None and len(pieces) > max_fields and len(pieces) - pieces.count("") > max_fields:
        raise RequestEntityTooLarge(f"The form has more than {max_fields} fields ([core] max_form_parts).")
    if "+" in text:
        text = text.replace("+", " ")
        pieces = text.split("&")
    if "%" not in text:
        return [(name, value) for name, _, value in (piece.partition("=") for piece in pieces if piece)]
    if "\x00" in text or "%00" in text:
        return [
            (unquote(name, errors="werkzeug.url_quote"), unquote(value, errors="werkzeug.url_quote"))
            for name, _, value in (piece.partition("=") for piece in pieces if piece)
        ]
    # name NUL value NUL name NUL value...: the first "=" of each piece splits it, as partition() does.
    joined = "\x00".join(piece.replace("=", "\x00", 1) if "=" in piece else piece + "\x00" for piece in pieces if piece)
    flat = unquote(joined, errors="werkzeug.url_quote").split("\x00")
    return list(zip(flat[::2], flat[1::2], strict=True))


class _FormDataParser(FormDataParser):
    """werkzeug's parser, with the form limits applied to urlencoded bodies too.

    werkzeug (3.1) applies ``max_form_memory_size`` and ``max_form_parts`` to
    multipart bodies only: an urlencoded body up to ``max_content_length``
    (16 MiB) would be parsed into as many fields as it holds. Here it is read
    up to ``max_form_memory_size`` bytes (413 beyond) and may hold at most
    ``max_form_parts`` fields (413 beyond).
    """

    def _parse_urlencoded(self, stream: Any, mimetype: str, content_length: int | None, options: dict[str, str]) -> Any:
        data = read_form(stream, self.max_form_memory_size)
        return stream, self.cls(parse_urlencoded(data, self.max_form_parts)), self.cls()


def read_form(stream: Any, limit: int | None) -> bytes:
    """An urlencoded body, at most ``limit`` bytes (``[core] max_form_memory_size``; 413 beyond)."""
    if limit is None:
        return bytes(stream.read())
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge(
            f"The form is larger than {limit} bytes ([core] max_form_memory_size); "
            "send large data as a file in a multipart body."
        )
    return bytes(data)


URLENCODED = "application/x-www-form-urlencoded"

#: Where ``Request.after_response`` keeps its callbacks (in the instance ``__dict__``).
AFTER_RESPONSE = "_after_response"
#: Where ``Request.mark_committed`` records that the request made a lasting change.
COMMITTED = "_committed"


class Request(_WerkzeugRequest):
    """The request a view and every hook receive.

    Plugins add attributes to it (``request.session``, ``request.db``); each
    is computed on first access, so a request pays only for what it touches.
    ``request.app`` is the ``App`` serving it.
    """

    shallow = False
    form_data_parser_class = _FormDataParser
    app: App | None

    def __init__(self, environ: Mapping[str, Any], app: App | None = None) -> None:  # noqa: D107
        # Deliberately no super().__init__(): see the module docstring.
        self.environ = environ  # type: ignore[assignment]
        self.app = app

    @lazy
    def method(self) -> str:
        return str(self.environ.get("REQUEST_METHOD", "GET")).upper()

    @lazy
    def scheme(self) -> str:
        return str(self.environ.get("wsgi.url_scheme", "http"))

    @lazy
    def server(self) -> tuple[str, int | None] | None:
        return _get_server(self.environ)

    @lazy
    def root_path(self) -> str:
        return _decode(self.environ.get("SCRIPT_NAME") or "").rstrip("/")

    @lazy
    def path(self) -> str:
        return "/" + _decode(self.environ.get("PATH_INFO") or "").lstrip("/")

    @lazy
    def query_string(self) -> bytes:
        return str(self.environ.get("QUERY_STRING", "")).encode("latin1")

    @lazy
    def headers(self) -> Headers:
        return EnvironHeaders(self.environ)

    @lazy
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")

    def _load_form_data(self) -> None:
        # The usual urlencoded POST (the exact Content-Type browsers send) skips
        # werkzeug's parser object, its Content-Type parsing and its dispatch
        # (about a third of reading a 20-field form): the same safe stream
        # (max_content_length, Content-Length), the same limits and 413s.
        d = self.__dict__
        if "form" in d:
            return
        if self.environ.get("CONTENT_TYPE") != URLENCODED or "_cached_data" in d:
            super()._load_form_data()
            return
        stream = self.stream
        data = read_form(stream, self.max_form_memory_size)
        try:
            items = parse_urlencoded(data, self.max_form_parts)
        except ValueError:
            items = []  # not UTF-8: an empty form, as werkzeug's (silent) parser gives
        cls = self.parameter_storage_class
        d["stream"], d["form"], d["files"] = stream, cls(items), cls()

    @lazy
    def stream(self) -> IO[bytes]:
        # A short or broken body is a 400 and an endless one a 413, never a cut body (see _input.py).
        return input_stream(self.environ, self.max_content_length)

    def touched(self, name: str) -> bool:
        """Whether the lazy attribute ``name`` was computed during this request.

        Wrappers use it to do work only for requests that used a feature,
        e.g. save a session only if ``request.session`` was read.
        """
        return name in self.__dict__

    def log_line(self) -> str:
        """``GET /path``, for log lines: the method and the path, never the query string (it may hold tokens)."""
        env = self.environ
        return f"{env.get('REQUEST_METHOD', '?')} {env.get('PATH_INFO', '')}"

    def mark_committed(self) -> None:
        """Record that this request made a lasting change (a database transaction committed).

        From then on its answer must not turn into an error: a client told
        "failed" retries, and the write is made twice. A plugin whose work
        after the view fails (a session that cannot be saved) reads
        ``committed`` and keeps the response, logging what was lost.
        """
        self.__dict__[COMMITTED] = True

    @property
    def committed(self) -> bool:
        """Whether ``mark_committed()`` was called during this request."""
        return COMMITTED in self.__dict__

    def after_response(self, callback: Callable[[Request, Response], None]) -> None:
        """Call ``callback(request, response)`` once this request's response is built.

        For work that only some requests need on their response (a session
        that was read sets ``Vary: Cookie`` and maybe a cookie): register it
        when the feature is first used, and every other request keeps the
        core's fast path. Callbacks run in registration order, after the
        ``corolla_response`` hooks, on error responses too (those made by
        ``corolla_handle_exception`` or the core), before the teardown hooks;
        each runs at most once. One that raises on a normal response turns it
        into the error response for its exception (``corolla_handle_exception``
        included; the callbacks after it do not run); one that raises on an
        error response gives its ``HTTPException``'s own response, or a plain
        500 logged naming the plugin. Callbacks registered by a callback (e.g.
        just before it raises) run on the response that replaces it.
        """
        self.__dict__.setdefault(AFTER_RESPONSE, []).append(callback)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path!r}>"


class Response(_WerkzeugResponse):
    """werkzeug's Response; a bare string body is HTML, as views usually return pages."""

    default_mimetype = "text/html"

    def __init__(
        self,
        response: Any = None,
        status: int | str | HTTPStatus | None = None,
        headers: Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        # The usual call, Response(body[, status][, mimetype=... or content_type=...]), sets
        # the attributes werkzeug's constructor would (tests compare them) without its
        # Headers() set-and-validate round trips: about half the cost of a Response.
        if (
            headers is None
            and not direct_passthrough
            and (type(response) is str or type(response) is bytes)
            and (status is None or type(status) is int)
            and self.automatically_set_content_length
        ):
            if content_type is None:
                content_type = _content_type(self.default_mimetype if mimetype is None else mimetype)
            if "\n" not in content_type and "\r" not in content_type:
                body = response.encode() if isinstance(response, str) else bytes(response)
                fields = Headers()
                fields._list = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
                self.headers = fields
                code = self.default_status if status is None else status
                line = _STATUS_LINES.get(code)
                if line is None:
                    self.status = code  # werkzeug's own words for an unknown code
                else:
                    self._status, self._status_code = line, code
                self.direct_passthrough = False
                self._on_close = []
                self.response = [body]
                return
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)


#: Status code -> status line as werkzeug writes it ("404 NOT FOUND").
_STATUS_LINES = {code: f"{code} {reason.upper()}" for code, reason in HTTP_STATUS_CODES.items()}


@functools.lru_cache(maxsize=64)
def _content_type(mimetype: str) -> str:
    return get_content_type(mimetype, "utf-8")


#: What a dict or list is sent as (werkzeug adds no charset to it).
JSON_TYPE = "application/json"


class ResponseValueError(TypeError):
    """A view (or a plugin's wrapper) returned something that cannot be made into a response."""


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ResponseValueError(
            f"the view returned a {type(value).__name__} that cannot be encoded as JSON: {exc}"
        ) from exc


def _unpack(rv: tuple[Any, ...], request: Request) -> tuple[Any, int | str | None, Any]:
    """``(body, status)``, ``(body, headers)`` or ``(body, status, headers)`` -> (body, status, headers)."""
    if len(rv) == 3:
        return rv[0], rv[1], rv[2]
    if len(rv) == 2:
        body, second = rv
        if isinstance(second, (Mapping, list, Headers)):  # werkzeug Headers is no Mapping
            return body, None, second
        return body, second, None
    raise ResponseValueError(
        f"the view for {request.method} {request.path} returned a tuple of {len(rv)} items; "
        "return (body, status), (body, headers) or (body, status, headers)"
    )


def make_response(rv: Any, request: Request) -> _WerkzeugResponse:
    """Turn a view's return value into a Response.

    Accepted: ``str`` or ``bytes`` (HTML), ``dict`` or ``list`` (JSON), a
    Response, an ``HTTPException``, and tuples ``(body, status)``,
    ``(body, headers)`` and ``(body, status, headers)``.
    """
    if isinstance(rv, _WerkzeugResponse):
        return rv
    status: int | str | None = None
    headers: Any = None
    if isinstance(rv, tuple):  # only tuple results pay for the call
        rv, status, headers = _unpack(rv, request)
    response: _WerkzeugResponse
    if isinstance(rv, (str, bytes, bytearray)):
        response = Response(bytes(rv) if isinstance(rv, bytearray) else rv)
    elif isinstance(rv, (dict, list)):
        response = Response(_json(rv), mimetype=JSON_TYPE)
    elif isinstance(rv, _WerkzeugResponse):
        response = rv
    elif isinstance(rv, HTTPException):
        response = rv.get_response(request.environ)
    elif rv is None:
        raise ResponseValueError(
            f"the view for {request.method} {request.path} returned None; "
            "return a str, bytes, dict, list, tuple or Response"
        )
    else:
        raise ResponseValueError(
            f"the view for {request.method} {request.path} returned a {type(rv).__name__}; "
            "return a str, bytes, dict, list, tuple or Response"
        )
    if status is not None:
        code = status if isinstance(status, int) and not isinstance(status, bool) else None
        if isinstance(status, str) and status[:3].isdigit() and (len(status) == 3 or status[3] == " "):
            code = int(status[:3])
        if code is None or not 100 <= code <= 599:
            raise ResponseValueError(
                f"the view for {request.method} {request.path} returned the status {status!r}; "
                "use an int from 100 to 599 or a string like '404 Not Found'"
            )
        if isinstance(status, int):
            response.status_code = status
        else:
            response.status = status
        if response.status_code == 204:
            # werkzeug drops a 204's body and Content-Length but would keep the
            # default Content-Type, which PEP 3333's validator rejects.
            response.headers.remove("Content-Type")
    if headers:
        response.headers.update(headers)
    return response
