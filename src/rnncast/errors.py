"""The one exception a user sees.

Anything the user can cause (a bad file, a wrong column name, an impossible setting) raises
``RnncastError`` with a one-line message that names the problem. The CLI prints it on one line
of stderr and exits with status 2; Python callers can catch it (it is a ``ValueError``).
"""


class RnncastError(ValueError):
    """Bad input or arguments: the message is one line meant for the user."""


class NotFittedError(RnncastError, AttributeError):
    """A Forecaster method that needs a fitted model was called before ``fit``."""
