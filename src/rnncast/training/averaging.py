"""Stochastic weight averaging: the mean of the weights at the end of a run's last rounds.

A network trained with a constant learning rate ends each epoch at a different point near a minimum;
the forecasts of any one of them carry that point's noise. Averaging the points (Izmailov et al., 2018,
"Averaging weights leads to wider optima") gives one network that behaves like an ensemble of them, for
the cost of one running mean. With ``swa = s`` and R rounds, the weights θ_r at the end of rounds
r = ⌊R·(1 − s)⌋ + 1 … R are averaged::

    θ̄_n = θ̄_{n-1} + (θ_r − θ̄_{n-1}) / n          (n = how many rounds are in the mean so far)

The recurrent nets here have no batch-norm statistics, so the mean needs no pass over the data after.
``training.loop.run`` keeps one ``WeightAverage`` per run: without validation (or with ``restore_best``
off) the run ends on θ̄; where early stopping keeps its best round, θ̄ is scored on the held-out windows
too and kept only where it beats that round (as the untrained net competes as round 0).
"""

from __future__ import annotations


class WeightAverage:
    """A running mean of a stepper's snapshots (torch: name → tensor; NumPy: one flat array) over the rounds
    from ``start`` (0-based: ⌊R·(1 − swa)⌋; R, no round, when ``swa`` is 0)."""

    def __init__(self, rounds: int, swa: float):
        self.start = rounds if not swa else int(rounds * (1.0 - swa))
        self.count, self.mean = 0, None

    def wants(self, round_index: int) -> bool:
        return round_index >= self.start

    def add(self, snapshot) -> None:
        """Fold in one round's end weights (a snapshot the average may keep: not a view of the net's)."""
        self.count += 1
        if self.mean is None:
            self.mean = snapshot
        elif isinstance(snapshot, dict):
            for name, value in snapshot.items():
                if value.is_floating_point():
                    self.mean[name] += (value - self.mean[name]) / self.count
        else:
            self.mean += (snapshot - self.mean) / self.count
