"""The sql backend: sessions in a table of the orm plugin's database (``app.db``).

Offered only when the orm plugin is loaded. The table ``corolla_sessions``
(id, JSON data, expiry as Unix seconds) is declared in ``Model.metadata``,
so ``corolla db revision --autogenerate`` and ``corolla db create-all`` make
it with the app's own tables; this module is imported only when the backend
is chosen, so apps that do not use it never see the table.

Each save is one transaction on a connection of its own (never the
request's ``request.db``, whose commits are the view's business): the data
is all written or not at all. Expired rows are refused on read and deleted
now and then (at most once per ``CLEANUP_EVERY`` seconds per process, on a
save). Ids are random like the redis backend's, and the table's primary
key is a hash of the id (``store_key``), never the cookie value. A loaded
session is only ever updated (and only while unexpired), never inserted
again: a request that read the session before a logout deleted the row
cannot bring it back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import sqlalchemy as sa

from ._backend import SessionBackend, decode_session, encode_session, logger, store_key
from ._errors import SessionBackendUnavailable, SessionError
from ._session import Session

if TYPE_CHECKING:
    from corolla import App

TABLE = "corolla_sessions"
#: Seconds between two deletions of expired rows (per process).
CLEANUP_EVERY = 600

_ID = re.compile(r"[A-Za-z0-9_-]{43}").fullmatch


def _table() -> sa.Table:
    from corolla_orm.model import Model

    existing = Model.metadata.tables.get(TABLE)
    if existing is not None:
        return existing
    return sa.Table(
        TABLE,
        Model.metadata,
        sa.Column("id", sa.String(43), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
        comment="Sessions of the corolla-sessions plugin's sql backend",
    )


class SqlBackend(SessionBackend):
    name = "sql"

    def __init__(self, app: App, settings: Mapping[str, Any]) -> None:
        super().__init__(app, settings)
        self.table = _table()
        self._next_cleanup = 0.0

    @property
    def engine(self) -> sa.Engine:
        return self.app.db.engine  # type: ignore[attr-defined,no-any-return]

    def _fail(self, exc: sa.exc.SQLAlchemyError) -> NoReturn:
        """Raise what ``exc`` means here: a 503 when the database is unreachable, the fix when the table is missing."""
        from corolla_orm import is_unavailable

        db = self.app.db  # type: ignore[attr-defined]
        if is_unavailable(exc):
            orig = getattr(exc, "orig", None) or exc
            first_line = (str(orig).strip().splitlines() or [""])[0]
            raise SessionBackendUnavailable("sql", f"{db.safe_url()}: {type(orig).__name__}: {first_line}") from exc
        try:
            missing = not sa.inspect(self.engine).has_table(TABLE)
        except sa.exc.SQLAlchemyError:
            missing = False
        if missing:
            raise SessionError(
                f"the sql session backend needs the table {TABLE!r}, which {db.safe_url()} does not have; "
                "create it with `corolla db revision --autogenerate` then `corolla db upgrade` "
                "(or `corolla db create-all`)"
            ) from exc
        raise exc

    def load(self, value: str) -> Session | None:
        if not _ID(value):
            logger.debug("sessions: sql backend: the session cookie is not a session id; starting a new session")
            return None
        t = self.table
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(t.c.data, t.c.expires_at).where(t.c.id == store_key(value))).first()
        except sa.exc.SQLAlchemyError as exc:
            self._fail(exc)
        if row is None:
            logger.debug("sessions: sql backend: no session under this id (expired or deleted)")
            return None
        if row.expires_at <= self.clock():
            logger.debug("sessions: sql backend: the session expired")
            return None
        return decode_session(row.data, "sql", sid=value)

    def save(self, session: Session, max_age: int) -> str | None:
        data = encode_session(session).decode()
        now = self.clock()
        expires = int(now) + max_age
        t = self.table
        sid = session.sid
        try:
            with self.engine.begin() as conn:
                if sid is not None:
                    # A loaded session: update it while it lives, never insert it again.
                    updated = conn.execute(
                        sa.update(t)
                        .where(t.c.id == store_key(sid), t.c.expires_at > int(now))
                        .values(data=data, expires_at=expires)
                    ).rowcount
                    if not updated:
                        session.sid = None
                        return None
                else:
                    if session.previous_sid is not None:
                        conn.execute(sa.delete(t).where(t.c.id == store_key(session.previous_sid)))
                    sid = secrets.token_urlsafe(32)
                    conn.execute(sa.insert(t).values(id=store_key(sid), data=data, expires_at=expires))
                if now >= self._next_cleanup:
                    self._next_cleanup = now + CLEANUP_EVERY
                    conn.execute(sa.delete(t).where(t.c.expires_at <= int(now)))
        except sa.exc.SQLAlchemyError as exc:
            self._fail(exc)
        session.sid = sid
        session.previous_sid = None
        return sid

    def refresh(self, session: Session, max_age: int) -> str | None:
        sid = session.sid
        if sid is None or session.previous_sid is not None:
            return self.save(session, max_age)
        t = self.table
        now = int(self.clock())
        try:
            with self.engine.begin() as conn:
                found = conn.execute(
                    sa.update(t).where(t.c.id == store_key(sid), t.c.expires_at > now).values(expires_at=now + max_age)
                ).rowcount
        except sa.exc.SQLAlchemyError as exc:
            self._fail(exc)
        if not found:  # deleted (a logout) or expired since the load: never store it again
            session.sid = None
            return None
        return sid

    def delete(self, session: Session) -> None:
        ids = [store_key(sid) for sid in (session.sid, session.previous_sid) if sid is not None]
        if ids:
            t = self.table
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.delete(t).where(t.c.id.in_(ids)))
            except sa.exc.SQLAlchemyError as exc:
                self._fail(exc)
        session.sid = session.previous_sid = None
