"""corolla-auth: a Corolla plugin (entry point ``auth``)."""

from ._plugin import AuthPlugin

__all__ = ["AuthPlugin"]
