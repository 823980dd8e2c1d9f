"""The core as users get it: a wheel, installed (not editable) in a fresh venv.

Catches what an editable install hides: files missing from the wheel
(``py.typed``, ``hookspecs.py``), a wrong entry point, undeclared
dependencies (the venv has no system site packages and only what the wheel
asks for).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import corolla

pytestmark = pytest.mark.slow

CORE = Path(__file__).parents[2] / "core"

SNIPPET = r"""
import json, sys
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import corolla

app = corolla.App(plugins=[], root=sys.argv[1])
environ = {"PATH_INFO": "/anything", "SCRIPT_NAME": ""}
setup_testing_defaults(environ)
seen = {}

def start_response(status, headers, exc_info=None):
    seen["status"], seen["headers"] = status, dict(headers)
    return lambda data: None

body = validator(app)(environ, start_response)
try:
    data = b"".join(body)
finally:
    body.close()
app.close()
print(json.dumps({
    "status": seen["status"],
    "content_type": seen["headers"]["Content-Type"],
    "body": data.decode(),
    "file": corolla.__file__,
    "version": corolla.__version__,
    "order": list(app.resolution.order),
}))
"""


def run(*args: str | Path, timeout: float, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, check=False
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", CORE, "-w", out, timeout=300, cwd=out)
    (built,) = out.glob("corolla-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    assert wheel.name == f"corolla-{corolla.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"corolla-{corolla.__version__}.dist-info"
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        metadata = zf.read(f"{info}/METADATA").decode()
    assert "corolla/py.typed" in names
    assert "corolla/hookspecs.py" in names
    assert "corolla/testing.py" in names
    assert {name.split("/")[0] for name in names} == {"corolla", info}  # nothing else ships
    assert "[pytest11]\ncorolla = corolla.testing" in entry_points
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    assert {Requirement(r).name.lower() for r in requires} >= {"werkzeug", "pluggy", "packaging"}


def test_installed_wheel_serves_404_with_the_hint(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, timeout=120, cwd=tmp_path)
    python = venv / "bin" / "python"
    # The outer pip installs into the venv; dependencies come from the package index.
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel, timeout=300, cwd=tmp_path)
    flags = run(python, "-c", "import sys; print(sys.prefix != sys.base_prefix)", timeout=60, cwd=tmp_path)
    assert flags.stdout.strip() == "True"

    root = tmp_path / "app"
    root.mkdir()
    result = run(python, "-c", SNIPPET, root, timeout=60, cwd=tmp_path)
    out = json.loads(result.stdout)
    assert out["status"] == "404 NOT FOUND"
    assert out["content_type"] == "text/html; charset=utf-8"
    assert "no installed plugin implements the corolla_dispatch hook" in out["body"]
    assert out["order"] == []
    assert out["version"] == corolla.__version__
    installed = Path(out["file"])
    assert installed.is_relative_to(venv)  # the wheel, not the editable source
    assert (installed.parent / "py.typed").is_file()
