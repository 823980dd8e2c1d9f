"""request.db through a real App: lazy, rolled back on errors, always closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from orm_models import Counter
from werkzeug.test import Client

from corolla import App
from corolla_orm import Database, get_or_404


def checkouts(engine: sa.Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "checkout", lambda *a: seen.append("out"))
    sa.event.listen(engine, "checkin", lambda *a: seen.append("in"))
    return seen


def count_rows(url: str) -> int:
    fresh = sa.create_engine(url)  # a connection of its own, not the app's pool
    try:
        with fresh.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(Counter.__table__)).scalar_one())
    finally:
        fresh.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


def test_app_db_is_a_database_and_startup_does_no_io(orm_app: Callable[..., App], tmp_path: Any) -> None:
    app = orm_app()
    assert isinstance(app.db, Database)
    assert app.db._engines == {}  # nothing connected, nothing created
    assert not (app.instance_path / "app.db").exists()
    assert app.db.engine.url.database == str(app.instance_path / "app.db")


def test_untouched_request_checks_out_nothing(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    seen = checkouts(app.db.engine)
    app.views["/plain"] = lambda request: "plain"
    response = Client(app).get("/plain")
    assert response.status_code == 200 and response.text == "plain"
    assert seen == []
    assert app.db._factory is None  # no Session was made either


def test_touched_request_checks_out_once_and_returns_it(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    seen = checkouts(app.db.engine)
    sessions: list[Any] = []

    def view(request: Any) -> str:
        sessions.append(request.db)
        request.db.add(Counter(name="a"))
        request.db.commit()
        return str(request.db.scalar(sa.select(sa.func.count()).select_from(Counter)))

    app.views["/add"] = view
    assert Client(app).get("/add").text == "1"
    assert seen == ["out", "in", "out", "in"]  # commit gives the connection back; the read takes it again
    assert app.db.engine.pool.checkedout() == 0
    assert count_rows(db_url) == 1


def test_request_db_kept_past_its_request_refuses_use(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    kept: list[Any] = []

    def view(request: Any) -> str:
        kept.append(request.db)
        return str(request.db.scalar(sa.select(sa.func.count()).select_from(Counter)))

    app.views["/keep"] = view
    assert Client(app).get("/keep").text == "0"
    (session,) = kept
    for use in (
        lambda: session.execute(sa.select(1)),
        lambda: session.get(Counter, 1),
        lambda: session.begin(),
        lambda: session.add(Counter(name="late")),
    ):
        with pytest.raises(sa.exc.InvalidRequestError) as info:
            use()
        assert "request.db was used after its request ('GET /keep') finished" in str(info.value)
        assert "with app.db as session:" in str(info.value)
    # Nothing was checked out by the refused uses, and nothing was written.
    assert app.db.engine.pool.checkedout() == 0
    assert count_rows(db_url) == 0


def test_an_error_page_after_the_view_gets_a_fresh_request_db(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    kept: list[Any] = []

    def view(request: Any) -> str:
        kept.append(request.db)
        request.db.add(Counter(name="a"))
        request.db.flush()
        raise RuntimeError("boom")

    app.views["/fail"] = view
    assert Client(app).get("/fail").status_code == 500
    assert app.db.engine.pool.checkedout() == 0
    assert count_rows(db_url) == 0  # the view's write was rolled back
    with pytest.raises(sa.exc.InvalidRequestError, match=r"its request \('GET /fail'\) finished"):
        kept[0].execute(sa.select(1))


def test_session_that_never_executes_checks_out_nothing(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    seen = checkouts(app.db.engine)
    app.views["/touch"] = lambda request: type(request.db).__name__
    assert Client(app).get("/touch").text == "RequestSession"
    assert seen == []


def test_exception_after_write_rolls_back(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()

    def view(request: Any) -> str:
        request.db.add(Counter(name="doomed"))
        request.db.flush()  # the row is in the database's transaction now
        raise RuntimeError("after the write")

    app.views["/boom"] = view
    assert Client(app).get("/boom").status_code == 500
    assert count_rows(db_url) == 0
    assert app.db.engine.pool.checkedout() == 0


def test_uncommitted_work_is_discarded_without_atomic_requests(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()

    def view(request: Any) -> str:
        request.db.add(Counter(name="forgotten"))
        request.db.flush()
        return "ok"

    app.views["/nocommit"] = view
    assert Client(app).get("/nocommit").status_code == 200
    assert count_rows(db_url) == 0


def test_atomic_requests_commit_on_success_and_roll_back_on_error(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url, "atomic_requests": True})
    app.db.create_all()

    def ok(request: Any) -> str:
        request.db.add(Counter(name="kept"))
        return "ok"

    def fail(request: Any) -> str:
        request.db.add(Counter(name="dropped"))
        request.db.flush()
        raise RuntimeError("no")

    app.views["/ok"], app.views["/fail"] = ok, fail
    client = Client(app)
    assert client.get("/ok").status_code == 200
    assert client.get("/fail").status_code == 500
    with app.db.session() as s:
        assert s.scalars(sa.select(Counter.name)).all() == ["kept"]


def test_atomic_commit_failure_is_a_500_and_rolled_back(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url, "atomic_requests": True})
    app.db.create_all()
    with app.db.begin() as s:
        s.add(Counter(name="taken"))

    def dup(request: Any) -> str:
        request.db.add(Counter(name="fresh"))
        request.db.add(Counter(name="taken"))  # the unique constraint fails at commit
        return "ok"

    app.views["/dup"] = dup
    assert Client(app).get("/dup").status_code == 500
    assert count_rows(db_url) == 1
    assert app.db.engine.pool.checkedout() == 0


def test_get_or_404(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    with app.db.begin() as s:
        s.add(Counter(id=7, name="seven", n=3))

    def show(request: Any) -> dict[str, Any]:
        row = get_or_404(request.db, Counter, int(request.args["id"]))
        return {"name": row.name, "n": row.n}

    def one(request: Any) -> str:
        return request.db.execute(sa.select(Counter).where(Counter.name == request.args["name"])).scalar_one().name

    app.views["/show"], app.views["/one"] = show, one
    client = Client(app)
    assert client.get("/show?id=7").json == {"name": "seven", "n": 3}
    missing = client.get("/show?id=8")
    assert missing.status_code == 404
    assert "Counter" not in missing.text  # the model and key stay out of the page
    assert client.get("/one?name=seven").text == "seven"
    assert client.get("/one?name=nobody").status_code == 404


def test_get_or_404_is_a_no_result_found_for_scripts(orm_app: Callable[..., App]) -> None:
    app = orm_app()
    app.db.create_all()
    with app.db.session() as s, pytest.raises(sa.exc.NoResultFound, match="no Counter with primary key 1"):
        get_or_404(s, Counter, 1)


def test_unhandled_integrity_error_is_a_rolled_back_500(
    orm_app: Callable[..., App], db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    with app.db.begin() as s:
        s.add(Counter(name="taken"))

    def dup(request: Any) -> str:
        request.db.add(Counter(name="other"))
        request.db.flush()
        request.db.add(Counter(name="taken"))
        request.db.commit()
        return "never"

    app.views["/dup"] = dup
    assert Client(app).get("/dup").status_code == 500
    assert "IntegrityError" in caplog.text
    assert count_rows(db_url) == 1


def test_the_409_pattern(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()

    def create(request: Any) -> Any:
        request.db.add(Counter(name=request.args["name"]))
        try:
            request.db.commit()
        except sa.exc.IntegrityError:
            request.db.rollback()
            return {"error": "that name is taken"}, 409
        return {"created": request.args["name"]}, 201

    app.views["/create"] = create
    client = Client(app)
    assert client.get("/create?name=x").status_code == 201
    assert client.get("/create?name=x").status_code == 409
    assert count_rows(db_url) == 1


def test_app_db_session_and_begin(orm_app: Callable[..., App], db_url: str) -> None:
    app = orm_app({"url": db_url})
    app.db.create_all()
    with app.db.begin() as s:
        s.add(Counter(name="a"))
    with pytest.raises(RuntimeError), app.db.begin() as s:
        s.add(Counter(name="b"))
        s.flush()
        raise RuntimeError("rolled back")
    with app.db.session() as s:
        s.add(Counter(name="c"))  # never committed: discarded on close
    with app.db.session() as s:
        assert s.scalars(sa.select(Counter.name)).all() == ["a"]
    assert app.db.engine.pool.checkedout() == 0


def test_error_page_using_the_database_gives_its_connection_back(orm_app: Callable[..., App], db_url: str) -> None:
    # The wrapper closed request.db when the view raised; the error page then
    # reads from it again, outside the wrapper: teardown closes it once more.
    app = orm_app({"url": db_url})
    app.db.create_all()

    def view(request: Any) -> str:
        raise LookupError("no such thing")

    def page(request: Any, exception: Exception) -> tuple[str, int]:
        return str(request.db.scalar(sa.select(sa.func.count()).select_from(Counter))), 404

    def boom(request: Any) -> str:
        request.db.scalar(sa.select(sa.func.count()).select_from(Counter))
        from werkzeug.exceptions import NotFound

        raise NotFound()

    app.views["/boom"] = boom
    app.error_pages[404] = page
    r = Client(app).get("/boom")
    assert (r.status_code, r.text) == (404, "0")
    assert app.db.engine.pool.checkedout() == 0


def test_with_app_db_is_a_session_per_block(orm_app: Callable[..., App], db_url: str) -> None:
    import threading

    from sqlalchemy.orm import Session

    app = orm_app({"url": db_url})
    app.db.create_all()
    with app.db as s:
        assert isinstance(s, Session)
        s.add(Counter(name="kept"))
        s.commit()
        s.add(Counter(name="dropped"))  # not committed: rolled back on exit
        with app.db as inner:  # nested: a Session of its own
            assert inner is not s
            inner.add(Counter(name="inner"))
            inner.commit()
        assert s.in_transaction()  # the outer block's session is still open after the inner one closed
    assert not s.in_transaction()
    with pytest.raises(RuntimeError), app.db as s:
        s.add(Counter(name="raised"))
        s.flush()
        raise RuntimeError("rolled back")

    seen: dict[str, Session] = {}
    barrier = threading.Barrier(2)

    def worker(name: str) -> None:
        with app.db as session:
            seen[name] = session
            barrier.wait()  # both blocks open at once
            session.add(Counter(name=name))
            session.commit()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("t1", "t2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["t1"] is not seen["t2"]
    with app.db as s:
        assert sorted(s.scalars(sa.select(Counter.name)).all()) == ["inner", "kept", "t1", "t2"]
    assert app.db.engine.pool.checkedout() == 0
