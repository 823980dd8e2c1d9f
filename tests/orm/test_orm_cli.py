"""`corolla db` through the command line (in-process, the app passed as --app would), against real databases."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from orm_models import Counter

import corolla_orm
from corolla import App
from corolla.testing import run_cli


def invoke(app: App, *args: str, ok: bool = True) -> str:
    result = run_cli("db", *args, app=app)
    assert (result.exit_code == 0) is ok, result.output + repr(result.exception)
    return str(result.output)


def tables(app: App) -> set[str]:
    return set(sa.inspect(app.db.engine).get_table_names())


def deploy_check(app: App, check_id: str) -> Any:
    results = [c for group in app.plugin_manager.hook.corolla_deploy_checks(app=app) for c in group]
    (check,) = [c for c in results if c.id == check_id]
    return check


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_app(request: pytest.FixtureRequest, orm_app: Callable[..., App], tmp_path: Any) -> App:
    url = f"sqlite:///{tmp_path / 'cli.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return orm_app({"url": url})


def test_init_revision_upgrade_current_history_downgrade(cli_app: App) -> None:
    db = cli_app
    assert "Created" in invoke(db, "init")
    folder = cli_app.root / "migrations"
    assert {p.name for p in folder.iterdir()} >= {"env.py", "script.py.mako", "versions"}
    assert deploy_check(cli_app, "orm.migrations").ok  # no scripts, empty database: at head
    assert invoke(db, "upgrade") == "Already at head\n"

    out = invoke(db, "revision", "--autogenerate", "-m", "first", "--rev-id", "aaa111")
    (script,) = (folder / "versions").glob("aaa111_*.py")
    assert str(script) in out
    assert "op.create_table('orm_test_counters'" in script.read_text()
    assert "orm_test_counters" not in tables(cli_app)
    assert not deploy_check(cli_app, "orm.migrations").ok

    assert invoke(db, "upgrade") == "Upgraded to aaa111 (head)\n"
    assert "orm_test_counters" in tables(cli_app)
    assert "aaa111 (head)" in invoke(db, "current")
    assert deploy_check(cli_app, "orm.migrations").ok

    invoke(db, "revision", "-m", "empty second", "--rev-id", "bbb222")
    history = invoke(db, "history")
    assert "aaa111 -> bbb222 (head), empty second" in history
    assert "<base> -> aaa111, first" in history
    assert json.loads(invoke(db, "current", "--json")) == {
        "database": cli_app.db.safe_url(),  # type: ignore[attr-defined]
        "current": ["aaa111"],
        "heads": ["bbb222"],
    }
    assert invoke(db, "upgrade") == "Upgraded to bbb222 (head)\n"
    assert "bbb222 (head)" in invoke(db, "current")
    assert json.loads(invoke(db, "current", "--json"))["current"] == ["bbb222"]
    rows = json.loads(invoke(db, "history", "--json"))
    assert [(r["revision"], r["down_revision"], r["message"], r["is_head"]) for r in rows] == [
        ("bbb222", ["aaa111"], "empty second", True),
        ("aaa111", [], "first", False),
    ]
    assert invoke(db, "upgrade") == "Already at head: bbb222 (head)\n"

    assert invoke(db, "downgrade", "aaa111") == "Downgraded to aaa111\n"
    assert "aaa111" in invoke(db, "current") and "bbb222" not in invoke(db, "current")
    assert invoke(db, "upgrade", "aaa111") == "Nothing to upgrade: the database is at aaa111\n"
    assert invoke(db, "downgrade", "base") == "Downgraded to base\n"
    assert "orm_test_counters" not in tables(cli_app)
    assert invoke(db, "current").strip() == ""
    assert invoke(db, "downgrade", "base") == "Nothing to downgrade: the database is at base\n"


def test_create_all_and_stamp(cli_app: App) -> None:
    db = cli_app
    assert "Created the missing tables" in invoke(db, "create-all")
    assert "orm_test_counters" in tables(cli_app)
    assert "***" in invoke(db, "create-all") or cli_app.db.engine.url.password is None  # never the password
    invoke(db, "init")
    invoke(db, "revision", "--autogenerate", "-m", "first", "--rev-id", "ccc333")
    assert invoke(db, "stamp", "head") == "Stamped as ccc333 (head)\n"
    assert "ccc333 (head)" in invoke(db, "current")
    assert invoke(db, "stamp", "head") == "Already at head: ccc333 (head)\n"
    assert invoke(db, "stamp", "base") == "Stamped as base\n"
    assert "orm_test_counters" in tables(cli_app)  # stamping runs no migration


def test_errors_are_explained(orm_app: Callable[..., App]) -> None:
    app = orm_app()
    db = app
    assert "corolla db init" in invoke(db, "upgrade", ok=False)
    invoke(db, "init")
    assert "exists and is not empty" in invoke(db, "init", ok=False)
    assert "Can't locate revision" in invoke(db, "upgrade", "nonexistent", ok=False)


def test_without_an_app_commands_say_they_need_one(tmp_path: Path) -> None:
    for command in (["init"], ["upgrade"], ["current"], ["create-all"]):
        result = run_cli("db", *command, cwd=tmp_path)
        assert result.exit_code == 2
        assert "corolla db needs an app: pass --app module:app or set COROLLA_APP" in result.output
    assert "revision" in run_cli("db", "--help", cwd=tmp_path).output


def ruff_check(*paths: Path) -> None:
    """``ruff check`` with this repository's configuration (py310, UP, isort, pycodestyle) on ``paths``."""
    ruff = Path(sys.executable).parent / "ruff"
    config = Path(__file__).resolve().parents[2] / "pyproject.toml"
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "--output-format", "concise", "--config", str(config), *map(str, paths)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_revisions_pass_the_repositorys_ruff_rules(orm_app: Callable[..., App], tmp_path: Path) -> None:
    # What `corolla db revision` writes is committed to the app's repository as
    # is: it must pass a py310 ruff config (UP007/UP035, isort, whitespace).
    assert Counter.__table__ is not None  # the model autogenerate writes a table for
    app = orm_app({"url": f"sqlite:///{tmp_path / 'lint.db'}"})
    db = app
    invoke(db, "init")
    invoke(db, "revision", "--autogenerate", "-m", "first", "--rev-id", "ddd444")
    invoke(db, "upgrade")
    invoke(db, "revision", "-m", "second, empty", "--rev-id", "eee555")
    first, second = sorted((app.root / "migrations" / "versions").glob("*.py"))
    assert first.name.startswith("ddd444_") and second.name.startswith("eee555_")
    text = first.read_text()
    assert "from collections.abc import Sequence" in text and "op.create_table('orm_test_counters'" in text
    assert "down_revision: str | Sequence[str] | None = 'ddd444'" in second.read_text()
    ruff_check(first, second)


def test_the_revision_template_renders_ruff_clean_merges_and_dialect_imports(tmp_path: Path) -> None:
    from alembic.util import format_as_comma, template_to_file

    template = Path(corolla_orm.__file__).parent / "migration_template" / "script.py.mako"
    common = {"create_date": "2026-11-25 18:30:00", "comma": format_as_comma, "up_revision": "fff666"}
    merge = tmp_path / "fff666_merge.py"
    template_to_file(
        template,
        merge,
        "utf-8",
        **common,
        message="merge the two heads, add a JSONB column",
        down_revision=("aaa111", "bbb222"),
        branch_labels=None,
        depends_on=None,
        imports="from sqlalchemy.dialects import postgresql",
        upgrades="op.add_column('t', sa.Column('j', postgresql.JSONB(), nullable=True))",
        downgrades="op.drop_column('t', 'j')",
    )
    branch = tmp_path / "fff666_branch.py"
    template_to_file(
        template,
        branch,
        "utf-8",
        **common,
        message="a branch of its own",
        down_revision=None,
        branch_labels=("mine",),
        depends_on=["aaa111", "bbb222"],
        imports="",
        upgrades=None,
        downgrades=None,
    )
    assert "Revises: aaa111, bbb222\n" in merge.read_text()
    assert "Revises:\n" in branch.read_text()
    assert "depends_on: str | Sequence[str] | None = ['aaa111', 'bbb222']" in branch.read_text()
    ruff_check(merge, branch)


SCHEMA = """
DROP TABLE IF EXISTS script_post;
CREATE TABLE script_post (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
INSERT INTO script_post (id, title) VALUES (1, 'first; with a semicolon');
INSERT INTO script_post (id, title) VALUES (2, 'second');
"""


def test_run_script_runs_every_statement(cli_app: App, tmp_path: Path) -> None:
    cli_app.db.run_script(SCHEMA)  # type: ignore[attr-defined]
    with cli_app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(sa.text("SELECT id, title FROM script_post ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "first; with a semicolon"), (2, "second")]

    script = tmp_path / "schema.sql"
    script.write_text(SCHEMA.replace("'second'", "'again'"))
    out = invoke(cli_app, "run-script", str(script))
    assert out.startswith(f"Ran {script} in ")
    with cli_app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.text("SELECT title FROM script_post WHERE id = 2")).scalar_one() == "again"


def test_run_script_failure_names_the_script_and_database(cli_app: App, tmp_path: Path) -> None:
    script = tmp_path / "broken.sql"
    script.write_text("CREATE TABLE ok_table (id INTEGER);\nCREATE TABLE nonsense (;\n")
    out = invoke(cli_app, "run-script", str(script), ok=False)
    assert f"Error: {script} failed in " in out
    assert "syntax error" in out.lower()
    with pytest.raises(TypeError, match=r"pass path.read_text\(\)"):
        cli_app.db.run_script(script)  # type: ignore[attr-defined]


def test_shell_has_db_and_the_models(cli_app: App) -> None:
    from click.testing import CliRunner

    from corolla.cli import cli, make_state

    state = make_state(["shell"], {"app": cli_app, "environ": {}})
    result = CliRunner().invoke(cli, ["shell"], obj=state, input="print(db is app.db, Counter.__tablename__)\n")
    assert result.exit_code == 0, result.output
    assert f"True {Counter.__tablename__}" in result.stdout
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Predefined: ")]
    assert {"Counter", "app", "db"} <= set(line.removeprefix("Predefined: ").split(", "))
