"""What a plugin declares: the ``Plugin`` base class and ``Setting``.

A plugin is a class named by an entry point in the group ``corolla.plugins``.
Everything the manager needs to resolve it is a class attribute, so importing
the plugin's module does no work; the class is instantiated once per App,
after resolution succeeded, and its state lives on that instance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ._app import App
    from ._planning.discovery import PluginRecord

#: Types a setting may have; values from TOML or the environment are checked
#: (and, for environment strings, converted) against these.
SETTING_TYPES: tuple[type, ...] = (str, int, float, bool, list, dict)


def fits(kind: type, value: Any) -> bool:
    """Whether ``value`` is a ``kind`` as settings mean it (a bool is no int; a list holds strings)."""
    if kind is int and isinstance(value, bool):
        return False
    if not isinstance(value, kind):
        return False
    return not isinstance(value, list) or all(isinstance(item, str) for item in value)


#: A setting's own check: (value, whole section) -> why the value is refused, or None.
SettingCheck = Callable[[Any, Mapping[str, Any]], "str | None"]


@dataclass(frozen=True)
class Setting:
    """One key of a plugin's config section.

    ``type`` is one of ``str``, ``int``, ``float``, ``bool``, ``list`` (of
    strings) or ``dict``. ``secret`` masks the value wherever it is shown.
    ``check``, when given, is called while the app is planned with the
    value (never None) and the whole section (for settings that depend on
    each other); it returns why the value is refused, or None. Its problems
    appear with every other one, in ``corolla plugins check`` too.
    """

    type: type
    default: Any = None
    help: str = ""
    secret: bool = False
    choices: Sequence[Any] = field(default=())
    check: SettingCheck | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.type not in SETTING_TYPES:
            names = ", ".join(t.__name__ for t in SETTING_TYPES)
            raise TypeError(f"Setting type must be one of {names}, not {self.type!r}")
        default = self.default
        if self.type is float and isinstance(default, int) and not isinstance(default, bool):
            default = float(default)
        if default is not None and not fits(self.type, default):
            raise TypeError(
                f"Setting({self.type.__name__}, {default!r}): the default is a {type(default).__name__}, "
                f"not a {self.type.__name__}"
            )


class Plugin:
    """Base class of every Corolla plugin.

    Subclasses declare, as class attributes and without side effects:

    ``requires``
        Plugins or capabilities this one needs, with PEP 440 specifiers:
        ``["sessions>=0.2"]``. Resolution fails when one is missing.
    ``core``
        The range of the core it supports, e.g. ``">=0.1,<0.2"``; checked in
        addition to its distribution's ``Requires-Dist`` on ``corolla``.
    ``provides``
        Capabilities it satisfies (``["sessions"]``); a plugin always provides
        its own name. ``"name==1.2"`` gives the capability its own version,
        otherwise it has the plugin's version.
    ``optional``
        Plugins or capabilities it integrates with when present (ordering only).
    ``conflicts``
        Plugins or capabilities it cannot run beside (specifiers allowed).
    ``before`` / ``after``
        Ordering hints, applied only when the other plugin is loaded.
    ``settings``
        Its config section: key -> ``Setting``.
    ``app_attributes`` / ``request_attributes``
        The names it adds to ``App`` and ``Request``; the values come from its
        ``corolla_app_attributes`` / ``corolla_request_attributes`` hooks.
    ``hookspecs``
        A class or module of hook specifications this plugin declares for
        others to implement.
    ``commands``
        Its ``corolla`` subcommands: name -> ``"module:factory"``; the
        command line imports the factory and calls it with a lazy reference
        to the app (``corolla.AppRef``) only when it lists or runs commands.
    ``autoload``
        False for a plugin loaded only when an allowlist names it
        (``[plugins] enabled``, ``App(plugins=[...])``, ``COROLLA_PLUGINS``),
        never just because it is installed: examples and demos, which would
        otherwise add their routes to every app in the same environment.
    """

    requires: ClassVar[Sequence[str]] = ()
    core: ClassVar[str] = ""
    provides: ClassVar[Sequence[str]] = ()
    optional: ClassVar[Sequence[str]] = ()
    conflicts: ClassVar[Sequence[str]] = ()
    before: ClassVar[Sequence[str]] = ()
    after: ClassVar[Sequence[str]] = ()
    settings: ClassVar[Mapping[str, Setting]] = {}
    app_attributes: ClassVar[Sequence[str]] = ()
    request_attributes: ClassVar[Sequence[str]] = ()
    hookspecs: ClassVar[object | None] = None
    commands: ClassVar[Mapping[str, str]] = {}
    autoload: ClassVar[bool] = True

    def __init__(self, app: App, record: PluginRecord, config: Mapping[str, Any]) -> None:
        #: The app this instance belongs to; plugin state lives here, not in globals.
        self.app = app
        #: Name, version and distribution, as discovered.
        self.record = record
        #: This plugin's validated config section (defaults filled in).
        self.config = config

    @property
    def name(self) -> str:
        return self.record.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.record.name!r} {self.record.version}>"
