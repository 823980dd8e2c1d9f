"""The shared table renderer (``corolla.cli.table``): aligned, and fitted to the terminal's width."""

from __future__ import annotations

import pytest
from cli_support import Corolla

from corolla.cli import table
from corolla.testing import SyntheticPlugins

HEADERS = ["NAME", "WHY"]
ROWS = [["auth", "not autoloaded (it declares autoload = False): name it in [plugins] enabled"], ["orm", "-"]]


def test_a_table_that_fits_is_one_line_per_row() -> None:
    assert table(HEADERS, ROWS, width=None).splitlines() == [
        "NAME  WHY",
        "auth  not autoloaded (it declares autoload = False): name it in [plugins] enabled",
        "orm   -",
    ]


def test_a_wide_table_wraps_its_widest_column_at_spaces() -> None:
    lines = table(HEADERS, ROWS, width=40).splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert lines[:2] == ["NAME  WHY", "auth  not autoloaded (it declares"]
    assert lines[-1] == "orm   -"
    # The wrapped cell's lines stay in its column, and no word is cut.
    wrapped = [line[6:] for line in lines[1:-1]]
    assert " ".join(wrapped) == ROWS[0][1]


def test_plugins_list_fits_the_terminal(
    corolla: Corolla, trio: SyntheticPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--disable-plugin", "greeter", "plugins", "list")  # a row with a long WHY
    wide = corolla(*args).stdout
    assert max(map(len, wide.splitlines())) > 100
    monkeypatch.setenv("COLUMNS", "100")
    narrow = corolla(*args).stdout
    assert max(map(len, narrow.splitlines())) <= 100
    assert narrow.splitlines()[0].split() == wide.splitlines()[0].split()
