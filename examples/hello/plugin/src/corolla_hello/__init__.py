"""A tiny demo plugin: answers ``/`` with a page about the loaded plugins.

It exists so the core can be seen serving requests before a real dispatch
plugin is installed, and it shows the three things most plugins do: declare a
config section, add a lazy request attribute, and implement a hook.
"""

from ._plugin import HelloPlugin, HelloRequest

__all__ = ["HelloPlugin", "HelloRequest"]
