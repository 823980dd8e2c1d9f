"""``OrmPlugin``: the declaration and the hooks. Imports no SQLAlchemy.

``corolla plugins list`` imports this module to read the declaration, so
SQLAlchemy, Alembic and click are imported only where they are used: the
engine on first use, the CLI when the command line asks for commands.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import corolla
from corolla import hookimpl

from ._database import REQUEST_KEY, Database, check_binds, check_response_timeout
from ._errors import http_error_for
from .hookspecs import OrmHooks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class OrmPlugin(corolla.Plugin):
    """SQLAlchemy 2 sessions per request, ``app.db`` for scripts, Alembic migrations."""

    optional = ["routing"]
    settings = {
        "url": corolla.Setting(
            str,
            None,
            "Database URL (default: SQLite file app.db in the instance folder; "
            "a relative SQLite path is relative to the instance folder)",
            secret=True,
        ),
        "echo": corolla.Setting(bool, False, "Log every SQL statement (development only)"),
        "pool_size": corolla.Setting(int, None, "Connections kept in the pool (default: SQLAlchemy's, 5)"),
        "pool_pre_ping": corolla.Setting(
            bool, True, "Test a pooled connection before use, so a restarted database is survived"
        ),
        "connect_timeout": corolla.Setting(
            int, 2, "PostgreSQL: seconds to wait for a connection before answering 503 (libpq's connect_timeout)"
        ),
        "statement_timeout": corolla.Setting(
            # 20, under gunicorn's 30-s worker timeout: the server cancels first and the worker answers 503.
            int,
            20,
            "PostgreSQL: seconds a statement may run before it is cancelled (0: no limit)",
        ),
        "response_timeout": corolla.Setting(
            float,
            1.0,
            "PostgreSQL: seconds without an answer after which the server is checked on a new connection; "
            "a server that does not answer that either within connect_timeout has the connection cut, a 503 "
            "(0: never, a frozen server holds the worker)",
            check=check_response_timeout,
        ),
        "engine_options": corolla.Setting(dict, {}, "More keyword arguments for sqlalchemy.create_engine"),
        "atomic_requests": corolla.Setting(
            bool, False, "Commit request.db when the view returns, roll back when it raises"
        ),
        "binds": corolla.Setting(
            dict,
            {},
            "Named extra databases: name -> URL; models choose one with __bind_key__",
            secret=True,
            check=check_binds,
        ),
        "migrations": corolla.Setting(str, "migrations", "Alembic folder, relative to the app root"),
    }
    app_attributes = ["db"]
    request_attributes = ["db"]
    hookspecs = OrmHooks
    commands = {"db": "corolla_orm._cli:db_group"}

    db: Database

    @hookimpl
    def corolla_configure(self, app: corolla.App) -> None:
        # No I/O: the engine is made on first use.
        self.db = Database.from_config(app, self.config)

    @hookimpl
    def corolla_app_attributes(self, app: corolla.App) -> Mapping[str, Any]:
        return {"db": self.db}

    @hookimpl
    def corolla_request_attributes(self, app: corolla.App) -> Mapping[str, Callable[[corolla.Request], Any]]:
        database = self.db

        def db(request: corolla.Request) -> Session:
            # Runs on first access only; a Session checks out a connection
            # only when it first executes something. Not expired on commit:
            # reading a saved row after commit (a flash message, a Location)
            # must not need the database again, which may be gone by then.
            # The request is known (weakly: no cycle) so a commit marks it (Request.mark_committed).
            from ._request_session import RequestSession

            options = database.session_options()
            options.update(expire_on_commit=False, info={REQUEST_KEY: weakref.ref(request)})
            return RequestSession(**options)

        return {"db": db}

    @hookimpl
    def corolla_wrap_request(self, app: corolla.App, handler: Callable[[corolla.Request], Any]) -> Any:
        atomic = self.config["atomic_requests"]
        db = self.db

        def with_db(request: corolla.Request) -> Any:
            try:
                rv = handler(request)
                # request.touched("db"), read straight from __dict__: this is the
                # whole per-request cost for requests that never used the database.
                session = request.__dict__.get("db")
                if session is None:
                    return rv
                if atomic:
                    session.commit()
            except BaseException as exc:
                session = request.__dict__.get("db")
                if session is not None:
                    _finish(request, session)  # rolls back whatever the view wrote
                if isinstance(exc, Exception):
                    # A missing row or a database outage becomes the HTTP error
                    # here, inside the pipeline, so error handlers registered for
                    # 404/503 (routing's @app.errorhandler) apply to it.
                    http_error = http_error_for(db, request, exc)
                    if http_error is not None:
                        raise http_error from exc
                raise
            _finish(request, session)
            return rv

        return with_db

    @hookimpl
    def corolla_teardown(self, request: corolla.Request, exception: Exception | None) -> None:
        # The wrapper closed request.db already, unless something used it again
        # after the wrapper was done: an error page (run by the core, outside
        # every wrapper) that reads the database checks a connection out anew.
        # Closing twice costs nothing; an untouched request pays one dict lookup.
        session = request.__dict__.get("db")
        if session is not None:
            _finish(request, session)

    @hookimpl
    def corolla_handle_exception(self, request: corolla.Request, exception: Exception) -> Any:
        # For errors raised outside this plugin's wrapper (another plugin's
        # outer wrapper using app.db); the wrapper already mapped the rest.
        return http_error_for(self.db, request, exception)

    @hookimpl
    def corolla_shell_context(self, app: corolla.App) -> Mapping[str, Any]:
        # `corolla shell`: the database and every mapped model, by class name.
        from .model import Model

        models = {mapper.class_.__name__: mapper.class_ for mapper in Model.registry.mappers}
        return {"db": self.db, **models}

    @hookimpl
    def corolla_deploy_checks(self, app: corolla.App) -> Sequence[corolla.Check]:
        from ._checks import deploy_checks

        return deploy_checks(app, self.db)

    @hookimpl
    def corolla_shutdown(self, app: corolla.App) -> None:
        self.db.dispose()


def _finish(request: corolla.Request, session: Any) -> None:
    """Close ``request.db`` for good, and forget it.

    Forgetting it lets what runs after the wrapper (an error page reading the
    database) get a fresh session from ``request.db``, closed in teardown;
    the finished one refuses any later use (a reference the view kept).
    """
    request.__dict__.pop("db", None)
    try:
        session.finish(request.log_line())
    except Exception:  # a dead connection must not hide the view's own error
        import logging

        logging.getLogger("corolla_orm").warning("closing the request's session failed", exc_info=True)
