"""Deploy checks for ``corolla check --deploy`` (connects to the database for the migrations check).

A check writes nothing: a SQLite file that does not exist is reported as
such, never connected to (SQLite would create it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corolla import Check

from . import _migrations

if TYPE_CHECKING:
    import corolla

    from ._database import Database


def deploy_checks(app: corolla.App, db: Database) -> list[Check]:
    from sqlalchemy.engine import make_url

    config = app.config["orm"]
    checks = []
    for bind, raw in db.urls.items():
        label = "the default database" if bind is None else f"bind {bind!r}"
        url = make_url(raw)
        sqlite = url.get_backend_name() == "sqlite"
        suffix = "" if bind is None else f".{bind}"
        checks.append(
            Check(
                f"orm.sqlite{suffix}",
                not sqlite,
                f"{label} is SQLite ({db.safe_url(bind)})" if sqlite else f"{label} is {url.get_backend_name()}",
                "set [orm] url (or COROLLA_ORM__URL) to a server database, e.g. "
                "postgresql+psycopg://user:password@host/name",
            )
        )
        if not sqlite:
            pre_ping = bool(db.engine_options.get("pool_pre_ping"))
            checks.append(
                Check(
                    f"orm.pool_pre_ping{suffix}",
                    pre_ping,
                    f"pool_pre_ping is {'on' if pre_ping else 'off'} for {label}",
                    "set [orm] pool_pre_ping = true so connections dropped by a database restart "
                    "are replaced instead of failing requests",
                    severity="warning",
                )
            )
    checks.extend(_response_timeout_check(db, config["response_timeout"]))
    echo = bool(db.engine_options.get("echo"))
    checks.append(
        Check(
            "orm.echo",
            not echo,
            "SQL echo is on: every statement and its parameters go to the log" if echo else "SQL echo is off",
            "set [orm] echo = false",
            severity="warning",
        )
    )
    checks.append(_migrations_check(app, db, config["migrations"]))
    return checks


def _response_timeout_check(db: Database, seconds: float) -> list[Check]:
    """``orm.response_timeout``: on for every PostgreSQL (psycopg) database, the only ones it applies to."""
    from sqlalchemy.engine import make_url

    urls = [make_url(raw) for raw in db.urls.values()]
    if not any(u.get_backend_name() == "postgresql" and u.get_driver_name() == "psycopg" for u in urls):
        return []
    return [
        Check(
            "orm.response_timeout",
            seconds > 0,
            f"response_timeout is {seconds:g} s"
            if seconds > 0
            else "response_timeout is 0: a PostgreSQL server that stops answering (a hung machine, a "
            "partition) holds every worker waiting on it until gunicorn's timeout kills it",
            "set [orm] response_timeout = 1 (seconds of silence before the server is checked and, "
            "if it does not answer, the request gets a 503)",
            severity="warning",
        )
    ]


def _migrations_check(app: corolla.App, db: Database, setting: str) -> Check:
    fix = "run `corolla db upgrade` as part of the deployment"
    try:
        if not _migrations.has_own(app) and not _migrations.plugin_folders(app):
            return Check("orm.migrations", True, f"no migrations folder ({setting}/): nothing to check", fix)
        absent = _missing_sqlite_file(db)
        heads, current, missing = _migrations.state(app, db, connect=absent is None)
    except Exception as exc:  # an unreachable database is a failed check, not a crash
        first = (str(exc).strip().splitlines() or [""])[0]
        return Check(
            "orm.migrations",
            False,
            f"could not read the migration state of {db.safe_url()}: {type(exc).__name__}: {first}",
            "make the database reachable, then " + fix,
        )
    if not missing:
        return Check("orm.migrations", True, f"the database is at head ({', '.join(sorted(heads)) or 'empty'})", fix)
    if absent is not None:
        return Check(
            "orm.migrations",
            False,
            f"the SQLite database {absent} does not exist yet: {', '.join(sorted(missing))} not applied",
            fix,
        )
    return Check(
        "orm.migrations",
        False,
        f"the database is at {', '.join(sorted(current)) or 'no revision'}, the scripts' "
        f"head{'s' if len(heads) > 1 else ''} {', '.join(sorted(heads))}: {', '.join(sorted(missing))} not applied",
        fix,
    )


def _missing_sqlite_file(db: Database) -> str | None:
    """The path of the default database when it is a SQLite file that does not exist (connecting would create it)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(db.urls[None])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename: its own rules, left to SQLite
    path = Path(url.database)
    if not path.is_absolute() and db.instance_path is not None:
        path = db.instance_path / path  # where the engine puts it (Database._create)
    return None if path.exists() else str(path)
