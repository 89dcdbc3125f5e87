"""Can ensemble members train together for less than their sum? One Adam step on this CPU, measured.

    python benchmarks/batched_members.py [--repeats 200] [--threads 1]

A preset member is a one-layer LSTM/GRU/RNN with 32 hidden units on windows of L steps (1-2 features),
mini-batches of 128-256 and a Linear head of H outputs. M members of one cell type can be stacked into one
network whose weights are block-diagonal (hidden M·32; the off-block weights start at zero and their
gradients are zeroed, so the members stay independent): one ``torch.lstm`` call instead of M. This script
times one training step (forward, MSE, backward, Adam) of

- one member, batch B;
- M members one after another (M separate steps);
- M members stacked block-diagonally (one step, batch B, hidden M·32, input M·F);
- one member on a batch of M·B windows (what sharing every overhead would cost at best);

and prints the medians and the ratios to one member. Issue 18's target was a 5-member fit in at most 2×
one member's time; the numbers say what stacking can and cannot buy on a CPU.
"""

import argparse
import statistics
import time

import torch
from _machine import describe
from torch import nn

LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def step_time(kind: str, batch: int, hidden: int, features: int, L: int, H: int, repeats: int,
              block_members: int = 1) -> float:
    """Median seconds of one Adam step; ``block_members`` > 1: that many members stacked block-diagonally."""
    torch.manual_seed(0)
    M = block_members
    layer = LAYERS[kind](features * M, hidden * M, batch_first=True)
    head = nn.Linear(hidden * M, H * M)
    masks = {}
    if M > 1:  # block-diagonal: member m's units read only member m's inputs and hidden state
        gates = {"lstm": 4, "gru": 3, "rnn": 1}[kind]
        for name, p in layer.named_parameters():
            if p.dim() == 2:
                cols = features if "ih" in name else hidden
                mask = torch.zeros_like(p)
                for g in range(gates):
                    for m in range(M):
                        rows = slice(g * hidden * M + m * hidden, g * hidden * M + (m + 1) * hidden)
                        mask[rows, m * cols : (m + 1) * cols] = 1
                masks[name] = mask
                with torch.no_grad():
                    p.mul_(mask)
    params = list(layer.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    x = torch.randn(batch, L, features * M)
    y = torch.randn(batch, H * M)
    named = dict(layer.named_parameters())

    def one() -> None:
        optimizer.zero_grad()
        out, _ = layer(x)
        loss = ((head(out[:, -1]) - y) ** 2).mean()
        loss.backward()
        for name, mask in masks.items():
            named[name].grad.mul_(mask)
        optimizer.step()

    for _ in range(10):
        one()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        one()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(describe())
    print(f"one Adam step, median of {args.repeats}; hidden 32, features 2, horizon 8; ratios to one member\n")
    print(f"{'cell':<5} {'L':>3} {'B':>4} {'M':>2} | {'one':>8} | {'M in turn':>9} {'×':>5} | {'stacked':>8} {'×':>5} |"
          f" {'batch M·B':>9} {'×':>5}")
    for kind in ("lstm", "gru", "rnn"):
        for L, B in ((24, 128), (27, 256)):
            one = step_time(kind, B, 32, 2, L, 8, args.repeats)
            for M in (2, 5):
                stacked = step_time(kind, B, 32, 2, L, 8, args.repeats, block_members=M)
                wide = step_time(kind, B * M, 32, 2, L, 8, args.repeats)
                print(f"{kind:<5} {L:>3} {B:>4} {M:>2} | {one * 1e3:6.2f}ms | {M * one * 1e3:7.2f}ms {M:5.2f} |"
                      f" {stacked * 1e3:6.2f}ms {stacked / one:5.2f} | {wide * 1e3:7.2f}ms {wide / one:5.2f}",
                      flush=True)


if __name__ == "__main__":
    main()
