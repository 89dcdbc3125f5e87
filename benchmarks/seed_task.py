"""The seed task: the lecture's plain PyTorch loop vs rnncast's training loop, same windows and weights.

    python benchmarks/seed_task.py [--repeats 5]

Both train the lecture's LSTM (5 features → hidden 10 → Linear) on the 505 training windows of
stock_daily (seq_length 7, min-max scaled on the training rows) for 500 full-batch Adam steps at
lr 0.01 from identical initial weights. The plain loop is the lecture's, reading ``loss.item()``
every step as the lecture's print does (the print itself is left out). Each repeat starts from the
same weights; runs are interleaved and the median time per iteration is reported with the ratio.
"""

import argparse
import copy
import statistics
import time

import numpy as np
import torch
from _machine import describe

from rnncast.data.io import read_table
from rnncast.models import build_net
from rnncast.specs import ModelSpec, TrainSpec
from rnncast.training.loop import train

ITERATIONS, LR, SEQ = 500, 0.01, 7


class Net(torch.nn.Module):  # the lecture's Net
    def __init__(self, input_dim, hidden_dim, output_dim, layers):
        super().__init__()
        self.rnn = torch.nn.LSTM(input_dim, hidden_dim, num_layers=layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden_dim, output_dim, bias=True)

    def forward(self, x):
        x, _status = self.rnn(x)
        return self.fc(x[:, -1])


def lecture_windows():
    xy = read_table("stock_daily").to_numpy(dtype=np.float64)  # oldest first
    train_set = xy[: int(len(xy) * 0.7)]
    train_set = (train_set - train_set.min(0)) / (train_set.max(0) - train_set.min(0) + 1e-7)
    xs = np.array([train_set[i : i + SEQ] for i in range(len(train_set) - SEQ)])
    ys = np.array([train_set[i + SEQ, [-1]] for i in range(len(train_set) - SEQ)])
    return torch.FloatTensor(xs), torch.FloatTensor(ys)


def plain_loop(net, X, y):
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    start = time.perf_counter()
    for _ in range(ITERATIONS):
        optimizer.zero_grad()
        loss = criterion(net(X), y)
        loss.backward()
        optimizer.step()
        value = loss.item()
    return time.perf_counter() - start, value


def rnncast_loop(net, X, y):
    start = time.perf_counter()
    result = train(net, X, y, TrainSpec(lr=LR, iterations=ITERATIONS))
    return time.perf_counter() - start, result.losses[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    X, y = lecture_windows()
    torch.manual_seed(0)
    initial = Net(5, 10, 1, 1).state_dict()

    def fresh_plain():
        net = Net(5, 10, 1, 1)
        net.load_state_dict(copy.deepcopy(initial))
        return net

    def fresh_rnncast():
        net = build_net(ModelSpec(kind="lstm", hidden_size=10), input_size=5)
        net.load_state_dict(copy.deepcopy(initial))
        return net

    plain_loop(fresh_plain(), X, y)  # warm-up (first use of torch.optim imports torch._dynamo)
    rnncast_loop(fresh_rnncast(), X, y)
    plain_times, rnncast_times, losses = [], [], set()
    for _ in range(args.repeats):
        seconds, plain_loss = plain_loop(fresh_plain(), X, y)
        plain_times.append(seconds)
        seconds, rnncast_loss = rnncast_loop(fresh_rnncast(), X, y)
        rnncast_times.append(seconds)
        losses.add((plain_loss, rnncast_loss))
    plain_ms = 1000 * statistics.median(plain_times) / ITERATIONS
    rnncast_ms = 1000 * statistics.median(rnncast_times) / ITERATIONS
    plain_loss, rnncast_loss = losses.pop()
    print(f"seed task: {tuple(X.shape)} windows, LSTM hidden 10, {ITERATIONS} full-batch Adam steps,"
          f" median of {args.repeats}")
    print(f"  plain lecture loop   {plain_ms:.3f} ms/iteration   final loss {plain_loss:.10f}")
    print(f"  rnncast train()      {rnncast_ms:.3f} ms/iteration   final loss {rnncast_loss:.10f}")
    print(f"  ratio rnncast/plain  {rnncast_ms / plain_ms:.3f}   (required <= 1.05)")
    print(f"  |loss difference|    {abs(plain_loss - rnncast_loss):.2e}   (required <= 1e-5);"
          f" repeats agreed: {not losses}")


if __name__ == "__main__":
    main()
