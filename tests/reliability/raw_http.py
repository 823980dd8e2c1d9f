"""Raw HTTP/1.1 over a socket, so no client library tidies up what the tests send to gunicorn."""

from __future__ import annotations

import re
import socket
import urllib.parse
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def parse(raw: bytes) -> RawResponse:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    match = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    assert match, f"not an HTTP response: {raw[:200]!r}"
    headers = [tuple(line.split(": ", 1)) for line in lines[1:] if ": " in line]
    return RawResponse(int(match.group(1)), headers, body)  # type: ignore[arg-type]


def send(port: int, data: bytes, *, half_close: bool = True, timeout: float = 10.0) -> RawResponse:
    """Send ``data`` as it is, close our side (the client is done), and read the whole answer."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return parse(b"".join(chunks))


def explanation(body: bytes) -> str:
    """What an error page says (its heading and detail), or the start of the body."""
    text = body.decode(errors="replace")
    found = re.findall(r"<h1>(.*?)</h1>|<p class=\"detail\">(.*?)</p>", text, re.S)
    return " / ".join(part for pair in found for part in pair if part) or text[:500]


@dataclass
class Browser:
    """A logged-in visitor over raw sockets: its cookie, and the CSRF token of a page."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> RawResponse:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "Connection: close"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        response = send(self.port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin1") + body)
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, val = cookie.partition("=")
                # An expired cookie is deleted; look at the attributes only (a hex value may hold "1970").
                if "max-age=0" in attributes.lower() or "1970" in attributes:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        return response

    def token(self, path: str) -> str:
        page = self.request("GET", path).body.decode()
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, page[:500]
        import html

        return html.unescape(found.group(1))

    def form(self, path: str, fields: dict[str, str]) -> RawResponse:
        data = {"csrf_token": self.token(path), **fields}
        body = urllib.parse.urlencode(data).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def signup(self, username: str, password: str = "correct horse battery staple") -> Browser:
        response = self.form("/auth/register", {"username": username, "password": password, "confirm": password})
        assert response.status == 303, (response.status, explanation(response.body), sorted(self.cookies))
        return self

    def head_of(self, method: str, path: str, extra: list[str]) -> bytes:
        """The request line and headers of a hand-made request with this visitor's cookie."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "Connection: close"]
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode("latin1")
