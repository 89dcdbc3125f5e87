"""rnncast's version: one place, read by the package, config.json and ``--version``."""

__version__ = "0.1.0"
