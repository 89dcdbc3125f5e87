"""Training throughput (issue #6): rnncast's loop against raw PyTorch loops, CPU, DDP and (when present) GPU.

    python benchmarks/throughput.py            # full: more batches and repeats
    python benchmarks/throughput.py --quick    # a few batches, 3 repeats

(a) Seed task (``seed_task.py``'s data: 505 windows × 7 × 5, LSTM hidden 10, 500 full-batch Adam
    steps): ms per iteration of the plain eager loop, rnncast's torch loop and rnncast's NumPy
    engine, all from the same initial weights; the final losses are printed to show they agree.
(b) Global panel on the CPU: 1,000 synthetic series × 500 steps, LSTM 64 × 2 layers, seq 36,
    horizon 18, mini-batches of 1024 drawn from one seeded permutation: windows/s of rnncast's
    training (``engines.stepper`` + ``training.run``: windows gathered per batch from the strided
    view, FlatAdam) against a raw loop over pre-built tensors (all windows materialised once,
    ``X[idx]``, ``torch.optim.Adam``, ``loss.item()`` per step). Same initial weights, same batches.
(c) DDP on the CPU: the panel loop under torchrun with 1 and 2 processes (gloo, one thread each),
    the global batch 1024 split over the ranks; throughput 2 ranks / 1 rank.
(d) GPU, only where torch sees CUDA: the panel at batch 16384 and B4096·T128·H512·L2, fp32 and
    bf16, rnncast (data resident on the device) against a raw cuDNN loop over pre-built device
    tensors; the seed task's ms per iteration on the GPU. Otherwise it says it was skipped.

Loops are timed alone (models, data and optimisers built outside), alternating rnncast and raw,
after one warm-up; medians of the repeats. One torch thread unless OMP_NUM_THREADS says otherwise.
"""

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _machine import describe  # noqa: E402

from rnncast.data.windows import sliding_windows  # noqa: E402
from rnncast.specs import ModelSpec, TrainSpec  # noqa: E402
from rnncast.training import engines
from rnncast.training import loop as training

N_SERIES, STEPS, SEQ, HORIZON, HIDDEN, LAYERS, BATCH = 1000, 500, 36, 18, 64, 2, 1024


def panel(n_series=N_SERIES, steps=STEPS, seq=SEQ, horizon=HORIZON, seed=0):
    """Synthetic standardised series (random walk + a season of 12), stacked; windows as a strided view.

    Returns the ``(R - L + 1, L, 1)`` window view, every sample's window start and its ``(N, H)`` target.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    series = rng.standard_normal((n_series, steps)).cumsum(1) * 0.1 + np.sin(2 * np.pi * t / 12 + rng.uniform(
        0, 6, (n_series, 1)))
    series = (series - series.mean(1, keepdims=True)) / series.std(1, keepdims=True)
    rows = series.reshape(-1, 1).astype(np.float32)  # (R, 1)
    per_series = steps - seq - horizon + 1
    starts = (np.arange(n_series)[:, None] * steps + np.arange(per_series)).ravel()
    targets = sliding_windows(rows, horizon)[starts + seq, :, 0]  # (N, H)
    return sliding_windows(rows, seq), starts, np.ascontiguousarray(targets)


def net_for(seq_features=1, hidden=HIDDEN, layers=LAYERS, out=HORIZON, seed=0):
    return engines.build("torch", ModelSpec(kind="lstm", hidden_size=hidden, num_layers=layers), seq_features, out,
                         seed)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def rnncast_epoch(net, windows, starts, targets, batch, device="cpu", precision="fp32", seed=0):
    """Seconds for one epoch of rnncast's own training over the samples ``starts``."""
    spec = TrainSpec(lr=1e-3, epochs=1, batch_size=batch, seed=seed)
    steps = engines.stepper("torch", net, windows, starts, targets, starts[:0], targets[:0], spec,
                            spec.full_batch(len(starts)), None, device, precision)
    where = steps.device
    sync(where)
    start = time.perf_counter()
    result = training.run(steps, len(starts), spec)
    sync(where)
    return time.perf_counter() - start, result.losses[-1]


def raw_epoch(net, X, y, batch, device, precision="fp32", seed=0):
    """Seconds for one epoch of the plain loop over pre-built tensors ``X``, ``y`` (already on ``device``)."""
    net.to(device).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    criterion = torch.nn.MSELoss()
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(device)
    bf16 = precision == "bf16"
    sync(device)
    start = time.perf_counter()
    total = 0.0
    for b in range(0, len(X), batch):
        idx = order[b : b + batch]
        optimizer.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = criterion(net(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += (loss.item() if device.type == "cpu" else loss.detach()) * len(idx)
    total = float(total)
    sync(device)
    return time.perf_counter() - start, total / len(X)


def compare(label, windows, starts, targets, batch, repeats, device, precision="fp32", seq_features=1,
            hidden=HIDDEN, layers=LAYERS):
    """Median windows/s of rnncast and the raw loop on the same samples, weights and batches."""
    device = torch.device(device)
    initial = net_for(seq_features, hidden, layers, targets.shape[1]).state_dict()

    def fresh():
        net = net_for(seq_features, hidden, layers, targets.shape[1])
        net.load_state_dict(copy.deepcopy(initial))
        return net

    X = torch.from_numpy(np.ascontiguousarray(windows[starts])).to(device)
    y = torch.from_numpy(targets).to(device)
    times = {"rnncast": [], "raw": []}
    losses = {}
    for r in range(repeats + 1):  # the first round warms up
        seconds, losses["rnncast"] = rnncast_epoch(fresh(), windows, starts, targets, batch, device.type, precision)
        if r:
            times["rnncast"].append(seconds)
        seconds, losses["raw"] = raw_epoch(fresh(), X, y, batch, device, precision)
        if r:
            times["raw"].append(seconds)
    rate = {k: len(starts) / statistics.median(v) for k, v in times.items()}
    print(f"  {label}: {len(starts)} windows in batches of {batch}, median of {repeats}")
    print(f"    raw PyTorch loop   {rate['raw']:10.0f} windows/s   epoch loss {losses['raw']:.6f}")
    print(f"    rnncast training   {rate['rnncast']:10.0f} windows/s   epoch loss {losses['rnncast']:.6f}")
    print(f"    ratio rnncast/raw  {rate['rnncast'] / rate['raw']:.3f}")
    return rate


def seed_task(repeats, device="cpu"):
    """(a): ms/iteration of the plain loop, rnncast's torch loop and (CPU) rnncast's NumPy engine."""
    import seed_task as st

    from rnncast.training.numpy_steps import NumpySteps

    device = torch.device(device)
    X, y = st.lecture_windows()
    torch.manual_seed(0)
    initial = st.Net(5, 10, 1, 1).state_dict()
    spec = TrainSpec(lr=st.LR, iterations=st.ITERATIONS)

    def plain():
        net = st.Net(5, 10, 1, 1).to(device)
        net.load_state_dict(copy.deepcopy(initial))
        sync(device)
        start = time.perf_counter()
        seconds, loss = st.plain_loop(net, X.to(device), y.to(device))
        sync(device)
        return time.perf_counter() - start, loss

    def torch_engine():
        net = engines.build("torch", ModelSpec(kind="lstm", hidden_size=10), 5, 1, 0)
        net.load_state_dict(copy.deepcopy(initial))
        n = len(X)
        steps = engines.stepper("torch", net, X.numpy(), np.arange(n), y.numpy(), np.arange(0), y.numpy()[:0],
                                spec, True, None, device.type)
        sync(device)
        start = time.perf_counter()
        result = training.run(steps, n, spec)
        sync(device)
        return time.perf_counter() - start, result.losses[-1]

    def numpy_engine():
        net = engines.build("numpy", ModelSpec(kind="lstm", hidden_size=10), 5, 1, 0)
        net.load_state_dict({k: v.numpy() for k, v in initial.items()})
        steps = NumpySteps(net, X.numpy(), y.numpy(), None, None, spec, True)
        start = time.perf_counter()
        result = training.run(steps, len(X), spec)
        return time.perf_counter() - start, result.losses[-1]

    loops = {"plain eager loop": plain, "rnncast torch": torch_engine}
    if device.type == "cpu":
        loops["rnncast numpy engine"] = numpy_engine
    times = {k: [] for k in loops}
    losses = {}
    for r in range(repeats + 1):
        for name, loop in loops.items():
            seconds, losses[name] = loop()
            if r:
                times[name].append(seconds)
    ms = {k: 1000 * statistics.median(v) / st.ITERATIONS for k, v in times.items()}
    print(f"  seed task on {device.type}: {tuple(X.shape)} windows, LSTM hidden 10, {st.ITERATIONS} full-batch Adam"
          f" steps, median of {repeats}")
    for name in loops:
        print(f"    {name:<22}{ms[name]:8.3f} ms/iteration   ratio to plain {ms[name] / ms['plain eager loop']:.3f}"
              f"   final loss {losses[name]:.10f}")
    return ms


def ddp_worker(n_batches, repeats):
    """Run under torchrun: rnncast's panel training with the ranks sharing each global batch."""
    windows, starts, targets = panel()
    sample = np.random.default_rng(1).permutation(len(starts))[: n_batches * BATCH]
    times = []
    for r in range(repeats + 1):
        seconds, _loss = rnncast_epoch(net_for(), windows, starts[sample], targets[sample], BATCH)
        if r:
            times.append(seconds)
    if int(os.environ.get("RANK", "0")) == 0:
        print("DDP_RESULT " + json.dumps({"windows": len(sample), "seconds": statistics.median(times)}))


def ddp(n_batches, repeats):
    """(c): windows/s under torchrun with 1 and 2 CPU processes."""
    rates = {}
    for nproc in (1, 2):
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc),
               __file__, "--ddp-worker", "--batches", str(n_batches), "--repeats", str(repeats)]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        line = next((x for x in out.stdout.splitlines() if x.startswith("DDP_RESULT ")), None)
        if line is None:
            print(f"    {nproc} process(es): failed\n{out.stderr[-2000:]}")
            return None
        result = json.loads(line.split(" ", 1)[1])
        rates[nproc] = result["windows"] / result["seconds"]
        print(f"    {nproc} process(es), 1 thread each: {rates[nproc]:10.0f} windows/s")
    print(f"    scaling 2 ranks / 1 rank: {rates[2] / rates[1]:.2f} (ideal 2.00 with 2 free cores)")
    return rates


def gpu(args):
    """(d): only with CUDA."""
    if not torch.cuda.is_available():
        print("\n(d) GPU: skipped (torch sees no CUDA device)")
        return
    print(f"\n(d) GPU: {torch.cuda.get_device_name()}")
    windows, starts, targets = panel()
    n = (4 if args.quick else 16) * 16384
    sample = np.random.default_rng(1).permutation(len(starts))[:n]
    for precision in ("fp32", "bf16"):
        compare(f"panel, LSTM 64x2, {precision}", windows, starts[sample], targets[sample], 16384, args.repeats,
                "cuda", precision)
    windows, starts, targets = panel(seq=128)
    n = (4 if args.quick else 16) * 4096
    sample = np.random.default_rng(1).permutation(len(starts))[:n]
    for precision in ("fp32", "bf16"):
        compare(f"B4096 T128 H512 L2, {precision}", windows, starts[sample], targets[sample], 4096, args.repeats,
                "cuda", precision, hidden=512, layers=2)
    seed_task(args.repeats, "cuda")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches and repeats")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--batches", type=int, help="panel batches per timed epoch")
    parser.add_argument("--ddp-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out: a,b,c,d")
    args = parser.parse_args()
    args.repeats = args.repeats or (3 if args.quick else 7)
    args.batches = args.batches or (4 if args.quick else 16)
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    if args.ddp_worker:
        ddp_worker(args.batches, args.repeats)
        return
    print(describe())
    skip = set(args.skip.split(","))
    if "a" not in skip:
        print("\n(a) CPU seed task")
        seed_task(args.repeats)
    if "b" not in skip:
        print("\n(b) CPU global panel: 1,000 series x 500 steps, LSTM 64x2, seq 36, horizon 18")
        windows, starts, targets = panel()
        sample = np.random.default_rng(1).permutation(len(starts))[: args.batches * BATCH]
        compare(f"{args.batches} batches of {BATCH} ({len(starts)} windows in the panel)", windows, starts[sample],
                targets[sample], BATCH, args.repeats, "cpu")
    if "c" not in skip:
        print(f"\n(c) DDP on the CPU (gloo): the panel, {args.batches} global batches of {BATCH}")
        ddp(args.batches, args.repeats)
    if "d" not in skip:
        gpu(args)


if __name__ == "__main__":
    main()
