"""The corolla-templates wheel: files, entry point and dependencies as users install them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.slow

DIST = Path(__file__).parents[2] / "plugins" / "templates"


def test_wheel_contents_entry_point_and_requirements(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(DIST), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("corolla_templates-0.1.0-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = "corolla_templates-0.1.0.dist-info"
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        metadata = zf.read(f"{info}/METADATA").decode()
    for module in ("__init__", "_plugin", "_hookspecs", "_environment", "_static", "_lazy", "_folders", "_cli"):
        assert f"corolla_templates/{module}.py" in names
    assert "corolla_templates/py.typed" in names
    assert "[corolla.plugins]\ntemplates = corolla_templates:TemplatesPlugin" in entry_points
    requires = {
        Requirement(line.split(":", 1)[1].strip()).name: Requirement(line.split(":", 1)[1].strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert str(requires["corolla"].specifier) == "<0.2,>=0.1"
    assert {"corolla", "jinja2", "werkzeug", "click"} <= requires.keys()
