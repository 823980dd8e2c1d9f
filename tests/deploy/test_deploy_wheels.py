"""Installing like a user: wheels of every distribution, installed (not editable) into fresh venvs.

One module-scoped build makes a wheel of every distribution in the
repository (core, plugins/*, the example plugins) with ``pip wheel
--no-deps``; their build backends are installed once into a build venv
(``--no-build-isolation``) instead of once per wheel, which is what makes the
build take seconds. Then:

- every file of every package's source folder (templates, migrations, static
  files, the Alembic ``env.py`` template, ``py.typed``) is inside its wheel,
  with the entry point and licence, and every plugin wheel requires a
  compatible core (``corolla>=0.1,<0.2``) and the libraries it wraps;
- a venv with the core + routing + sessions wheels sees exactly those two
  plugins, serves a request through both, and runs the installed files (not
  this checkout);
- a venv with core + routing that gets ``corolla-forms`` later without its
  dependencies (so without ``corolla-sessions``) still starts with routing
  (forms is skipped), ``corolla plugins check`` fails (exit 1) with the fix
  naming the distribution from forms' metadata, and applying that fix (from
  our wheels) makes it resolve;
- a venv with every plugin the notes demo pins runs the demo from a copy of
  its folder: ``corolla db upgrade`` applies the auth plugin's migration from
  the installed wheel, and the auth pages render its installed templates.

Our wheels are installed by file name, so no package index is asked for a
``corolla*`` name; their third-party dependencies (werkzeug, pluggy, click,
itsdangerous, WTForms) come from the package index like a user's would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
PYPROJECTS = sorted(
    [
        REPO / "core" / "pyproject.toml",
        *REPO.glob("plugins/*/pyproject.toml"),
        *REPO.glob("examples/*/plugin/pyproject.toml"),
        *REPO.glob("examples/plugins/*/pyproject.toml"),
    ]
)


@dataclass
class Dist:
    """One distribution of the repository and the wheel built from it."""

    name: str
    version: str
    folder: Path
    packages: list[str]  # source folders of the import packages, relative to ``folder``
    entry_points: dict[str, str]
    wheel: Path

    @property
    def dist_info(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}.dist-info"

    def names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as zf:
            return set(zf.namelist())

    def read(self, member: str) -> str:
        with zipfile.ZipFile(self.wheel) as zf:
            return zf.read(member).decode()


def run(*args: str | Path, cwd: Path, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would: none of this run's COROLLA_*, PYTHON* or venv variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COROLLA_", "PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, check=False
    )
    if check:
        assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def make_venv(folder: Path) -> Path:
    """A fresh venv without pip (this run's pip installs into it with ``--python``); returns its python."""
    run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    return folder / "bin" / "python"


def pip_install(python: Path, *args: str | Path) -> None:
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", *args, cwd=python.parents[2])


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dist]:
    """Every distribution of the repository, built once into wheels, by distribution name."""
    base = tmp_path_factory.mktemp("wheels")
    wheels = base / "dist"
    build_python = make_venv(base / "build-venv")
    found: dict[str, Dist] = {}
    backends: set[str] = set()
    for pyproject in PYPROJECTS:
        data = tomllib.loads(pyproject.read_text())
        project = data["project"]
        backends.update(data["build-system"]["requires"])
        packages = data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        version = project.get("version") or _hatch_version(pyproject.parent, data)
        found[project["name"]] = Dist(
            name=project["name"],
            version=version,
            folder=pyproject.parent,
            packages=packages,
            entry_points=project.get("entry-points", {}).get("corolla.plugins", {}),
            wheel=Path(),
        )
    pip_install(build_python, *sorted(backends))
    folders = [dist.folder for dist in found.values()]
    run(
        sys.executable, "-m", "pip", "--python", build_python, "wheel", "--no-deps", "--no-build-isolation",
        "--quiet", "-w", wheels, *folders, cwd=base,
    )  # fmt: skip
    for dist in found.values():
        (dist.wheel,) = wheels.glob(f"{dist.name.replace('-', '_')}-{dist.version}-py3-none-any.whl")
    return found


def _hatch_version(folder: Path, data: dict[str, Any]) -> str:
    path = folder / data["tool"]["hatch"]["version"]["path"]
    match = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", path.read_text())
    assert match, f"no __version__ in {path}"
    return match.group(1)


def test_every_distribution_has_a_wheel(dists: dict[str, Dist]) -> None:
    assert {
        "corolla",
        "corolla-routing",
        "corolla-sessions",
        "corolla-orm",
        "corolla-forms",
        "corolla-templates",
        "corolla-auth",
    } <= set(dists)
    assert len({dist.wheel for dist in dists.values()}) == len(dists)


def source_files(dist: Dist) -> Iterator[str]:
    """Every file of the distribution's import packages as it lands in the wheel (``src/`` dropped)."""
    for package in dist.packages:
        source = dist.folder / package
        for path in source.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield f"{source.name}/{path.relative_to(source).as_posix()}"


def test_wheels_carry_every_package_file_entry_point_and_licence(dists: dict[str, Dist]) -> None:
    for dist in dists.values():
        names = dist.names()
        missing = sorted(set(source_files(dist)) - names)
        assert not missing, f"{dist.wheel.name} lacks {missing}"
        entry_points = dist.read(f"{dist.dist_info}/entry_points.txt") if dist.entry_points else ""
        for name, target in dist.entry_points.items():
            assert f"{name} = {target}" in entry_points, (dist.name, entry_points)
        assert any(n.startswith(f"{dist.dist_info}/licenses/") for n in names), f"{dist.wheel.name}: no licence"


def test_package_data_is_in_the_wheels(dists: dict[str, Dist]) -> None:
    """The data files the plugins read at run time, by name (the test above compares whole trees)."""
    expected = {
        "corolla": [
            "corolla/py.typed",
            "corolla/cli/scaffold/plugin/pyproject.toml.tmpl",
            "corolla/cli/scaffold/plugin/src/__module__/_plugin.py.tmpl",
        ],
        "corolla-orm": [
            "corolla_orm/migration_template/env.py",
            "corolla_orm/migration_template/script.py.mako",
        ],
        "corolla-routing": ["corolla_routing/py.typed"],
        "corolla-sessions": ["corolla_sessions/py.typed"],
        "corolla-forms": ["corolla_forms/py.typed"],
        "corolla-templates": ["corolla_templates/py.typed"],
        "corolla-auth": [
            "corolla_auth/py.typed",
            "corolla_auth/templates/auth/base.html",
            "corolla_auth/templates/auth/login.html",
            "corolla_auth/templates/auth/register.html",
            "corolla_auth/migrations/versions/c0a17e5a0001_auth_tables.py",
        ],
    }
    for name, members in expected.items():
        assert set(members) <= dists[name].names(), name


def requirements(dist: Dist) -> dict[str, Requirement]:
    """The wheel's ``Requires-Dist`` lines, by lower-cased project name."""
    metadata = dist.read(f"{dist.dist_info}/METADATA")
    lines = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    return {req.name.lower(): req for req in map(Requirement, lines)}


def test_plugin_wheels_require_a_compatible_core_and_their_libraries(dists: dict[str, Dist]) -> None:
    libraries = {
        "corolla-routing": {"werkzeug"},
        "corolla-sessions": {"itsdangerous", "redis"},
        "corolla-orm": {"sqlalchemy", "alembic", "psycopg"},
        "corolla-forms": {"wtforms", "corolla-sessions"},
        "corolla-templates": {"jinja2", "werkzeug", "click"},
        "corolla-auth": {"corolla-routing", "corolla-sessions", "corolla-orm", "corolla-forms", "corolla-templates"},
    }
    for name, needed in libraries.items():
        requires = requirements(dists[name])
        assert str(requires["corolla"].specifier) == "<0.2,>=0.1", name
        assert needed <= requires.keys(), (name, sorted(requires))
    orm = requirements(dists["corolla-orm"])
    assert orm["psycopg"].marker is not None and "postgresql" in str(orm["psycopg"].marker)  # an extra
    assert str(orm["sqlalchemy"].specifier) == "<2.2,>=2.0"


def metadata_fields(dist: Dist) -> tuple[dict[str, list[str]], str]:
    """The wheel's METADATA headers (name -> values) and its long description."""
    text = dist.read(f"{dist.dist_info}/METADATA")
    head, _, body = text.partition("\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields, body


def test_every_wheel_has_the_metadata_an_index_shows(dists: dict[str, Dist]) -> None:
    """Project URLs, a long description that works off the repository, classifiers, keywords, floors."""
    for dist in dists.values():
        fields, description = metadata_fields(dist)
        urls = dict(url.split(", ", 1) for url in fields.get("Project-URL", []))
        assert {"Source", "Documentation", "Issues"} <= urls.keys(), (dist.name, urls)
        assert all(url.startswith("https://") for url in urls.values()), (dist.name, urls)
        assert fields.get("Description-Content-Type") == ["text/markdown"], dist.name
        assert description.strip(), f"{dist.name}: no long description"
        # Links relative to the repository (../../docs) are broken on a package index.
        relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", description)
        assert not relative, (dist.name, relative)
        classifiers = set(fields.get("Classifier", []))
        assert {
            "Development Status :: 3 - Alpha",
            "Programming Language :: Python :: 3 :: Only",
            "Programming Language :: Python :: 3.10",
            "Programming Language :: Python :: 3.13",
            "Typing :: Typed",
        } <= classifiers, (dist.name, sorted(classifiers))
        keywords = fields["Keywords"][0].split(",")
        assert "corolla" in keywords, dist.name
        # Plugins share a marker keyword, as Datasette's plugins share their Framework classifier.
        assert ("corolla-plugin" in keywords) == bool(dist.entry_points), (dist.name, keywords)
        assert fields["Requires-Python"] == [">=3.10"], dist.name
        # One floor per library across every distribution.
        for name, req in requirements(dist).items():
            floor = {"werkzeug": ">=3.1.4", "click": ">=8.1", "itsdangerous": ">=2.2"}.get(name)
            if floor is not None:
                assert floor in str(req.specifier).split(","), (dist.name, str(req))


def plugins_list(corolla: Path, cwd: Path) -> list[dict[str, object]]:
    result = run(corolla, "plugins", "list", "--json", cwd=cwd)
    listed: list[dict[str, object]] = json.loads(result.stdout)
    return listed


SERVE = r"""
import json, sys
import corolla, corolla_routing, corolla_sessions
from werkzeug.test import Client

app = corolla.App(root=sys.argv[1])

@app.get("/count")
def count(request):
    request.session["n"] = request.session.get("n", 0) + 1
    return {"n": request.session["n"]}

client = Client(app)
client.get("/count")
response = client.get("/count")
print(json.dumps({
    "status": response.status_code,
    "body": response.get_json(),
    "files": [m.__file__ for m in (corolla, corolla_routing, corolla_sessions)],
    "order": list(app.resolution.order),
}))
"""


def test_core_routing_sessions_from_wheels(dists: dict[str, Dist], tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, *(dists[name].wheel for name in ("corolla", "corolla-routing", "corolla-sessions")))
    work = tmp_path / "work"  # no corolla.toml, no app.py: every installed plugin is found
    work.mkdir()
    corolla = python.parent / "corolla"

    listed = plugins_list(corolla, work)
    assert [(p["name"], p["distribution"], p["status"]) for p in listed] == [
        ("routing", "corolla-routing", "enabled"),
        ("sessions", "corolla-sessions", "enabled"),
    ]
    assert run(corolla, "plugins", "check", cwd=work).stdout.startswith("ok: the plugin set resolves")

    out = json.loads(run(python, "-c", SERVE, work, cwd=work).stdout)
    assert out["status"] == 200 and out["body"] == {"n": 2}  # the session cookie came back
    assert out["order"] == ["routing", "sessions"]
    for file in out["files"]:
        assert Path(file).is_relative_to(tmp_path / "venv"), file  # the wheels, not this checkout
    installed = run(python, "-c", "import importlib.metadata as m; print(m.version('corolla-sessions'))", cwd=work)
    assert installed.stdout.strip() == dists["corolla-sessions"].version


def test_forms_without_sessions_does_not_take_routing_down(dists: dict[str, Dist], tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, dists["corolla"].wheel, dists["corolla-routing"].wheel)
    # Later, on its own and without its dependencies (corolla-forms names corolla-sessions,
    # which a plain install would bring): the app pins no plugin set.
    pip_install(python, "--no-deps", dists["corolla-forms"].wheel)
    pip_install(python, "wtforms>=3.1,<4", "itsdangerous>=2.2,<3")  # its libraries, from the index
    work = tmp_path / "work"
    work.mkdir()
    corolla = python.parent / "corolla"

    statuses = {p["name"]: p["status"] for p in plugins_list(corolla, work)}
    assert statuses == {"forms": "skipped", "routing": "enabled"}  # the app starts, with routing

    result = run(corolla, "plugins", "check", cwd=work, check=False)  # the CI gate still fails
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "plugin 'forms' (corolla-forms 0.1.0) requires 'sessions" in output
    assert "which no installed plugin provides" in output
    report = json.loads(run(corolla, "plugins", "check", "--json", cwd=work, check=False).stdout)
    assert report["ok"] is False
    ((error,),) = [report["errors"]]
    assert (error["plugin"], error["kind"]) == ("forms", "missing")
    assert error["fix"] in output

    # The fix names the distribution from forms' own metadata: run it as given, our wheels the only index.
    match = re.fullmatch(r'pip install "([^"]+)"', error["fix"])
    assert match, error["fix"]
    assert match.group(1).startswith("corolla-sessions")
    wheels = dists["corolla-sessions"].wheel.parent
    pip_install(python, "--no-index", "--find-links", wheels, match.group(1))
    assert run(corolla, "plugins", "check", cwd=work).stdout.startswith("ok: the plugin set resolves")
    listed = plugins_list(corolla, work)
    assert {p["name"]: p["status"] for p in listed} == {"forms": "enabled", "routing": "enabled", "sessions": "enabled"}
    assert all(p["manifest"] for p in listed)  # read from the wheels' corolla-plugin.toml, nothing imported


def test_the_notes_demo_runs_on_the_wheels(dists: dict[str, Dist], tmp_path: Path) -> None:
    """Every plugin the demo pins, from the wheels: auth's migrations and templates are read from the venv."""
    python = make_venv(tmp_path / "venv")
    names = ["corolla", *(f"corolla-{n}" for n in ("routing", "sessions", "orm", "forms", "templates", "auth"))]
    pip_install(python, *(dists[name].wheel for name in names))
    app = tmp_path / "notes"
    shutil.copytree(REPO / "examples" / "notes", app, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    corolla = python.parent / "corolla"

    listed = plugins_list(corolla, app)
    assert {p["name"]: p["status"] for p in listed} == dict.fromkeys(
        ["routing", "sessions", "orm", "forms", "templates", "auth"], "enabled"
    )
    shown = json.loads(run(corolla, "plugins", "show", "auth", "--json", cwd=app).stdout)
    assert Path(shown["location"]).is_relative_to(tmp_path / "venv"), shown["location"]

    run(corolla, "db", "upgrade", cwd=app)  # auth's revision from the wheel, then the app's that depends on it
    report = json.loads(run(corolla, "check", "--deploy", "--json", cwd=app, check=False).stdout)
    migrations = next(c for c in report["checks"] if c["id"] == "orm.migrations")
    assert migrations["ok"] and migrations["message"].startswith("the database is at head"), migrations

    page = run(python, "-c", LOGIN_PAGE, cwd=app)
    assert page.stdout.startswith("200 ") and 'name="csrf_token"' in page.stdout


LOGIN_PAGE = r"""
from werkzeug.test import Client
from app import app
response = Client(app).get("/auth/login")
print(response.status_code, response.text)
"""
