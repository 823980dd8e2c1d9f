"""docs/plugin-authoring.md stays true: every code block in it is checked here.

The guide builds corolla-auth (examples/plugins/auth/). Each block starts with
a comment naming a file of that distribution (``# src/corolla_auth/_api.py``)
and must appear in that file word for word, so the guide shows the real code
and cannot drift from it; the real code is tested by tests/auth/. The test
files the guide shows are shown whole and run here, in a pytest session of
their own, against the installed plugin. The console block (the scaffold
command) is run and its output compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corolla.testing import run_cli

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "plugin-authoring.md"
PLUGIN = ROOT / "examples" / "plugins" / "auth"
BLOCK = re.compile(r"```(\w+)\n# (\S+)\n(.*?)```", re.S)
CONSOLE = re.compile(r"```console\n\$ (.*?)\n(.*?)```", re.S)
ANY_BLOCK = re.compile(r"^```(\w*)$", re.M)


def blocks() -> list[tuple[str, str, str]]:
    return BLOCK.findall(GUIDE.read_text())


def test_every_block_is_checked_by_this_test() -> None:
    text = GUIDE.read_text()
    openings = [m.group(1) for m in ANY_BLOCK.finditer(text)][::2]  # every other fence opens a block
    assert len(openings) == len(blocks()) + len(CONSOLE.findall(text)), (
        "a code block without a '# path' first line: name the file it comes from"
    )


@pytest.mark.parametrize(("lang", "path", "body"), blocks(), ids=[f"{p}#{i}" for i, (_, p, _) in enumerate(blocks())])
def test_block_is_in_the_plugin_word_for_word(lang: str, path: str, body: str) -> None:
    source = PLUGIN / path
    assert source.is_file(), f"the guide names {path}, which is not in {PLUGIN}"
    assert body in source.read_text(), f"this block of the guide is no longer in {path}:\n{body}"


def test_the_guide_walks_through_every_part_of_the_plugin() -> None:
    shown = {path for _, path, _ in blocks()}
    assert shown >= {
        "pyproject.toml",
        "src/corolla_auth/__init__.py",
        "src/corolla_auth/_plugin.py",
        "src/corolla_auth/_api.py",
        "src/corolla_auth/models.py",
        "src/corolla_auth/forms.py",
        "src/corolla_auth/_views.py",
        "src/corolla_auth/_ratelimit.py",
        "src/corolla_auth/migrations/versions/c0a17e5a0001_auth_tables.py",
        "src/corolla_auth/templates/auth/login.html",
        "tests/conftest.py",
        "tests/test_corolla_auth.py",
    }


def test_the_test_files_are_shown_whole() -> None:
    for _, path, body in blocks():
        if path.startswith("tests/"):
            assert body == (PLUGIN / path).read_text(), f"{path}: the guide shows only part of it"


def test_the_scaffold_command_prints_what_the_guide_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ((command, output),) = CONSOLE.findall(GUIDE.read_text())
    args = command.split()
    assert args[0] == "corolla"
    monkeypatch.chdir(tmp_path)  # --dir is relative to the working folder
    result = run_cli(*args[1:], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output == output
    scaffold = tmp_path / "examples" / "plugins" / "auth"
    listed = {line.strip() for line in output.split("Next:")[0].splitlines() if line.startswith("  ")}
    assert {str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file()} == listed


def test_the_guides_tests_pass_against_the_plugin(pytester: pytest.Pytester) -> None:
    shown = {path: body for _, path, body in blocks() if path.startswith("tests/")}
    pytester.makeconftest(shown["tests/conftest.py"])
    pytester.makepyfile(test_corolla_auth=shown["tests/test_corolla_auth.py"])
    # In a subprocess: an in-process run drops the modules it imported (SQLAlchemy's dialects among
    # them) when it ends, and importing them again later re-registers their SQL functions.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=6)
