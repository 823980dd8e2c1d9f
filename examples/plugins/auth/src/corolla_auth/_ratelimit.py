"""Login and registration rate limiting, stored in the database so every worker and machine sees the same counts.

Every login attempt is first recorded (one ``auth_login_attempt`` row per
key it counts against, committed), then counted: the attempt is refused
(429) when a key now holds more rows younger than ``window`` than its limit.
Recording first makes the limit exact under concurrency: of N parallel
attempts, only those that see a count within the limit go on to check a
password (counting first let 40 parallel logins on 4 workers check 7).

Which keys an attempt counts against (OWASP's "device cookies"):

* from a browser that logged in to this account before (a valid
  ``auth_device`` cookie naming the user): only ``device:<nonce>``, that
  browser's own limit. Nobody else's failures lock the owner out.
* from anywhere else: ``pair:<account>|<address>`` (a hard lock of that
  address for that account), ``user:<account>`` (every address together,
  against a botnet guessing one account; a higher limit) and
  ``addr:<address>`` (every account together, against one address trying
  many accounts).

Addresses are grouped: IPv6 by /64 (one host usually owns a whole /64),
IPv4-mapped IPv6 as the IPv4 address. A successful login deletes its own
rows and the failures of its account, pair and device (not the address's:
one good password does not clear a guessing spree from that address).
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from .models import LoginAttempt

#: How each kind of key is named in the refusal: "Too many failed logins <...>".
WHERE = {
    "pair": "for this account from this address",
    "account": "for this account",
    "address": "from this address",
    "device": "from this browser",
    "registration": "",
}


@dataclass(frozen=True)
class Limited:
    """Over the limit: which kind of key and how many seconds until one more attempt is allowed."""

    what: str  # a key of WHERE
    retry_after: int


@dataclass(frozen=True)
class Key:
    what: str
    key: str
    limit: int


def address_group(address: str | None) -> str:
    """The unit an address is counted in: the IPv4 address, or the IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def account(username: str) -> str:
    return username.strip().lower()[:80]


def login_keys(username: str, address: str | None, device: str | None, config: Any) -> list[Key]:
    """The keys a login attempt counts against (``device``: the nonce of a trusted device cookie, or None)."""
    if device is not None:
        return [Key("device", "device:" + device, config["max_attempts"])]
    name, group = account(username), address_group(address)
    return [
        Key("pair", f"pair:{name}|{group}", config["max_attempts"]),
        Key("account", "user:" + name, config["max_attempts_per_account"]),
        Key("address", "addr:" + group, config["max_attempts_per_address"]),
    ]


def attempt(db: Session, keys: list[Key], window: int, now: float | None = None) -> tuple[Limited | None, list[int]]:
    """Record one attempt under every limited key (commits), then the first key over its limit, and the row ids."""
    keys = [k for k in keys if k.limit > 0]
    if not keys:
        return None, []
    now = time.time() if now is None else now
    since = now - window
    db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= since))
    rows = [LoginAttempt(key=k.key, attempted_at=now) for k in keys]
    db.add_all(rows)
    db.commit()
    ids = [row.id for row in rows]
    for k in keys:
        count = db.scalar(select(func.count()).where(LoginAttempt.key == k.key, LoginAttempt.attempted_at > since))
        if count is not None and count > k.limit:
            # One more attempt is allowed once all but limit - 1 of these rows have expired:
            # the (count - limit + 1)-th oldest sets the time.
            oldest = db.scalars(
                select(LoginAttempt.attempted_at)
                .where(LoginAttempt.key == k.key, LoginAttempt.attempted_at > since)
                .order_by(LoginAttempt.attempted_at)
                .offset(count - k.limit)
                .limit(1)
            ).first()
            retry = window if oldest is None else max(1, math.ceil(oldest + window - now))
            db.rollback()
            return Limited(k.what, retry), ids
    db.rollback()  # the counts were reads: end the transaction, nothing to write
    return None, ids


def succeeded(db: Session, keys: list[Key], ids: list[int]) -> None:
    """After a successful login: forget this attempt's rows and the failures of its account, pair and device."""
    cleared = [k.key for k in keys if k.what in ("pair", "account", "device")]
    result = cast(
        "CursorResult[Any]",
        db.execute(delete(LoginAttempt).where(or_(LoginAttempt.id.in_(ids), LoginAttempt.key.in_(cleared)))),
    )
    if result.rowcount:
        db.commit()
    else:
        db.rollback()
