"""corolla-orm as users get it: the wheel carries the migration template and the entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PLUGIN = Path(__file__).parents[2] / "plugins" / "orm"


def test_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(PLUGIN), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("corolla_orm-0.1.0-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read("corolla_orm-0.1.0.dist-info/METADATA").decode()
        entry_points = zf.read("corolla_orm-0.1.0.dist-info/entry_points.txt").decode()
    for name in ("py.typed", "migration_template/env.py", "migration_template/script.py.mako", "model.py"):
        assert f"corolla_orm/{name}" in names
    assert "orm = corolla_orm:OrmPlugin" in entry_points
    for requirement in ("corolla<0.2,>=0.1", "sqlalchemy<2.2,>=2.0", "alembic<2,>=1.13"):
        assert f"Requires-Dist: {requirement}" in meta.replace("SQLAlchemy", "sqlalchemy")
    assert "extra == 'postgresql'" in meta or 'extra == "postgresql"' in meta
