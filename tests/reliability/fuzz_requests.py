"""Hypothesis strategies for whole HTTP requests against the notes demo, as raw WSGI environs.

A request is built as bytes-level pieces (method, path, query, headers,
body) and turned into the environ a server would pass, with no client
library in between to tidy it up. ``FuzzRequest.as_http()`` renders it as
the raw HTTP/1.1 bytes to replay it (``printf '...' | nc 127.0.0.1 8000``).
"""

from __future__ import annotations

import io
import json
import string
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

ROUTES = [
    "/",
    "/notes/new",
    "/notes/{id}/edit",
    "/notes/{id}/delete",
    "/api/notes",
    "/api/notes/{id}",
    "/api/csrf-token",
    "/auth/login",
    "/auth/logout",
    "/auth/register",
    "/static/style.css",
    "/static/favicon.svg",
    "/nowhere",
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "G E T", ""]
FIELDS = ["title", "body", "username", "password", "confirm", "next", "csrf_token", "remember"]
NEXT_VALUES = [
    "/",
    "/notes/new",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "/[",
    "//[",
    "http://[",
    "https://[::1",
    "/\x00",
    "/%00",
    "javascript:alert(1)",
    "/" + "a" * 3000,
    "/\ud800",
    "\t//evil",
]
HOSTS = ["localhost", "127.0.0.1:8000", "[", "[::1]", "[::1", "a b", "", "x" * 300, "évil.example", "h:99999", "h:-1"]


@dataclass
class FuzzRequest:
    method: str
    path: bytes
    query: bytes
    headers: list[tuple[str, str]]
    body: bytes
    content_length: str | None
    terminated: bool
    scheme: str = "http"
    notes: list[str] = field(default_factory=list)

    def environ(self) -> dict[str, Any]:
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": self.path.decode("latin1"),
            "QUERY_STRING": self.query.decode("latin1"),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443" if self.scheme == "https" else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if self.terminated:
            env["wsgi.input_terminated"] = True
        if self.content_length is not None:
            env["CONTENT_LENGTH"] = self.content_length
        for name, value in self.headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                env["CONTENT_TYPE"] = value
                continue
            if key == "CONTENT_LENGTH":
                continue
            key = "HTTP_" + key
            env[key] = f"{env[key]},{value}" if key in env else value  # as servers join repeated headers
        return env

    def as_http(self) -> str:
        """The request as raw HTTP/1.1 bytes (a Python bytes literal), to replay by hand."""
        lines = [f"{self.method} ".encode("latin1") + self.path + (b"?" + self.query if self.query else b"")]
        lines[0] += b" HTTP/1.1"
        for name, value in self.headers:
            lines.append(f"{name}: {value}".encode("utf-8", "surrogatepass"))
        if self.content_length is not None:
            lines.append(f"Content-Length: {self.content_length}".encode())
        elif self.terminated and self.body:
            lines.append(b"Transfer-Encoding: chunked")
        return repr(b"\r\n".join(lines) + b"\r\n\r\n" + self.body)


@dataclass
class Identity:
    """What a fuzzed request can borrow from a real visitor: a session cookie and CSRF tokens."""

    cookie_name: str
    cookie: str
    token: str
    other_token: str
    note_id: int


_CACHE: dict[tuple[Any, int], st.SearchStrategy[Any]] = {}


def once(owner: object, make: Callable[[], st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """The strategy ``make()`` builds, made once per call site (and ``owner``, e.g. the identity it uses).

    A strategy built anew on every draw costs hypothesis its validation each
    time: caching them made the suite about three times faster.
    """
    key = (make.__code__, id(owner))
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = make()
    return found


def _quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="/")


ints = st.one_of(
    st.integers(min_value=-5, max_value=50),
    st.sampled_from([2**31, 2**63 - 1, 2**63, 10**20, 10**400]),
)


@st.composite
def paths(draw: st.DrawFn, identity: Identity) -> bytes:
    template = draw(once(None, lambda: st.sampled_from(ROUTES)))
    number = draw(once(identity, lambda: st.one_of(st.just(identity.note_id), ints)))
    path = template.replace("{id}", str(number))
    mutation = draw(
        once(None, lambda: st.sampled_from(["none"] * 6 + ["pct", "utf8", "nul", "dots", "long", "text", "slashes"]))
    )
    if mutation == "pct":
        path += draw(
            once(None, lambda: st.sampled_from(["%", "%z", "%zz", "%C3", "%FF%FE", "%2e%2e/%2e%2e", "%00", "%2F"]))
        )
    elif mutation == "utf8":
        return path.encode() + draw(
            once(None, lambda: st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82"]))
        )
    elif mutation == "nul":
        path += "\x00"
    elif mutation == "dots":
        path = "/../../" + path + "/.."
    elif mutation == "long":
        path += "/" + "a" * draw(once(None, lambda: st.integers(min_value=100, max_value=20000)))
    elif mutation == "text":
        path = "/" + _quoted(draw(once(None, lambda: st.text(max_size=40))))
    elif mutation == "slashes":
        path = "//" + path + "//"
    return path.encode("utf-8", "surrogatepass")


def _form_value(draw: st.DrawFn) -> str:
    return draw(
        once(
            None,
            lambda: st.one_of(
                st.text(max_size=30),
                st.sampled_from(["", "x" * 5000, "\x00", "a\x00b", "\ud800", "<script>", "1" * 5000]),
            ),
        )
    )


@st.composite
def form_fields(draw: st.DrawFn, identity: Identity) -> list[tuple[str, str]]:
    names = draw(once(None, lambda: st.lists(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), max_size=8)))
    items = [(name, _form_value(draw)) for name in names]
    if draw(once(None, lambda: st.booleans())):
        items.append(("next", draw(once(None, lambda: st.one_of(st.sampled_from(NEXT_VALUES), st.text(max_size=20))))))
    token = draw(once(identity, lambda: csrf_tokens(identity)))
    if token is not None:
        items.append(("csrf_token", token))
    return items


def csrf_tokens(identity: Identity) -> st.SearchStrategy[str | None]:
    return st.one_of(
        st.none(),
        st.just(identity.token),
        st.just(identity.other_token),  # another session's
        st.just(identity.token[:-3] + "abc"),  # tampered
        st.just(identity.token.split(".")[0]),  # truncated
        st.text(max_size=60),  # forged
    )


def _urlencode(items: list[tuple[str, str]]) -> bytes:
    return "&".join(
        urllib.parse.quote(k.encode("utf-8", "surrogatepass"))
        + "="
        + urllib.parse.quote(v.encode("utf-8", "surrogatepass"))
        for k, v in items
    ).encode()


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(["\x00", "x" * 3000]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def bodies(draw: st.DrawFn, identity: Identity) -> tuple[str | None, bytes]:
    """(Content-Type, body)."""
    kind = draw(
        once(
            None,
            lambda: st.sampled_from(
                ["none", "form", "form", "form-raw", "many-fields", "multipart", "json", "json-raw"]
            ),
        )
    )
    if kind == "none":
        return draw(once(None, lambda: st.sampled_from([None, "text/plain", "application/octet-stream"]))), draw(
            once(None, lambda: st.binary(max_size=50))
        )
    if kind == "form":
        return "application/x-www-form-urlencoded", _urlencode(draw(once(identity, lambda: form_fields(identity))))
    if kind == "form-raw":
        raw = draw(
            once(
                None,
                lambda: st.sampled_from([b"title=%zz", b"title=%", b"=&=&&", b"title=%ED%A0%80", b"a=%00", b"%FF=1"]),
            )
        )
        charset = draw(
            once(None, lambda: st.sampled_from(["", "; charset=utf-16", "; charset=latin1", "; charset=nonsense"]))
        )
        return "application/x-www-form-urlencoded" + charset, raw + b"&csrf_token=" + identity.token.encode()
    if kind == "many-fields":
        count = draw(once(None, lambda: st.sampled_from([1001, 5000])))
        return "application/x-www-form-urlencoded", b"&".join(b"f%d=1" % i for i in range(count))
    if kind == "multipart":
        boundary = draw(once(None, lambda: st.sampled_from(["b0undary", "", "a" * 80, "x y"])))
        ctype = draw(
            once(
                None,
                lambda: st.sampled_from(
                    [f"multipart/form-data; boundary={boundary}", "multipart/form-data", "multipart/mixed; boundary=q"]
                ),
            )
        )
        parts = []
        for name, value in draw(once(identity, lambda: form_fields(identity))):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode(
                    "utf-8", "surrogatepass"
                )
                + value.encode("utf-8", "surrogatepass")
                + b"\r\n"
            )
        for index in range(draw(once(None, lambda: st.sampled_from([0, 0, 1, 1100])))):  # many parts
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="p{index}"\r\n\r\nv\r\n'.encode())
        ending = draw(once(None, lambda: st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--", b"garbage"])))
        return ctype, b"".join(parts) + ending
    if kind == "json":
        value = draw(
            once(
                None,
                lambda: st.one_of(json_values, st.fixed_dictionaries({"title": json_values, "body": json_values})),
            )
        )
        return "application/json", json.dumps(value).encode()
    raw = draw(
        once(
            None,
            lambda: st.sampled_from(
                [
                    b'{"title": ' + b"9" * 5000 + b"}",
                    b'{"title": -' + b"1" * 4400 + b"}",
                    b'{"title": 1e999999}',
                    b"[" * 5000 + b"]" * 5000,
                    b'{"a":' * 3000 + b"1" + b"}" * 3000,
                    b'{"title": "\\ud800"}',
                    b'{"title": "\\u0000"}',
                    b"\xff\xfe{",
                    b'{"title": NaN}',
                    b"",
                    b"{",
                ]
            ),
        )
    )
    charset = draw(once(None, lambda: st.sampled_from(["", "; charset=utf-16", "; charset=bogus"])))
    return "application/json" + charset, raw


@st.composite
def cookies(draw: st.DrawFn, identity: Identity) -> str | None:
    name = identity.cookie_name
    kind = draw(
        once(
            None,
            lambda: st.sampled_from(
                ["valid", "valid", "valid", "none", "tampered", "garbage", "duplicate", "huge", "other"]
            ),
        )
    )
    if kind == "none":
        return None
    if kind == "valid":
        return f"{name}={identity.cookie}"
    if kind == "tampered":
        return f"{name}={identity.cookie[:-4]}AAAA"
    if kind == "garbage":
        return f"{name}={draw(once('L297C30', lambda: st.text(alphabet=string.printable, max_size=80)))}"
    if kind == "duplicate":
        return f"{name}=x; {name}={identity.cookie}; {name}=y"
    if kind == "huge":
        return f"{name}=" + "A" * 8000
    return draw(
        once(
            identity,
            lambda: st.sampled_from(["=;;=", 'a="b', "session", "\x7f=1", f'{name}="{identity.cookie}"']),
        )
    )


#: The views a request aims at: (path template, its methods, the fields its body takes, JSON or a form).
VIEWS = [
    ("/", ["GET"], [], False),
    ("/notes/new", ["GET", "POST"], ["title", "body"], False),
    ("/notes/{id}/edit", ["GET", "POST"], ["title", "body"], False),
    ("/notes/{id}/delete", ["POST"], [], False),
    ("/api/notes", ["GET", "POST"], ["title", "body"], True),
    ("/api/notes/{id}", ["GET", "PUT", "PATCH", "DELETE"], ["title", "body"], True),
    ("/api/csrf-token", ["GET"], [], True),
    ("/auth/login", ["GET", "POST"], ["username", "password", "next"], False),
    ("/auth/login", ["POST"], ["username", "password", "next"], True),
    ("/auth/register", ["POST"], ["username", "password", "confirm"], False),
    ("/auth/logout", ["POST"], [], False),
]
#: The parts of a request that can be made wrong.
PARTS = [
    "method",
    "path",
    "query",
    "token",
    "body",
    "value",
    "raw",
    "get-body",
    "host",
    "cookie",
    "headers",
    "framing",
    "scheme",
]


@st.composite
def requests(draw: st.DrawFn, identity: Identity) -> FuzzRequest:
    """A request a real client of one view would send, with a few of its parts made wrong.

    Mostly-valid requests get past the checks in front of a view (cookie,
    CSRF token, content type, framing) so the fuzzed values reach the views,
    the forms and the database: up to two parts (``PARTS``) are fuzzed, and
    form values are fuzzed in any case.
    """
    view = draw(once(None, lambda: st.sampled_from(VIEWS)))
    template, methods = view[0], view[1]
    # At most two parts are made wrong, the rest is what a client of the view sends.
    faults = draw(once(None, lambda: st.sets(st.sampled_from(PARTS), max_size=2)))

    def wrong(part: str) -> bool:
        return part in faults

    method = draw(once(None, lambda: st.sampled_from(METHODS))) if wrong("method") else draw(st.sampled_from(methods))
    if wrong("path"):
        path = draw(once(identity, lambda: paths(identity)))
    else:
        number = draw(once(identity, lambda: st.one_of(st.just(identity.note_id), ints)))
        path = template.replace("{id}", str(number)).encode()
    query = draw(once(None, lambda: queries)) if wrong("query") else b""
    token = draw(once(identity, lambda: csrf_tokens(identity))) if wrong("token") else identity.token
    ctype, body = _body(draw, identity, view, wrong, method, token)
    headers = _headers(draw, identity, view, wrong, method, token, ctype)
    length, terminated = _framing(draw, wrong, body)
    scheme = "https" if wrong("scheme") else "http"
    return FuzzRequest(method, path, query, headers, body, length, terminated, scheme)


queries = st.builds(
    lambda value, extra: _urlencode([("next", value)]) + extra,
    st.one_of(st.sampled_from(NEXT_VALUES), st.text()),
    st.sampled_from([b"", b"&%zz", b"&a=%ff", b"&" * 50, b"&x=" + b"y" * 5000]),
)


def _body(
    draw: st.DrawFn, identity: Identity, view: Any, wrong: Callable[[str], bool], method: str, token: str | None
) -> tuple[str | None, bytes]:
    """(Content-Type, body): the view's fields, fuzzed values, or a fuzzed body of any kind."""
    field_names, as_json = view[2], view[3]
    if method in ("GET", "HEAD") and not wrong("get-body"):
        return None, b""
    if wrong("body") or not field_names:
        return draw(once(identity, lambda: bodies(identity)))
    if not as_json:
        items = [(name, _form_value(draw)) for name in field_names]
        if draw(once(None, lambda: st.booleans())):
            items.append(("csrf_token", token or ""))
        return "application/x-www-form-urlencoded", _urlencode(items)
    value = {
        name: draw(once(None, lambda: json_values)) if wrong("value") else _form_value(draw) for name in field_names
    }
    body = json.dumps(value).encode()
    if wrong("raw"):  # a value no json.dumps makes: 5,000 digits, escapes of lone surrogates or NUL
        raw = draw(once(None, lambda: st.sampled_from([b"9" * 5000, b'"\\ud800"', b'"\\u0000"', b"1e999"])))
        body = b'{"' + field_names[0].encode() + b'": ' + raw + b"}"
    return "application/json", body


def _headers(
    draw: st.DrawFn,
    identity: Identity,
    view: Any,
    wrong: Callable[[str], bool],
    method: str,
    token: str | None,
    ctype: str | None,
) -> list[tuple[str, str]]:
    as_json = view[3]
    host = draw(once(None, lambda: st.sampled_from(HOSTS))) if wrong("host") else "localhost"
    headers = [("Host", host)]
    valid_cookie = f"{identity.cookie_name}={identity.cookie}"
    cookie = draw(once(identity, lambda: cookies(identity))) if wrong("cookie") else valid_cookie
    if cookie is not None:
        headers.append(("Cookie", cookie))
    if ctype is not None:
        headers.append(("Content-Type", ctype))
    if token is not None and method not in ("GET", "HEAD") and (as_json or draw(once(None, lambda: st.booleans()))):
        headers.append(("X-CSRFToken", token))
    if as_json:
        headers.append(("Accept", "application/json"))
    if wrong("headers"):
        headers.extend(draw(once(None, lambda: st.lists(st.sampled_from(ODD_HEADERS), min_size=1, max_size=4))))
    return headers


def _framing(draw: st.DrawFn, wrong: Callable[[str], bool], body: bytes) -> tuple[str | None, bool]:
    """(Content-Length, wsgi.input_terminated): right, or one of the ways a body's framing goes wrong."""
    if not wrong("framing"):
        return str(len(body)), True  # gunicorn sets wsgi.input_terminated
    framing = draw(once(None, lambda: st.sampled_from(["short", "long", "bogus", "stream", "negative", "plain"])))
    if framing == "short":  # Content-Length larger than the body sent
        return str(len(body) + draw(once(None, lambda: st.integers(min_value=1, max_value=5000)))), True
    if framing == "long":  # Content-Length smaller than the body: the rest is ignored
        return str(max(0, len(body) - 1)), True
    if framing == "bogus":
        return draw(once(None, lambda: st.sampled_from(["abc", "1e3", " 5", "99999999999999999999999"]))), True
    if framing == "negative":
        return "-1", True
    if framing == "stream":  # chunked: the server ends the stream
        return None, True
    return str(len(body)), False  # a server that does not set wsgi.input_terminated


ODD_HEADERS = [
    ("Accept", "application/json"),
    ("Accept", "text/html;q=0.1, application/json;q=x"),
    ("Referer", "https://["),
    ("Referer", "https://localhost/"),
    ("Referer", "http://["),
    ("Origin", "null"),
    ("Origin", "https://evil.example"),
    ("Origin", "https://["),
    ("X-Forwarded-For", "1.2.3.4, ["),
    ("Accept-Language", "x" * 9000),
    ("If-Modified-Since", "not a date"),
    ("If-None-Match", '"' * 30),
    ("Range", "bytes=9-1"),
    ("Accept-Encoding", "\x01"),
    ("X-Weird", "a\x00b"),
    ("X-Weird", "\udcff"),
    ("Cookie", "session=x"),
    ("Content-Type", "application/json"),
    ("X-CSRFToken", "forged"),
]
