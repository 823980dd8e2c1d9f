"""tests/servers.py itself: a server whose probed port was taken starts again on another one."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import redis
import servers
import sqlalchemy as sa


@pytest.fixture
def taken_port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A port something else listens on, handed out as the first 'free' port."""
    with socket.socket() as other:
        other.bind((servers.HOST, 0))
        other.listen()
        port = int(other.getsockname()[1])
        ports = iter([port])
        probe = servers.free_port
        monkeypatch.setattr(servers, "free_port", lambda: next(ports, None) or probe())
        yield port


def test_redis_starts_again_when_its_port_was_taken(taken_port: int) -> None:
    with servers.redis_server() as server:
        assert server.port != taken_port
        assert redis.Redis.from_url(server.url).ping()


def test_postgres_starts_again_when_its_port_was_taken(taken_port: int) -> None:
    with servers.postgres_server() as server:
        assert server.port != taken_port
        engine = sa.create_engine(server.url)
        with engine.connect() as connection:
            assert connection.scalar(sa.text("select 1")) == 1
        engine.dispose()


def test_refused_port_refuses() -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((servers.HOST, servers.refused_port()), timeout=5)
