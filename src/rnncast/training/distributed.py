"""Multi-process training on PyTorch's own engine: torchrun + DistributedDataParallel.

    torchrun --nproc-per-node 2 -m rnncast train data.csv --epochs 5 --batch-size 256
    rnncast train data.csv --nproc 2 --epochs 5 --batch-size 256      # launches the same

torchrun starts N copies of the command with ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` set. Each
copy reads the data, builds the same seeded network and trains it wrapped in
``DistributedDataParallel`` (gloo on the CPU, NCCL on GPUs), which averages the gradients over the
ranks after every backward pass. Alone (no ``WORLD_SIZE`` or ``WORLD_SIZE=1``) everything here is a no-op.

Sharding, like ``DistributedSampler`` but per batch: every rank draws the same seeded permutation,
so all ranks agree on each global batch B of size b, and rank r trains on its slice
B[⌊rb/W⌋ : ⌊(r+1)b/W⌋] of it (full batch: its slice of all windows). The global batch and the seed are
therefore those of the single-process run. The single-process loss is the mean over B,
ℓ = (1/b) Σ_r n_r ℓ_r with ℓ_r the mean over rank r's n_r windows; DDP averages gradients over W
ranks, so rank r back-propagates (n_r W / b) · ℓ_r and the average is exactly ∇ℓ, also when the
shards differ in size (the last batch of an epoch). The loss reported each step is ℓ itself, summed
over ranks (one scalar all-reduce), so every rank sees the same numbers and takes the same
early-stopping decisions. Validation runs whole on every rank (identical weights, identical value).

Only rank 0 writes the run directory, prints and logs (``is_main``).
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass

from rnncast.training.loop import TorchSteps


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1


def world_size() -> int:
    """Processes in this training (torchrun's ``WORLD_SIZE``; 1 when started alone)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    """This process's number on its machine (torchrun's ``LOCAL_RANK``): which GPU it takes."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_main() -> bool:
    """True in the one process that writes, prints and logs (rank 0, or the only process)."""
    return rank() == 0


def setup(device) -> World:
    """Join torchrun's process group (once; gloo for CPU tensors, NCCL for CUDA ones) and say who we are."""
    if world_size() <= 1:
        return World()
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend=backend)
        atexit.register(_shutdown)
    return World(dist.get_rank(), dist.get_world_size())


def _shutdown() -> None:
    """Leave the group at exit: every rank at once, and only after the DDP wrappers are gone.

    A DDP reducer holds the group, and reference cycles can keep finished fits' wrappers alive until
    interpreter teardown. Destroying the group without this, a rank now and then aborted at exit
    ("terminate called without an active exception", SIGABRT): 3 of 13 runs of
    tests/test_distributed.py; with the collection and the barrier, 0 of 22."""
    import gc

    import torch.distributed as dist

    if dist.is_initialized():
        gc.collect()  # the wrappers of finished fits (reference cycles keep some alive)
        dist.barrier()
        dist.destroy_process_group()


def shard_bounds(n: int, rank: int, size: int) -> tuple[int, int]:
    """Rank ``rank``'s slice [lo, hi) of ``n`` items split over ``size`` ranks, sizes differing by at most 1."""
    return rank * n // size, (rank + 1) * n // size


class DistributedSteps(TorchSteps):
    """The torch stepper under torchrun: the net wrapped in DDP, each global batch sharded over the ranks.

    Mini-batches: ``X``/``y`` hold all training samples and ``step(idx)`` takes this rank's slice of
    the global batch ``idx``. Full batch: ``X``/``y`` hold only this rank's ``n_local`` of the
    ``n_total`` windows (or one window with weight 0 when it has none).
    """

    def __init__(self, *args, world: World, n_local: int | None, n_total: int):
        super().__init__(*args)
        from torch.nn.parallel import DistributedDataParallel

        self.world, self.n_local, self.n_total = world, n_local, n_total
        ids = [self.device.index] if self.device.type == "cuda" else None
        # Built after FlatAdam has moved the parameters into its flat buffer; DDP copies the averaged
        # gradients into the existing .grad views, so the flat gradient is the averaged one.
        self.model = DistributedDataParallel(self.net, device_ids=ids)

    def step(self, idx):
        import torch.distributed as dist

        if idx is None:
            X, y, n_local, n_total = self.X, self.y, self.n_local, self.n_total
        else:
            lo, hi = shard_bounds(len(idx), self.world.rank, self.world.size)
            mine = idx[lo:hi] if hi > lo else idx[:1]  # an empty share still joins the collective, weight 0
            X, y, n_local, n_total = self.X[mine], self.y[mine], hi - lo, len(idx)
        share = n_local / n_total
        loss = self.update(X, y, weight=share * self.world.size)
        total = loss.float() * share  # this rank's part of the global batch's mean loss
        dist.all_reduce(total)
        return self.value(total)
