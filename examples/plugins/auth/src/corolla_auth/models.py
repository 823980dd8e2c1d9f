"""The tables of corolla-auth: ``User`` (``auth_user``) and ``LoginAttempt`` (``auth_login_attempt``).

Importing this module imports SQLAlchemy; ``corolla_auth.User`` loads it on
first use, and the plugin imports it when the app starts (so the app's
``corolla db revision --autogenerate`` sees these tables and leaves them be).
Their schema is created by the migration the plugin ships
(``corolla_auth/migrations/versions/``, Alembic branch ``auth``), never by
``create_all`` behind your back.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Float, String
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from corolla_orm import Model


def _now() -> datetime:
    return datetime.now(timezone.utc)


class User(Model):
    """An account: a ``username``, unique whatever its case, and a salted password hash (``werkzeug.security``)."""

    __tablename__ = "auth_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))  # as typed, for display: "Alice"
    # Set with username: the database refuses "alice" when "Alice" exists, even when two registrations race.
    username_lower: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def set_password(self, password: str, method: str | None = None) -> None:
        """Store a salted hash of ``password`` (``method``: werkzeug's, default scrypt)."""
        if method is None:
            self.password_hash = generate_password_hash(password)
        else:
            self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's (constant-time comparison)."""
        return check_password_hash(self.password_hash, password)

    @validates("username")
    def _set_username_lower(self, key: str, username: str) -> str:
        self.username_lower = username.lower()
        return username

    def __repr__(self) -> str:
        return f"<User {self.id!r} {self.username!r}>"


class LoginAttempt(Model):
    """One failed login, kept for ``[auth] window`` seconds; ``key`` is ``user:<name>`` or ``addr:<ip>``."""

    __tablename__ = "auth_login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    attempted_at: Mapped[float] = mapped_column(Float, index=True)


__all__ = ["LoginAttempt", "User"]
