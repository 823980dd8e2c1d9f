"""Where templates and static files come from: the app's folders, then the plugins'.

The convention for a plugin shipping templates (or static files): a folder
named ``templates`` (``static``) in the package that defines its plugin
class, included in its wheel as package data. A plugin may instead name the
folder with a class attribute ``template_folder`` (``static_folder``): a path
relative to the folder of the module defining the class, or absolute; None
means it ships none. A plugin whose class lives in a top-level single-file
module has no package folder to look in, so only the attribute counts there.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corolla import Plugin

_UNSET = object()


@dataclass(frozen=True)
class Folder:
    """One folder searched, and whose it is (for error messages and listings)."""

    path: Path
    owner: str  # "app" or the plugin's name

    def describe(self) -> str:
        whose = "the app's folder" if self.owner == "app" else f"plugin {self.owner!r}"
        missing = "" if self.path.is_dir() else ", which does not exist"
        return f"{self.path} ({whose}{missing})"


def plugin_folder(cls: type, attribute: str, default: str) -> Path | None:
    """The folder of kind ``default`` (``templates``/``static``) a plugin class ships, if it exists."""
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    if not filename:
        return None
    here = Path(filename).resolve().parent
    declared = getattr(cls, attribute, _UNSET)
    if declared is None:
        return None
    if declared is _UNSET:
        in_package = bool(getattr(module, "__package__", "")) or hasattr(module, "__path__")
        if not in_package:
            return None  # site-packages itself is no plugin's folder
        folder = here / default
    else:
        folder = here / str(declared)
    return folder if folder.is_dir() else None


def search_path(app_folder: Path, plugins: Iterable[tuple[str, Plugin]], attribute: str, default: str) -> list[Folder]:
    """The app's folder first, then each plugin's, dependents before what they depend on.

    ``plugins`` come in load order; they are searched in reverse, so a
    plugin's files override those of the plugins it requires, as the app's
    override everybody's.
    """
    folders = [Folder(app_folder, "app")]
    for name, plugin in reversed(list(plugins)):
        found = plugin_folder(type(plugin), attribute, default)
        if found is not None:
            folders.append(Folder(found, name))
    return folders
