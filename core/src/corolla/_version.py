"""The core's version, read by the build backend and by ``corolla.__version__``."""

__version__ = "0.1.0"
