"""The fuzzed requests as raw bytes over a socket to the notes demo under gunicorn: limits, framing, slow clients.

No client library sits in between: request lines and headers past
gunicorn's limits, Content-Length mismatches and bad chunk sizes reach the
real server as they were generated. Every answer is a 4xx, a 2xx or 3xx, or
the server closing a connection it cannot parse; never a 5xx, never a hang.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import servers
from fuzz_requests import Identity, requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from raw_http import HOST, Browser
from reliability_support import NOTES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, notes_db: Path) -> Iterator[servers.Gunicorn]:
    instance = tmp_path_factory.mktemp("raw-instance")
    shutil.copyfile(notes_db, instance / "app.db")
    env = {
        "COROLLA_CORE__INSTANCE_PATH": str(instance),
        "COROLLA_CORE__SECRET_KEY": "reliability-tests-secret-key-0123456789abcdef",
    }
    # --timeout 2: a client that stops sending holds a sync worker at most that long.
    args = ["--timeout", "2", "--graceful-timeout", "2"]
    with servers.gunicorn("app:app", cwd=NOTES, workers=2, env=env, args=args) as server:
        yield server


@pytest.fixture(scope="module")
def identity(server: servers.Gunicorn) -> Identity:
    import json

    alice = Browser(server.port).signup("alice")
    bob = Browser(server.port).signup("bob")
    token = json.loads(alice.request("GET", "/api/csrf-token").body)["csrf_token"]
    other = json.loads(bob.request("GET", "/api/csrf-token").body)["csrf_token"]
    created = alice.request(
        "POST",
        "/api/notes",
        b'{"title": "kept"}',
        {"Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json"},
    )
    assert created.status == 201, created.body
    return Identity("session", alice.cookies["session"], token, other, int(json.loads(created.body)["id"]))


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data``, close our side, read until the server closes (``timeout`` bounds a hang)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before reading everything (a limit)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


def status_of(raw: bytes) -> int | None:
    return int(raw[9:12]) if raw.startswith(b"HTTP/1.") else None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),  # request line over limit_request_line
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 9000 + b"\r\n\r\n", 431),  # limit_request_field_size
        (b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", 400),
        (b"POST /auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
    ids=["long-request-line", "120-headers", "long-header", "two-lengths", "bad-chunk-size", "http-9.9", "nul-method"],
)
def test_limits_and_malformed_framing(server: servers.Gunicorn, data: bytes, expected: int) -> None:
    assert status_of(exchange(server.port, data)) == expected


def test_a_slow_client_holds_a_worker_only_for_a_bounded_time(server: servers.Gunicorn) -> None:
    # Half a request, then nothing: the worker gives up (its timeout) and the others keep serving.
    with socket.create_connection((HOST, server.port), timeout=15) as stalled:
        stalled.sendall(b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        assert status_of(exchange(server.port, b"GET /auth/login HTTP/1.1\r\nHost: x\r\n\r\n")) == 200
        answer = b""
        try:
            while chunk := stalled.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    # Closed (or answered 400: the body ended) by the server, not by our 15 s timeout.
    assert answer == b"" or status_of(answer) == 400


@settings(
    max_examples=500,
    deadline=None,
    database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "examples")),
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_fuzzed_requests_over_a_socket(server: servers.Gunicorn, identity: Identity, data: st.DataObject) -> None:
    request = data.draw(requests(identity))
    raw = eval(request.as_http())  # noqa: S307 - our own repr of bytes
    answer = exchange(server.port, raw)
    status = status_of(answer)
    assert status is None or status < 500, f"{status} for {raw!r}:\n{answer[:1000]!r}"
    assert b"Traceback" not in answer
