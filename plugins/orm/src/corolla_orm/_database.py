"""``Database``: the app's engines and sessions (``app.db``), made on first use.

Building it does no I/O and imports no SQLAlchemy: the engines are created,
under a lock, the first time ``engine``, ``engines`` or ``session()`` is used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corolla import OutageLog

if TYPE_CHECKING:
    from types import TracebackType

    from sqlalchemy import Engine, MetaData
    from sqlalchemy.orm import Session, sessionmaker

    import corolla

DEFAULT_SQLITE_FILE = "app.db"
#: ``session.info`` key of the request a request's Session (``request.db``) belongs to.
REQUEST_KEY = "corolla_request"


def _postgresql_timeouts(timeouts: Mapping[str, float], connect_args: Any) -> dict[str, Any]:
    """libpq's ``connect_timeout`` and the server's ``statement_timeout``, unless ``engine_options`` set them.

    Without them a database that accepts connections but never answers (a
    frozen server, a full backlog) or a statement stuck behind a lock holds
    the worker until gunicorn kills it; with them the request is a 503. A
    server that stops answering a connection already made is ``_deadline``'s.
    """
    args = dict(connect_args or {})
    if timeouts.get("connect_timeout"):
        args.setdefault("connect_timeout", timeouts["connect_timeout"])
    statement = timeouts.get("statement_timeout")
    if statement and "statement_timeout" not in str(args.get("options", "")):
        args["options"] = f"{args.get('options', '')} -c statement_timeout={int(statement * 1000)}".strip()
    return args


def mark_committed(session: Session) -> None:
    """SQLAlchemy's ``after_commit`` on ``request.db`` (``RequestSession``): the request made a lasting change."""
    ref = session.info.get(REQUEST_KEY)
    request = ref() if ref is not None else None
    if request is not None:
        request.mark_committed()


def check_response_timeout(value: float, section: Mapping[str, Any]) -> str | None:
    """The ``response_timeout`` setting's check, run while planning."""
    if value < 0 or value != value:  # NaN too
        return f"response_timeout must be 0 (off) or a number of seconds, not {value!r}, e.g. response_timeout = 1"
    return None


def bind_url(value: Any) -> str:
    """The URL of one ``[orm.binds]`` entry: the string itself, or a table's ``url``."""
    found = value.get("url") if isinstance(value, Mapping) else value
    return found if isinstance(found, str) else ""


def check_binds(value: Mapping[str, Any], section: Mapping[str, Any]) -> str | None:
    """The ``binds`` setting's check, run while planning: every bind names a database URL."""
    bad = sorted(name for name, bind in value.items() if not bind_url(bind))
    if not bad:
        return None
    return (
        f"binds {', '.join(map(repr, bad))} must each be a database URL string, "
        'e.g. [orm.binds] notes = "postgresql+psycopg://user:password@host/name"'
    )


class Database:
    """The app's databases: ``app.db``.

    ``engine`` is the default database, ``engines`` every named bind as well
    (key None is the default). ``session()`` returns a new SQLAlchemy Session
    (use it as a context manager); ``begin()`` is a context manager yielding a
    session whose transaction commits on success and rolls back on error.

    ``with app.db as session:`` (for scripts and CLI commands) gives a new
    Session, closed when the block ends: what was not committed is rolled
    back. Each ``with`` gets its own Session, also when nested or run in
    several threads at once (the open ones are kept per thread and task).
    """

    def __init__(
        self,
        url: str,
        *,
        binds: Mapping[str, str] | None = None,
        engine_options: Mapping[str, Any] | None = None,
        instance_path: str | Path | None = None,
        timeouts: Mapping[str, float] | None = None,
    ) -> None:
        self.timeouts = dict(timeouts or {})
        self.instance_path = Path(instance_path) if instance_path is not None else None
        self.urls: dict[str | None, str] = {None: url}
        self.urls.update(binds or {})
        self.engine_options = dict(engine_options or {})
        self._engines: dict[str | None, Engine] = {}
        self._lock = threading.Lock()
        self._factory: sessionmaker[Session] | None = None
        self._factory_tables = -1
        # The Sessions of the `with app.db as s:` blocks open in this thread or task, innermost last.
        self._entered: ContextVar[tuple[Session, ...]] = ContextVar(f"corolla_orm_entered_{id(self)}", default=())
        #: Logs outages: a traceback when the database becomes unreachable, a line per request, a line when back.
        self.outage = OutageLog(logging.getLogger("corolla_orm"), "orm: the database")

    @classmethod
    def from_config(cls, app: corolla.App, config: Mapping[str, Any]) -> Database:
        """The database an ``[orm]`` config section describes."""
        instance = app.instance_path
        url = config["url"] or f"sqlite:///{instance / DEFAULT_SQLITE_FILE}"
        options: dict[str, Any] = {"echo": config["echo"], "pool_pre_ping": config["pool_pre_ping"]}
        timeouts = {
            "connect_timeout": config["connect_timeout"],
            "statement_timeout": config["statement_timeout"],
            "response_timeout": config["response_timeout"],
        }
        if config["pool_size"] is not None:
            options["pool_size"] = config["pool_size"]
        options.update(config["engine_options"])
        # Each bind is a URL string, or a table with one: checked while planning (check_binds).
        binds = {name: bind_url(value) for name, value in config["binds"].items()}
        return cls(url, binds=binds, engine_options=options, instance_path=instance, timeouts=timeouts)

    # -- engines ---------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The default database's engine (created on first use)."""
        engine = self._engines.get(None)
        return engine if engine is not None else self._create(None)

    @property
    def engines(self) -> Mapping[str | None, Engine]:
        """Every engine: None for the default database, then each named bind."""
        return {key: self._engines.get(key) or self._create(key) for key in self.urls}

    def get_engine(self, bind: str | None = None) -> Engine:
        """The engine of the named bind (None: the default database)."""
        if bind not in self.urls:
            names = ", ".join(repr(k) for k in self.urls if k is not None) or "none are configured"
            raise KeyError(f"no database bind named {bind!r} (binds: {names}); add it to [orm.binds]")
        return self._engines.get(bind) or self._create(bind)

    def _create(self, bind: str | None) -> Engine:
        from sqlalchemy import create_engine, event
        from sqlalchemy.engine import make_url

        with self._lock:
            engine = self._engines.get(bind)
            if engine is not None:
                return engine
            url = make_url(self.urls[bind])
            if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
                if not url.database.startswith("file:"):
                    path = Path(url.database)
                    if not path.is_absolute() and self.instance_path is not None:
                        path = self.instance_path / path
                    try:
                        # 0700: the database file is nobody else's to read (its folder is made private).
                        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    except OSError:
                        pass  # connecting then fails with SQLite's own message (a 503 in a request)
                    url = url.set(database=str(path))
            options = dict(self.engine_options)
            if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
                options.pop("pool_size", None)  # in-memory SQLite uses a pool without a size
            if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
                options["connect_args"] = _postgresql_timeouts(self.timeouts, options.get("connect_args"))
            engine = create_engine(url, **options)
            safe = url.render_as_string(hide_password=True)
            response = self.timeouts.get("response_timeout")
            if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg" and response:
                from ._deadline import Limits, watch_engine

                # The check waits as long as a new connection may (a server that slow to
                # accept fails new connections anyway); without that limit, response_timeout.
                check = self.timeouts.get("connect_timeout") or response
                watch_engine(engine, Limits(response, check, self.timeouts.get("statement_timeout") or 0))

            @event.listens_for(engine, "handle_error")
            def _tag(context: Any) -> None:
                # Lets the error mapping name the database that failed. Errors that are not
                # the database's (a value the driver cannot encode) come with no SQLAlchemy
                # exception: nothing to tag, and the original error goes on unchanged.
                if context.sqlalchemy_exception is not None:
                    context.sqlalchemy_exception.corolla_orm_url = safe

            @event.listens_for(engine, "checkout")
            def _worked(*args: Any) -> None:
                # A connection was checked out (and pinged, with pool_pre_ping): the database answers.
                self.outage.worked()

            self._engines[bind] = engine
            return engine

    def safe_url(self, bind: str | None = None) -> str:
        """The bind's URL with the password hidden (for logs and messages)."""
        from sqlalchemy.engine import make_url

        engine = self._engines.get(bind)
        url = engine.url if engine is not None else make_url(self.urls[bind])
        return url.render_as_string(hide_password=True)

    @property
    def metadata(self) -> MetaData:
        """``Model.metadata``: every table of every model."""
        from .model import Model

        return Model.metadata

    def tables_for(self, bind: str | None) -> list[Any]:
        """The tables stored in ``bind`` (a model picks its bind with ``__bind_key__``)."""
        return [t for t in self.metadata.sorted_tables if t.info.get("bind_key") == bind]

    # -- sessions --------------------------------------------------------------

    def session(self, **options: Any) -> Session:
        """A new Session over these databases; close it (``with app.db.session() as s:``)."""
        factory = self._factory
        if factory is None or self._factory_tables != len(self.metadata.tables):
            factory = self._make_factory()
        return factory(**options) if options else factory()

    def session_options(self) -> dict[str, Any]:
        """The ``bind`` and ``binds`` every session of these databases is made with."""
        factory = self._factory
        if factory is None or self._factory_tables != len(self.metadata.tables):
            factory = self._make_factory()
        return dict(factory.kw)

    def _make_factory(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        binds: dict[Any, Engine] = {}
        for table in self.metadata.tables.values():
            key = table.info.get("bind_key")
            # A model whose bind this app does not configure (models are
            # shared by apps) stays on the default engine.
            if key is not None and key in self.urls:
                binds[table] = self.get_engine(key)
        # Models declared later (after the first session) get their binds then.
        self._factory_tables = len(self.metadata.tables)
        factory = sessionmaker(bind=self.engine, binds=binds)
        self._factory = factory
        return factory

    @contextmanager
    def begin(self, **options: Any) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back if it raises."""
        with self.session(**options) as session, session.begin():
            yield session

    def __enter__(self) -> Session:
        """``with app.db as session:``: a new Session for the block (see the class docstring)."""
        session = self.session()
        self._entered.set((*self._entered.get(), session))
        return session

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stack = self._entered.get()
        session, rest = stack[-1], stack[:-1]
        self._entered.set(rest)
        session.close()  # rolls back what was not committed and gives the connection back

    # -- schema and lifecycle --------------------------------------------------

    def create_all(self) -> None:
        """Create every model's table that does not exist yet, in its bind's database."""
        for bind in self.urls:
            tables = self.tables_for(bind)
            if tables:
                self.metadata.create_all(self.get_engine(bind), tables=tables)

    def drop_all(self) -> None:
        """Drop every model's table (in each bind's database)."""
        for bind in self.urls:
            tables = self.tables_for(bind)
            if tables:
                self.metadata.drop_all(self.get_engine(bind), tables=tables)

    def run_script(self, sql: str, *, bind: str | None = None) -> None:
        """Run ``sql``, a script of several statements (a ``schema.sql``), in one database.

        Goes to the driver's own script support, since SQLAlchemy runs one
        statement per call: SQLite's ``executescript`` (which commits what
        was pending first and runs each statement on its own unless the
        script has its own BEGIN/COMMIT), or the whole text in one
        ``execute`` for PostgreSQL and other drivers that accept several
        statements without parameters, committed at the end. Migrations
        (``corolla db upgrade``) remain the way to change a schema over time.
        """
        if not isinstance(sql, str):
            raise TypeError(f"run_script() takes the SQL text, not {type(sql).__name__}: pass path.read_text()")
        engine = self.get_engine(bind)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.connection.driver_connection.executescript(sql)  # type: ignore[union-attr]
            else:
                connection.exec_driver_sql(sql)

    def dispose(self) -> None:
        """Close every pooled connection; engines are made again on next use."""
        with self._lock:
            engines, self._engines = self._engines, {}
            self._factory = None
        for engine in engines.values():
            engine.dispose()

    def __repr__(self) -> str:
        binds = [k for k in self.urls if k is not None]
        return f"<Database {self.safe_url()!r}{f' binds={binds}' if binds else ''}>"
