"""Stochastic weight averaging (``swa``): the running mean is the mean of the averaged rounds' weights, a run
without validation ends on it, early stopping keeps it only where it beats the best round, and both engines
and the command line take it."""

import numpy as np
import pandas as pd
import pytest
import torch

import rnncast
from rnncast.errors import RnncastError
from rnncast.training.averaging import WeightAverage
from rnncast.training.loop import Schedule, run


def test_the_running_mean_is_the_mean_of_the_rounds_from_the_start():
    average = WeightAverage(rounds=10, swa=0.3)
    assert average.start == 7 and not average.wants(6) and average.wants(9)
    assert WeightAverage(rounds=10, swa=0.0).start == 10 and WeightAverage(rounds=10, swa=1.0).start == 0
    rng = np.random.default_rng(0)
    flat = [rng.normal(size=5) for _ in range(3)]
    named = [{"w": torch.tensor(f), "steps": torch.tensor(k)} for k, f in enumerate(flat)]
    for array in flat:
        average.add(array.copy())
    np.testing.assert_allclose(average.mean, np.mean(flat, axis=0), rtol=1e-12)
    torch_average = WeightAverage(3, 1.0)
    for state in named:
        torch_average.add({k: v.clone() for k, v in state.items()})
    np.testing.assert_allclose(torch_average.mean["w"].numpy(), np.mean(flat, axis=0), rtol=1e-12)
    assert torch_average.mean["steps"].item() == 0  # whole-number buffers are not averaged


class _WalkingSteps:
    """No network: round k moves the one weight to k; the validation loss is (w - target)²."""

    def __init__(self, target=None):
        self.target, self.w = target, np.zeros(1)
        self.has_validation = target is not None

    def step(self, idx):
        self.w = self.w + 1.0
        return 1.0

    def val_loss(self):
        return float((self.w[0] - self.target) ** 2)

    def snapshot(self):
        return self.w.copy()

    def restore(self, state):
        self.w = state.copy()

    def finish(self):
        pass


def test_without_validation_the_run_ends_on_the_average_of_its_last_rounds():
    steps = _WalkingSteps()
    result = run(steps, 10, Schedule(4, "step", 0.1, swa=0.5))
    assert steps.w[0] == pytest.approx(3.5) and result.averaged_rounds == 2  # rounds 3 and 4
    steps = _WalkingSteps()
    assert run(steps, 10, Schedule(4, "step", 0.1)).averaged_rounds == 0 and steps.w[0] == 4.0


def test_with_early_stopping_the_average_is_kept_only_where_it_beats_the_best_round():
    steps = _WalkingSteps(target=3.5)  # rounds 3 and 4 score 0.25; their average, 3.5, scores 0
    result = run(steps, 10, Schedule(4, "step", 0.1, swa=0.5))
    assert steps.w[0] == pytest.approx(3.5) and result.averaged_rounds == 2 and result.best_step == 4
    steps = _WalkingSteps(target=2.0)  # round 2 is best; the average of rounds 3 and 4 (3.5) is not
    result = run(steps, 10, Schedule(4, "step", 0.1, swa=0.5))
    assert steps.w[0] == 2.0 and result.averaged_rounds == 0 and result.best_step == 2


def _panel(n=50):
    rng = np.random.default_rng(0)
    y = 10 + np.sin(np.arange(2 * n) / 4) + rng.normal(0, 0.1, 2 * n)
    return pd.DataFrame({"unique_id": np.repeat(["a", "b"], n), "ds": np.tile(np.arange(n), 2), "y": y})


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_a_forecaster_ends_on_the_mean_of_its_last_epochs_weights(engine, monkeypatch):
    from rnncast.training import engines, loop

    small = dict(engine=engine, model="gru", hidden_size=4, seq_length=6, horizon=2, epochs=4, batch_size=16,
                 val_size=0.0, seed=1)
    added = []  # the weights the loop folds into the mean: the end of epochs 3 and 4
    original = loop.WeightAverage.add
    monkeypatch.setattr(loop.WeightAverage, "add", lambda self, s: added.append(_flat(s)) or original(self, s))
    f = rnncast.Forecaster(swa=0.5, **small).fit(_panel())
    assert f.history_.averaged_rounds == 2 and len(added) == 2
    np.testing.assert_allclose(_flat(f.net_), np.mean(added, axis=0), rtol=1e-5, atol=1e-7)
    assert not np.allclose(added[0], added[1])  # two different epochs' weights
    plain = rnncast.Forecaster(**small).fit(_panel())
    np.testing.assert_array_equal(_flat(plain.net_), added[1])  # without swa: the last epoch's, as before
    assert engines.state_bytes(engine, plain.net_) != engines.state_bytes(engine, f.net_)


def _flat(state) -> np.ndarray:
    """A snapshot (name → tensor, or a flat array) or a net's weights as one float64 vector."""
    if hasattr(state, "state_dict"):
        state = state.state_dict()
    elif hasattr(state, "flat_params"):
        state = state.flat_params
    values = state.values() if isinstance(state, dict) else [state]
    return np.concatenate([np.asarray(v, dtype=float).ravel() for v in values])


@pytest.mark.parametrize("bad", [-0.1, 1.5, True, "half"])
def test_a_share_outside_0_1_is_refused_in_one_line(bad):
    with pytest.raises(RnncastError, match="swa must be a share of the rounds in"):
        rnncast.Forecaster(swa=bad, epochs=1).fit(_panel())
