"""Login rate limiting, stored in the database so every worker and machine sees the same counts.

A failed login adds one ``auth_login_attempt`` row for the account
(``user:<name>``) and one for the client address (``addr:<ip>``). A login is
refused (429) while either key has ``max_attempts`` failures younger than
``window`` seconds; ``Retry-After`` says when the oldest of them expires. A
successful login deletes the account's rows (not the address's: one good
password does not clear a guessing spree from that address).

Counting and recording are two statements, not one atomic step: two
workers racing may each let one more attempt through. The limit is about
slowing guessing down to a few tries per window, which this does.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import LoginAttempt

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult


@dataclass(frozen=True)
class Limited:
    """Over the limit: which key and how many seconds until one more attempt is allowed."""

    what: str  # "account" or "address"
    retry_after: int


def keys(username: str, address: str | None) -> dict[str, str]:
    return {"account": "user:" + username.strip().lower()[:150], "address": "addr:" + (address or "unknown")[:150]}


def check(
    db: Session, keys: dict[str, str], max_attempts: int, window: int, now: float | None = None
) -> Limited | None:
    """The first key over the limit, or None."""
    if max_attempts <= 0:
        return None
    now = time.time() if now is None else now
    since = now - window
    for what, key in keys.items():
        count, oldest = db.execute(
            select(func.count(), func.min(LoginAttempt.attempted_at)).where(
                LoginAttempt.key == key, LoginAttempt.attempted_at > since
            )
        ).one()
        if count >= max_attempts:
            # The (count - max_attempts + 1)-th oldest must expire; the oldest is a close, safe bound when
            # count == max_attempts, and otherwise we look it up.
            if count > max_attempts:
                oldest = db.scalars(
                    select(LoginAttempt.attempted_at)
                    .where(LoginAttempt.key == key, LoginAttempt.attempted_at > since)
                    .order_by(LoginAttempt.attempted_at)
                    .offset(count - max_attempts)
                    .limit(1)
                ).one()
            return Limited(what, max(1, math.ceil(oldest + window - now)))
    return None


def record_failure(db: Session, keys: dict[str, str], window: int, now: float | None = None) -> None:
    """Count one failed attempt for every key, and forget attempts older than the window (commits)."""
    now = time.time() if now is None else now
    db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - window))
    db.add_all(LoginAttempt(key=key, attempted_at=now) for key in keys.values())
    db.commit()


def clear(db: Session, key: str) -> None:
    """Forget the failures of ``key`` (after a successful login; commits when there were any)."""
    # A DELETE's result is a CursorResult, which has the rowcount.
    result = cast("CursorResult[Any]", db.execute(delete(LoginAttempt).where(LoginAttempt.key == key)))
    if result.rowcount:
        db.commit()
    else:
        db.rollback()  # nothing to forget: no write, no commit to wait for
