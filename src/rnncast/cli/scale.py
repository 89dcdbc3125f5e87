"""The ``train``/``backtest`` options for scale: ``--device``, ``--precision``, ``--n-jobs``, ``--tensorboard``,
``--nproc``.

``--nproc N`` (N > 1) re-runs the same command as N processes through torchrun's launcher
(``torch.distributed.launcher.api.elastic_launch``, what ``torchrun --standalone`` calls), each a
``python -m rnncast ...`` that finds ``WORLD_SIZE`` set and trains data-parallel (``distributed``).
The settings and the data are checked here first, so a mistake is one line and exit 2 before any
process starts; a worker that fails hands its exit status back.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid

from rnncast.errors import RnncastError
from rnncast.forecaster.settings import add_option
from rnncast.training import devices, distributed


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("device and scale")
    add_option(g, "device")
    add_option(g, "precision")
    add_option(g, "n_jobs")
    g.add_argument("--nproc", type=int, default=1,
                   help="train data-parallel in N processes (torchrun + DDP; same result as one process)")
    g.add_argument("--tensorboard", metavar="DIR", help="log the loss per round for TensorBoard (pip install"
                                                        " 'rnncast[tb]')")


def should_launch(args) -> bool:
    """Whether this process is to start ``--nproc`` workers (not when torchrun already started it)."""
    n = getattr(args, "nproc", 1)
    if n < 1:
        raise RnncastError(f"--nproc must be a positive whole number, got {n}")
    return n > 1 and distributed.world_size() == 1


def launch(args, argv: list[str], prepare) -> int:
    """Check the command with ``prepare(args)`` (data and Forecaster), then run it in ``--nproc`` processes."""
    if args.engine != "torch":
        raise RnncastError("--nproc needs the torch engine (the numpy engine trains in one process)")
    _panel, forecaster = prepare(argparse.Namespace(**{**vars(args), "quiet": True}))  # rank 0 says it again
    forecaster.specs()
    devices.check(forecaster.engine, forecaster.device, forecaster.precision)
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    for name in list(logging.root.manager.loggerDict):  # the workers' own one-line errors say what failed
        if name.startswith("torch.distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=args.nproc, run_id=str(uuid.uuid4()),
                          rdzv_backend="c10d", rdzv_endpoint="localhost:0", max_restarts=0)
    try:
        elastic_launch(config, sys.executable)("-m", "rnncast", *argv)
    except ChildFailedError as exc:
        codes = [f.exitcode for f in exc.failures.values()]
        return next((c for c in codes if c and c > 0), 1)
    return 0
