"""The Redis backend: a random 256-bit id in the cookie, the data in Redis with a TTL.

For many workers and machines. Each session is one Redis string holding its
JSON, under ``key_prefix`` + a hash of the id (``store_key``: the cookie
value itself is never stored), expiring after ``max_age`` seconds, so the
server enforces expiry whatever the client keeps. Every save is one atomic
command (``SET ... EX``, or ``MULTI``/``EXEC`` when ``regenerate()`` also
deletes the old id): a request that fails halfway writes nothing. A loaded
session is saved with ``SET ... XX`` and refreshed with ``EXPIRE``, which
both do nothing when the key is gone: a request that read the session
before a logout deleted it cannot bring it back.

Ids are not signed: 256 random bits cannot be guessed, and a cookie that is
not shaped like an id is refused without asking Redis. redis-py is imported
on first use, and the client (with its connection pool) is made then too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._backend import SessionBackend, decode_session, encode_session, logger, store_key
from ._errors import SessionBackendUnavailable
from ._session import Session

if TYPE_CHECKING:
    import redis as _redis

    from corolla import App

#: secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe characters.
_ID = re.compile(r"[A-Za-z0-9_-]{43}").fullmatch
#: Seconds to wait for Redis before answering 503 (the URL's own query parameters win).
TIMEOUT = 0.5


def redacted(url: str) -> str:
    """``url`` without its password, for log lines."""
    return re.sub(r"://([^:@/]*):[^@/]*@", r"://\1:***@", url)


class RedisBackend(SessionBackend):
    name = "redis"

    def __init__(self, app: App, settings: Mapping[str, Any]) -> None:
        super().__init__(app, settings)
        self.url: str = settings["redis_url"]
        self.prefix: str = settings["key_prefix"]
        self._client: _redis.Redis | None = None

    @property
    def client(self) -> _redis.Redis:
        client = self._client
        if client is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # One immediate retry: a pooled connection that went stale (Redis
            # restarted) reconnects, while a Redis that is down fails at once
            # instead of after redis-py's default backoff.
            client = self._client = redis.Redis.from_url(
                self.url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT, retry=Retry(NoBackoff(), 1)
            )
        return client

    def _unavailable(self, exc: Exception) -> SessionBackendUnavailable:
        return SessionBackendUnavailable("redis", f"{redacted(self.url)}: {type(exc).__name__}: {exc}")

    def load(self, value: str) -> Session | None:
        if not _ID(value):
            logger.debug("sessions: redis backend: the session cookie is not a session id; starting a new session")
            return None
        import redis

        try:
            payload = self.client.get(self.prefix + store_key(value))
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        if payload is None:
            logger.debug("sessions: redis backend: no session under this id (expired or deleted)")
            return None
        return decode_session(payload, "redis", sid=value)

    def save(self, session: Session, max_age: int) -> str | None:
        import redis

        payload = encode_session(session)
        sid = session.sid
        try:
            if sid is not None:
                # XX: only while the key exists; a logout (or expiry) since the load wins.
                if not self.client.set(self.prefix + store_key(sid), payload, ex=max_age, xx=True):
                    session.sid = None
                    return None
                return sid
            sid = secrets.token_urlsafe(32)
            if session.previous_sid is not None:
                pipe = self.client.pipeline(transaction=True)
                pipe.delete(self.prefix + store_key(session.previous_sid))
                pipe.set(self.prefix + store_key(sid), payload, ex=max_age)
                pipe.execute()
            else:
                self.client.set(self.prefix + store_key(sid), payload, ex=max_age)
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        session.sid = sid
        session.previous_sid = None
        return sid

    def refresh(self, session: Session, max_age: int) -> str | None:
        import redis

        if session.sid is None or session.previous_sid is not None:
            return self.save(session, max_age)
        try:
            found = self.client.expire(self.prefix + store_key(session.sid), max_age)
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        if not found:  # deleted (a logout) or expired since the load: never store it again
            session.sid = None
            return None
        return session.sid

    def delete(self, session: Session) -> None:
        import redis

        keys = [self.prefix + store_key(sid) for sid in (session.sid, session.previous_sid) if sid is not None]
        if keys:
            try:
                self.client.delete(*keys)
            except redis.RedisError as exc:
                raise self._unavailable(exc) from exc
        session.sid = session.previous_sid = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
