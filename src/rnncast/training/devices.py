"""Where the torch engine trains: ``device`` (cpu / cuda / auto) and ``precision`` (fp32 / bf16).

- ``auto`` is ``cuda`` when torch sees a GPU, else ``cpu``; asking for ``cuda`` without one is an error.
  Under torchrun each process takes GPU ``LOCAL_RANK``.
- On a GPU the training data lives on the device: the stacked input rows are copied there once
  (through pinned memory) and the windows are a strided view of them on the device
  (``DeviceWindows``), so a mini-batch is one gather on the GPU and no host-to-device copy.
- ``bf16`` runs forward and loss under CUDA bfloat16 autocast; it is refused on the CPU, where
  autocast to bfloat16 is slower than float32 for these small recurrent nets and changes results.
- Only training moves: the net returns to the CPU at the end, where forecasting runs.
- The NumPy engine runs on the CPU only, in one process, in float32; it refuses the rest by name.

``torch_steps`` builds the torch engine's stepper for ``training.run`` on the chosen device, and
under torchrun the distributed one (``distributed.DistributedSteps``).
"""

from __future__ import annotations

import numpy as np

from rnncast.data.training_sets import WindowBatches, batches_of, dense
from rnncast.errors import RnncastError
from rnncast.training import distributed

DEVICES = ("cpu", "cuda", "auto")
PRECISIONS = ("fp32", "bf16")


def check(engine: str, device: str, precision: str) -> None:
    """Refuse an unknown or unavailable device or precision, or one the engine lacks, in one line."""
    if device not in DEVICES:
        raise RnncastError(f"unknown device {device!r}; choose one of {', '.join(DEVICES)}")
    if precision not in PRECISIONS:
        raise RnncastError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if engine == "numpy":
        if device == "cuda":
            raise RnncastError("the numpy engine runs on the CPU only; use --engine torch for --device cuda")
        if precision != "fp32":
            raise RnncastError("the numpy engine computes in float32 only; use --engine torch for --precision bf16")
        if distributed.world_size() > 1:
            raise RnncastError("multi-process training (torchrun, --nproc) needs the torch engine")
        return
    if device == "cpu" and precision == "fp32":
        return  # the common case: no need to ask torch about GPUs
    kind = resolve(device).type
    if precision == "bf16" and kind != "cuda":
        raise RnncastError("--precision bf16 needs a CUDA GPU (bfloat16 autocast runs on the GPU only);"
                           " use fp32 on the CPU")


def resolve(device: str):
    """The ``torch.device`` that ``device`` names here: ``auto`` → cuda if available; cuda → this rank's GPU."""
    import torch

    if device == "cpu" or (device == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise RnncastError(f"--device cuda: torch {torch.__version__} sees no CUDA GPU; use --device cpu or auto")
    return torch.device("cuda", distributed.local_rank() % torch.cuda.device_count())


def to_device(array: np.ndarray | None, device):
    """``array`` as a tensor on ``device`` (one pinned, asynchronous copy to a GPU); None stays None."""
    import torch

    if array is None:
        return None
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if device.type == "cpu":
        return tensor
    return tensor.pin_memory().to(device, non_blocking=True)


class DeviceWindows:
    """Samples ``index`` of a window view, with the rows and windows resident on a GPU.

    ``windows`` is a strided ``(R - L + 1, L, F)`` view of stacked rows ``(R, F)``; those rows are
    rebuilt (row r is window r's first row; the last L - 1 rows come from the last window), copied
    once, and viewed as windows again on the device: ``rows.unfold(0, L, 1)`` is ``(R - L + 1, F, L)``.
    ``batches[idx]`` gathers the windows of samples ``idx`` (a device tensor of positions).
    """

    def __init__(self, windows: np.ndarray, index: np.ndarray, device):
        rows = np.concatenate([windows[:, 0], windows[-1, 1:]])  # (R, F)
        self.windows = to_device(rows, device).unfold(0, windows.shape[1], 1).transpose(1, 2)  # (R-L+1, L, F)
        self.index = to_device(np.asarray(index, dtype=np.int64), device)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, idx):
        return self.windows[self.index[idx]]


def torch_steps(net, windows, train_idx, y, val_idx, y_val, spec, full_batch: bool, quantiles, device: str,
                precision: str):
    """The torch stepper with net and data on ``device``; under torchrun, DDP with sharded batches."""
    import torch

    from rnncast.training.loop import TorchSteps

    where = resolve(device)
    net.to(where)
    host = where.type == "cpu"
    if not len(val_idx):
        X_val = y_val = None
    elif host and not full_batch:  # gathered chunk by chunk when validating (TorchSteps.val_loss)
        X_val, y_val = WindowBatches(windows, val_idx, torch.from_numpy), batches_of(y_val, torch.from_numpy)
    else:
        X_val, y_val = to_device(windows[np.asarray(val_idx)], where), to_device(dense(y_val), where)
    world = distributed.setup(where)
    if full_batch and world.size > 1:  # each rank holds only its share of the windows
        lo, hi = distributed.shard_bounds(len(train_idx), world.rank, world.size)
        take = slice(lo, hi) if hi > lo else slice(0, 1)  # an empty share still joins the collective, weight 0
        X, y = to_device(windows[np.asarray(train_idx[take])], where), to_device(dense(y[take]), where)
        local = hi - lo
    elif full_batch:
        X, y, local = to_device(windows[np.asarray(train_idx)], where), to_device(dense(y), where), len(train_idx)
    else:
        X = WindowBatches(windows, train_idx, torch.from_numpy) if host else DeviceWindows(windows, train_idx, where)
        y = batches_of(y, torch.from_numpy) if host else to_device(dense(y), where)
        local = None
    args = (net, X, y, X_val, y_val, spec, full_batch, quantiles, where, precision)
    if world.size > 1:
        return distributed.DistributedSteps(*args, world=world, n_local=local, n_total=len(train_idx))
    return TorchSteps(*args)
