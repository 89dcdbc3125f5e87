"""The one progress display of every training run (forecasting members and refits, the text LM, the tagger).

A tqdm bar on stderr: what is training (``label``, e.g. "member 2/5 · validation run"), the round
(iteration, epoch or step) out of the total, the elapsed time and tqdm's ETA, and the last loss (plus the
validation loss when there is one). Nothing is drawn when it is not enabled, and tqdm is imported only then.
"""

from __future__ import annotations


class Progress:
    """``advance(postfix)`` after every round; ``close()`` at the end (also on an error)."""

    def __init__(self, total: int, unit: str, enabled: bool, label: str = "training", done: int = 0):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="it" if unit == "iteration" else unit, desc=label,
                            leave=False, mininterval=0.2, dynamic_ncols=True)

    def advance(self, postfix: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
