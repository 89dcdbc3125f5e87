"""Training speed of the NumPy engine (rnncast.scratch) against torch eager on the seed lecture's task.

    .venv/bin/python benchmarks/scratch_speed.py
    .venv/bin/python benchmarks/scratch_speed.py --repeats 9 --kinds lstm
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/scratch_speed.py     # NumPy's BLAS on one thread

The task: 505 windows x 7 steps x 5 features (float32, random, the same for both engines), a target
(505, 1), hidden size 10, 500 full-batch Adam iterations (lr 0.01) on the MSE. For each kind, rnn
(tanh), lstm and gru:

- torch eager, the lecture's loop: ``rnn = nn.<KIND>(5, 10, batch_first=True)`` + ``nn.Linear(10, 1)``
  on the last step, ``torch.optim.Adam``, ``nn.MSELoss``; per iteration zero_grad, forward, loss,
  backward, step, ``loss.item()``. torch keeps its default thread count (printed).
- NumPy: ``ScratchNet`` loaded with the torch net's initial state dict, the scratch Adam over the
  flat parameter vector, float32; per iteration forward, mse, backward, step (the loss is a float).

Only the 500-iteration loops are timed (models and optimisers are built and reset outside). After
one warm-up of each, the runs alternate torch, numpy, torch, numpy, ... --repeats times; the table
gives the median seconds (and min-max), numpy/torch of the medians, and the final losses of both
engines with their relative difference. In float32 that difference is rounding noise (the engines
sum in different orders) amplified by the training trajectory: on this random task the loss curve
turns sensitive late (gru especially), so it can reach 1e-2 after 500 steps. To show that the math
agrees, one untimed run of both engines in float64 follows, whose final losses agree to ~1e-8.
The machine may be shared: the load average is printed before and after, medians are what to
compare, and ``--torch-threads 1`` shows torch without its intra-op threads (informational; the
default is torch's own choice).
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

from rnncast.scratch import Adam, ScratchNet, mse

N, L, F, H, O = 505, 7, 5, 10, 1
KINDS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Net(nn.Module):
    """The lecture's Net: a recurrent layer and a Linear head on the last step."""

    def __init__(self, kind):
        super().__init__()
        self.rnn = KINDS[kind](F, H, num_layers=1, batch_first=True)
        self.fc = nn.Linear(H, O, bias=True)

    def forward(self, x):
        x, _state = self.rnn(x)
        return self.fc(x[:, -1])


def torch_loop(net, X, Y, iterations, lr):
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    start = time.perf_counter()
    for _ in range(iterations):
        optimizer.zero_grad()
        outputs = net(X)
        loss = criterion(outputs, Y)
        loss.backward()
        optimizer.step()
        last = loss.item()
    return time.perf_counter() - start, last


def numpy_loop(net, X, Y, iterations, lr):
    opt = Adam(lr=lr)
    start = time.perf_counter()
    for _ in range(iterations):
        loss, dpred = mse(net.forward(X), Y)
        net.backward(dpred)
        opt.step(net.flat_params, net.flat_grads)
    return time.perf_counter() - start, loss


def blas_name():
    try:
        return np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # the config layout differs between NumPy versions
        return "?"


def compare(kind, X, Y, iterations, repeats, lr):
    torch.manual_seed(0)
    initial = {k: v.detach().clone() for k, v in Net(kind).state_dict().items()}

    def make_runs(dtype):
        """Both engines from the initial weights, in float32 or float64."""
        tnet = Net(kind).to(getattr(torch, np.dtype(dtype).name))
        snet = ScratchNet(kind=kind, input_size=F, hidden_size=H, output_size=O, dtype=dtype)
        Xd, Yd = X.astype(dtype), Y.astype(dtype)
        Xt, Yt = torch.from_numpy(Xd), torch.from_numpy(Yd)

        def run_torch():
            tnet.load_state_dict(initial)  # copied into the net's dtype
            return torch_loop(tnet, Xt, Yt, iterations, lr)

        def run_numpy():
            snet.load_state_dict({k: v.numpy() for k, v in initial.items()})
            return numpy_loop(snet, Xd, Yd, iterations, lr)

        return run_torch, run_numpy

    run_torch, run_numpy = make_runs(np.float32)

    run_torch(), run_numpy()  # warm-up: first calls allocate, load code, spin up threads
    times = {"torch": [], "numpy": []}
    for _ in range(repeats):
        for name, run in (("torch", run_torch), ("numpy", run_numpy)):
            seconds, final = run()
            times[name].append(seconds)
            times[name + "_loss"] = final
    run_torch64, run_numpy64 = make_runs(np.float64)
    times["torch_loss64"], times["numpy_loss64"] = run_torch64()[1], run_numpy64()[1]
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--torch-threads", type=int, default=None, help="default: torch's own choice")
    args = parser.parse_args(argv)
    default_threads = torch.get_num_threads()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"python {platform.python_version()}, numpy {np.__version__} (BLAS {blas_name()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}), "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads; its default is {default_threads})")
    print(f"task: x ({N}, {L}, {F}) float32, y ({N}, {O}), hidden {H}, {args.iterations} full-batch Adam "
          f"iterations, lr 0.01; {args.repeats} timed runs each, interleaved, after one warm-up\n")

    rng = np.random.default_rng(0)
    X = rng.random((N, L, F), dtype=np.float32)
    Y = rng.random((N, O), dtype=np.float32)
    header = (f"{'kind':<5} {'torch s (min-max)':>22} {'numpy s (min-max)':>22} {'numpy/torch':>11}  "
              f"{'final loss torch':>16} {'numpy':>11} {'|diff|':>8} {'rel':>8}  {'rel f64':>8}")
    print(header)
    print("-" * len(header))
    for kind in args.kinds:
        r = compare(kind, X, Y, args.iterations, args.repeats, lr=0.01)
        t_med, n_med = statistics.median(r["torch"]), statistics.median(r["numpy"])
        diff = abs(r["numpy_loss"] - r["torch_loss"])
        rel64 = abs(r["numpy_loss64"] - r["torch_loss64"]) / abs(r["torch_loss64"])
        spread = {k: f"{statistics.median(r[k]):.3f} ({min(r[k]):.3f}-{max(r[k]):.3f})" for k in ("torch", "numpy")}
        print(f"{kind:<5} {spread['torch']:>22} {spread['numpy']:>22} {n_med / t_med:>11.2f}  "
              f"{r['torch_loss']:>16.8f} {r['numpy_loss']:>11.8f} {diff:>8.1e} {diff / abs(r['torch_loss']):>8.1e}"
              f"  {rel64:>8.1e}")
        sys.stdout.flush()
    print("\nrel: |numpy - torch| / torch of the final float32 losses; rel f64: the same for one float64 run")
    print(f"load average after: {os.getloadavg()[0]:.2f} (above ~0 means other processes shared the CPUs)")


if __name__ == "__main__":
    main()
