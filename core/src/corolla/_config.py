"""Validated configuration, as the app and plugins read it: ``Config``.

How it is made (layers merged over the declared settings, every value
checked) is part of the plan: see ``_planning/settings.py``. Also here: the
development secret key kept in the instance folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ._errors import ConfigError, Problem
from ._plugin import Setting

#: The source of a value no layer set.
DEFAULTS = "defaults"


class Config(Mapping[str, Mapping[str, Any]]):
    """Validated configuration: ``config["sessions"]["backend"]``.

    ``source(section, key)`` says which layer a value came from.
    """

    def __init__(
        self,
        sections: dict[str, dict[str, Any]],
        sources: dict[tuple[str, str], str],
        schemas: Mapping[str, Mapping[str, Setting]],
    ) -> None:
        self._sections = sections
        self._sources = sources
        self._schemas = schemas

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self._sections[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sections)

    def __len__(self) -> int:
        return len(self._sections)

    def source(self, section: str, key: str) -> str:
        return self._sources.get((section, key), DEFAULTS)

    def schema(self, section: str) -> Mapping[str, Setting]:
        return self._schemas.get(section, {})

    def masked(self, section: str) -> dict[str, Any]:
        """The section with secret values replaced by ``'***'`` (for display)."""
        schema = self.schema(section)
        return {
            key: ("***" if schema.get(key, Setting(str)).secret and value not in (None, "", []) else value)
            for key, value in self._sections.get(section, {}).items()
        }


def copy_value(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def instance_folder(root: Path, core: Mapping[str, Any]) -> Path:
    """``[core] instance_path``, or ``<root>/instance``; a relative path is relative to the app's root.

    Not to the folder a worker or a command happened to start in: gunicorn
    and ``corolla plugins why`` must find the same folder.
    """
    return root / (core["instance_path"] or "instance")


def instance_secret_key(instance: Path) -> str:
    """The development secret key: created once in ``instance/secret_key`` (mode 0600), then reused."""
    path = instance / "secret_key"
    try:
        return _nonempty_key(path)
    except FileNotFoundError:
        pass
    # 0700: the folder holds the key (and, by default, the SQLite database): nobody else's to list or read.
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Imported here: secrets and tempfile (hashlib, random, shutil) cost ~6 ms that
    # every command line start would pay, and only a new development key needs them.
    import secrets
    import tempfile

    key = secrets.token_urlsafe(48)
    # Write a private temporary file, then link it into place: the link is
    # atomic and fails if another worker got there first, so no process ever
    # reads a half-written key.
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _nonempty_key(path)
        except OSError:
            # No hard links on this filesystem: create exclusively instead.
            # A concurrent reader may then see an empty file for an instant,
            # which _nonempty_key reports rather than using.
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return _nonempty_key(path)
            with os.fdopen(fd2, "w") as fh:
                fh.write(key + "\n")
    finally:
        os.unlink(tmp)
    return key


def _nonempty_key(path: Path) -> str:
    # An empty file (truncated, or made by hand) must never become an empty signing key.
    key = path.read_text().strip()
    if not key:
        raise ConfigError(
            [
                Problem(
                    "core",
                    "secret-key",
                    f"the development secret key file {path} is empty",
                    f"delete {path} so a new key is generated, or set [core] secret_key",
                )
            ]
        )
    return key
