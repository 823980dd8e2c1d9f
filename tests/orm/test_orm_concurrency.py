"""200 concurrent increments under gunicorn (2 workers) on PostgreSQL end at exactly +200."""

from __future__ import annotations

import textwrap
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import servers
import sqlalchemy as sa

APP = """
import sys

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from corolla import App
from corolla_orm import Model


class Counter(Model):
    __tablename__ = "orm_test_counters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)
    n: Mapped[int] = mapped_column(default=0)


app = App({{"orm": {{"url": {url!r}, "atomic_requests": True}}}}, ["orm", "views"],
          root={root!r}, plugin_path=[{synth!r}, *sys.path])


def increment(request):
    # The increment happens in the database, in one statement: no lost update,
    # whatever the number of workers (UPDATE ... SET n = n + 1).
    request.db.execute(sa.update(Counter).where(Counter.name == "hits").values(n=Counter.n + 1))
    return "ok"


app.views["/inc"] = increment
"""


def test_200_concurrent_increments_under_gunicorn(pg_url: str, corolla_plugins: Any, tmp_path: Any) -> None:
    (tmp_path / "counter_app.py").write_text(
        textwrap.dedent(APP.format(url=pg_url, root=str(tmp_path), synth=str(corolla_plugins.folder)))
    )
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE orm_test_counters (id serial PRIMARY KEY, name varchar(50) UNIQUE, n int)"))
        conn.execute(sa.text("INSERT INTO orm_test_counters (name, n) VALUES ('hits', 1000)"))

    with servers.gunicorn(
        "counter_app:app", cwd=tmp_path, workers=2, env={"PYTHONPATH": str(corolla_plugins.folder)}
    ) as server:

        def hit(_: int) -> int:
            with urllib.request.urlopen(f"{server.url}/inc", timeout=30) as response:
                assert response.read() == b"ok"
                return int(response.status)

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(hit, range(200)))

    assert statuses == [200] * 200
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT n FROM orm_test_counters WHERE name = 'hits'")).scalar_one() == 1200
    engine.dispose()
