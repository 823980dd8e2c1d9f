"""docs/flask.md stays true: every block is code of examples/flaskr or its tests, word for word.

The example's tests (tests/examples/test_flaskr.py) run the code, so the
guide shows code that works. The README's quick start is run here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import Client

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "flask.md"
BLOCK = re.compile(r"```(\w+)\n# (\S+)\n(.*?)```", re.S)
ANY_BLOCK = re.compile(r"^```(\w*)$", re.M)


def blocks() -> list[tuple[str, str, str]]:
    return BLOCK.findall(GUIDE.read_text())


def test_every_block_names_the_file_it_comes_from() -> None:
    openings = [m.group(1) for m in ANY_BLOCK.finditer(GUIDE.read_text())][::2]
    assert len(openings) == len(blocks()), "a block without a '# path' first line: name the file it comes from"


@pytest.mark.parametrize(("lang", "path", "body"), blocks(), ids=[f"{p}#{i}" for i, (_, p, _) in enumerate(blocks())])
def test_block_is_in_the_file_word_for_word(lang: str, path: str, body: str) -> None:
    source = ROOT / path
    assert source.is_file(), f"the guide names {path}, which does not exist"
    assert body in source.read_text(), f"this block of the guide is no longer in {path}:\n{body}"


def test_the_guide_maps_every_flask_habit() -> None:
    text = GUIDE.read_text()
    for habit in (
        "`g.user`",
        "`current_app`",
        "`session[",
        "`flash(",
        "`url_for(",
        "`Blueprint(",
        "`@app.before_request`",
        "`@app.cli.command(",
        "`app.test_client()`",
        "`client.session_transaction()`",
        "`with client:`",
        "TESTING",
        "the instance folder",
    ):
        assert habit in text, f"docs/flask.md does not map {habit}"
    shown = {path for _, path, _ in blocks()}
    assert {
        "examples/flaskr/flaskr/__init__.py",
        "examples/flaskr/flaskr/db.py",
        "tests/examples/test_flaskr.py",
    } <= shown


def test_the_readme_quick_start_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if b.startswith("# app.py")]
    namespace: dict[str, object] = {"__name__": "quickstart", "__file__": str(tmp_path / "app.py")}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    app = namespace["app"]
    assert Client(app).get("/").text == "Hello, world!"  # type: ignore[arg-type]
    app.close()  # type: ignore[attr-defined]
