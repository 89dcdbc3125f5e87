"""Optional TensorBoard logging of the training and validation loss per round (``--tensorboard DIR``).

Off by default; ``torch.utils.tensorboard`` is imported only when asked for, and without the
``tensorboard`` package (``pip install 'rnncast[tb]'``) the request is a one-line error before any
training. Every training run of the process (the holdout fit, conformal calibration fits, a refit)
writes its own run directory ``DIR/fit-<k>`` (k = 1, 2, … in order), so TensorBoard shows them as
separate curves. Scalars: ``loss/train`` and ``loss/val`` against the round (iteration or epoch).
Under torchrun only rank 0 writes.
"""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

from rnncast.errors import RnncastError
from rnncast.training import distributed

_fits = itertools.count(1)


class TensorBoardLog:
    """Writes one training run's losses into ``directory``; call it as ``training.run``'s ``log``."""

    def __init__(self, directory: Path):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise RnncastError("--tensorboard needs the tensorboard package: pip install 'rnncast[tb]'") from None
        self.writer = SummaryWriter(log_dir=str(directory))

    def __call__(self, round_: int, train_loss: float, val_loss: float | None) -> None:
        self.writer.add_scalar("loss/train", train_loss, round_)
        if val_loss is not None:
            self.writer.add_scalar("loss/val", val_loss, round_)

    def close(self) -> None:
        self.writer.close()


@contextlib.contextmanager
def open_log(directory: str | Path | None):
    """A ``TensorBoardLog`` for the next run under ``directory`` (None: no directory, or not rank 0)."""
    if directory is None or not distributed.is_main():
        yield None
        return
    log = TensorBoardLog(Path(directory) / f"fit-{next(_fits)}")
    try:
        yield log
    finally:
        log.close()
