"""The one progress display of every training run (forecasting members and refits, the text LM, the tagger).

A tqdm bar on stderr: what is training (``label``, e.g. "member 2/5 · validation run"), the round
(iteration, epoch or step) out of the total, the elapsed time and tqdm's ETA, and the last loss (plus the
validation loss when there is one). Nothing is drawn when it is not enabled, and tqdm is imported only then.
A command enables it on a terminal (not when its stderr is a file or a pipe) unless asked (``wanted``).
"""

from __future__ import annotations

import sys


def add_options(parser) -> None:
    """``--quiet`` and ``--progress`` for a command that trains."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--progress", action="store_true",
                        help="show the progress bar even when stderr is not a terminal (a log file, a pipe)")


def wanted(args) -> bool:
    """The command's progress bar: on a terminal unless --quiet; elsewhere only with --progress."""
    return bool(getattr(args, "progress", False)) or (not args.quiet and sys.stderr.isatty())


class Progress:
    """``advance(postfix)`` after every round; ``close()`` at the end (also on an error).

    One bar may span several training runs (a forecaster's fit: every ensemble member's validation run and
    refit): the fit counts the rounds it expects in ``total``, each run names itself (``label``) and gives
    back the rounds it did not need when early stopping ends it (``add(-n)``), so the ETA is the whole fit's.
    """

    def __init__(self, total: int, unit: str, enabled: bool, label: str = "training", done: int = 0):
        self.enabled, self.bar = enabled, None
        self._opening = {"total": total, "initial": done, "unit": "it" if unit == "iteration" else unit, "desc": label}

    def label(self, text: str) -> None:
        """Name the run now starting; the bar is drawn from the first run on (not while a net is still being
        built and torch imported, which a Ctrl-C should not land in as if training had begun)."""
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(**{**self._opening, "desc": text}, leave=False, mininterval=0.2, dynamic_ncols=True)
        else:
            self.bar.set_description_str(text)  # drawn now: a short run may end before the next refresh

    def add(self, rounds: int) -> None:
        """Count ``rounds`` more (or, negative, fewer) in the total."""
        if self.bar is None:
            self._opening["total"] += rounds
        elif rounds:
            self.bar.total += rounds
            self.bar.refresh()

    def skip(self, rounds: int) -> None:
        """Rounds done outside this process's runs: before it started (a resumed checkpoint), or by a worker
        process (an ensemble member trained side by side)."""
        if self.bar is None:
            self._opening["initial"] += rounds
        elif rounds:
            self.bar.update(rounds)

    def advance(self, postfix: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
