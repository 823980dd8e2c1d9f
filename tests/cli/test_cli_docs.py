"""docs/cli.md and docs/hooks.md cannot drift from the real output.

docs/cli.md: every ```console block holds ``$ corolla ...`` lines, each
followed by its output (and ``[exit status N]`` when N is not 0). The test runs each command in a fixed example
project (the synthetic plugins below, a corolla.toml) and compares. To
refresh the outputs after changing the command line:

    .venv/bin/python tests/cli/test_cli_docs.py --write

docs/hooks.md is ``corolla hooks --markdown`` over the installed plugins:

    .venv/bin/corolla hooks --markdown > docs/hooks.md
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from corolla import AppRef
from corolla._failures import FailureLog
from corolla.cli import cli, make_state
from corolla.cli._hooks import missing_docstrings, reference_markdown
from corolla.testing import SyntheticPlugins

ROOT = Path(__file__).parents[2]
CLI_MD = ROOT / "docs" / "cli.md"
HOOKS_MD = ROOT / "docs" / "hooks.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
PROJECT = "/home/me/project"
SITE = "/home/me/.venv/lib/python3.12/site-packages"

SESSIONS_BODY = """
@hookimpl
def corolla_request_attributes(self, app):
    return {"session": lambda request: {}}

@hookimpl(wrapper=True)
def corolla_dispatch(self, request):
    return (yield)

@hookimpl
def corolla_deploy_checks(self, app):
    ok = self.config["cookie_secure"]
    return [corolla.Check("sessions.cookie_secure", ok, "cookies are " + ("" if ok else "not ") + "Secure",
                          "set [sessions] cookie_secure = true")]
"""


def audit_log_command(app: AppRef) -> click.Command:
    """The audit plugin's command factory (its ``commands`` declaration names it)."""

    @click.command("audit-log")
    def audit_log() -> None:
        """Print the audit log (added by the audit plugin)."""

    return audit_log


AUDIT_BODY = f"""
commands = {{"audit-log": "{__name__}:audit_log_command"}}

@hookimpl
def corolla_dispatch(self, request):
    return None
"""


def example_plugins(folder: Path) -> SyntheticPlugins:
    plugins = SyntheticPlugins(folder)
    plugins.add(
        "sessions",
        version="0.1.0",
        settings={
            "backend": "Setting(str, 'cookie', 'Where sessions are stored', choices=['cookie', 'redis', 'sql'])",
            "redis_url": "Setting(str, 'redis://127.0.0.1:6379/0', 'Redis server for the redis backend', secret=True)",
            "cookie_secure": "Setting(bool, False, 'Send the cookie over HTTPS only')",
        },
        request_attributes=["session"],
        body=SESSIONS_BODY,
        requires_dist=["corolla>=0.1,<0.2"],
        manifest=True,
    )
    plugins.add(
        "forms",
        version="0.1.0",
        requires=["sessions>=0.1"],
        optional=["orm"],
        requires_dist=["corolla>=0.1,<0.2", "corolla-sessions>=0.1"],
        manifest=True,
    )
    # An older plugin, without a manifest: `plugins list` marks it.
    plugins.add("audit", version="0.2.0", after=["sessions"], body=AUDIT_BODY, requires_dist=["corolla>=0.1,<0.2"])
    return plugins


def commands(text: str) -> Iterator[tuple[str, str]]:
    """(command line, expected output) for every ``$`` line in the console blocks."""
    for block in BLOCK.findall(text):
        parts = re.split(r"^\$ ", block, flags=re.M)
        for part in parts[1:]:
            line, _, output = part.partition("\n")
            yield line, output


def run(line: str, plugins: SyntheticPlugins, project: Path) -> str:
    words = shlex.split(line)
    environ = {}
    while "=" in words[0]:
        key, _, value = words.pop(0).partition("=")
        environ[key] = value
    assert words[0] == "corolla", line
    args = words[1:]
    work = project if "new" not in args else Path(tempfile.mkdtemp(dir=project.parent))
    overrides = {"cwd": work, "environ": environ, "plugin_path": plugins.path}
    import os

    old = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(cli, args, obj=make_state(args, overrides), prog_name="corolla", env=environ)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash is never documentation
    out = result.output.replace(str(project), PROJECT).replace(plugins.path[0], SITE)
    # The exit status is part of the documented output: a command that starts
    # failing (or stops failing) makes the docs out of date.
    return out + (f"[exit status {result.exit_code}]\n" if result.exit_code else "")


def example_project(tmp: Path) -> tuple[SyntheticPlugins, Path]:
    plugins = example_plugins(tmp / "site")
    project = tmp / "project"
    project.mkdir()
    (project / "corolla.toml").write_text('[sessions]\nbackend = "redis"\n')
    # What the app's workers would have recorded (at fixed times, so the output is stable):
    # the audit plugin's wrapper failed three times while serving.
    when = iter([1796551200.0, 1796551260.0, 1796554800.0])
    record = FailureLog(project / "instance", clock=lambda: next(when)).record
    for _ in range(3):
        place = f"{plugins.path[0]}/synth_corolla_audit.py:12 in audited"
        record("audit", "corolla_wrap_request", LookupError("the audit log is full"), place)
    return plugins, project


def rendered(text: str, plugins: SyntheticPlugins, project: Path) -> str:
    def fill(match: re.Match[str]) -> str:
        body = "".join(f"$ {line}\n{run(line, plugins, project)}" for line, _ in commands(match.group(0)))
        return f"```console\n{body}```"

    return BLOCK.sub(fill, text)


@pytest.fixture
def example(tmp_path: Path) -> Iterator[tuple[SyntheticPlugins, Path]]:
    plugins, project = example_project(tmp_path)
    plugins.activate()
    yield plugins, project
    plugins.deactivate()


def test_cli_md_shows_real_output(example: tuple[SyntheticPlugins, Path]) -> None:
    text = CLI_MD.read_text()
    found = list(commands(text))
    assert len(found) >= 15
    for line, expected in found:
        assert run(line, *example) == expected, f"docs/cli.md is out of date for `{line}`: run {__doc__}"


def test_cli_md_covers_every_command() -> None:
    lines = [line for line, _ in commands(CLI_MD.read_text())]
    for command in (
        "plugins list",
        "plugins list --json",
        "plugins show",
        "plugins check",
        "plugins check --json",
        "plugins graph",
        "plugins why",
        "plugins failures",
        "hooks",
        "hooks corolla_dispatch --json",
        "check",
        "check --deploy",
        "run --help",
        "new plugin",
        "--help",
    ):
        assert any(f"corolla {command}" in line for line in lines), f"docs/cli.md has no example of {command}"


def test_hooks_md_is_up_to_date(tmp_path: Path) -> None:
    state = make_state(["hooks", "--markdown"], {"cwd": tmp_path, "environ": {}})
    result = CliRunner().invoke(cli, ["hooks", "--markdown"], obj=state)
    assert result.exit_code == 0, result.output
    assert HOOKS_MD.read_text() == result.stdout, "docs/hooks.md is out of date: " + __doc__.split("\n\n")[-1]


def test_every_hook_has_a_docstring(tmp_path: Path) -> None:
    from corolla import hookspecs

    state = make_state([], {"cwd": tmp_path, "environ": {}})
    from corolla.cli._hooks import _plugin_specs

    namespaces = [hookspecs, *(ns for _, ns in _plugin_specs(state))]
    assert missing_docstrings(namespaces) == []
    assert "(undocumented)" not in reference_markdown(_plugin_specs(state))


if __name__ == "__main__" and "--write" in sys.argv:
    with tempfile.TemporaryDirectory() as tmp:
        plugins, project = example_project(Path(tmp))
        plugins.activate()
        CLI_MD.write_text(rendered(CLI_MD.read_text(), plugins, project))
        print(f"wrote {CLI_MD}")
