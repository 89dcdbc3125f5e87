"""The ``rnncast`` command: parsers, options and the commands that call the library."""
