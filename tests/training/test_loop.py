"""The one training loop: the lecture's loop exactly, seeds, divergence, early stopping, mini-batches,
schedules (validation every n rounds, budgets), the text models in it, the progress display."""

import copy

import numpy as np
import pytest
import torch

from rnncast.errors import RnncastError
from rnncast.models import build_net
from rnncast.specs import ModelSpec, TrainSpec
from rnncast.training.loop import train


def _data(n=60):
    g = torch.Generator().manual_seed(1)
    X = torch.rand(n, 7, 3, generator=g)
    return X, X[:, -1, -1:] * 0.9 + 0.05


def test_full_batch_equals_the_lectures_plain_loop():
    X, y = _data()
    torch.manual_seed(0)
    net = build_net(ModelSpec(kind="lstm", hidden_size=5), input_size=3)
    plain = copy.deepcopy(net)
    result = train(net, X, y, TrainSpec(lr=0.01, iterations=40))
    opt, crit = torch.optim.Adam(plain.parameters(), lr=0.01), torch.nn.MSELoss()
    for _ in range(40):
        opt.zero_grad()
        loss = crit(plain(X), y)
        loss.backward()
        opt.step()
    assert result.steps == 40 and len(result.losses) == 40
    assert result.losses[-1] == pytest.approx(loss.item(), abs=1e-7)
    assert result.losses[-1] < result.losses[0]


def test_seed_makes_mini_batch_runs_repeat_exactly():
    X, y = _data()
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        net = build_net(ModelSpec(kind="gru", hidden_size=4), input_size=3)
        runs.append(train(net, X, y, TrainSpec(epochs=3, batch_size=16, seed=3)).losses)
    assert runs[0] == runs[1]
    assert len(runs[0]) == 3


def test_non_finite_loss_names_iteration_and_suggests_lower_lr():
    X, y = _data()
    y = y.clone()
    y[0] = float("nan")
    net = build_net(ModelSpec(kind="rnn", hidden_size=3), input_size=3)
    with pytest.raises(RnncastError, match=r"iteration 1; try a lower learning rate"):
        train(net, X, y, TrainSpec(iterations=5))


def test_early_stopping_keeps_the_best_weights():
    X, y = _data()
    torch.manual_seed(0)
    net = build_net(ModelSpec(kind="lstm", hidden_size=4), input_size=3)
    result = train(net, X[:40], y[:40], TrainSpec(lr=0.2, iterations=300, patience=5), X[40:], y[40:])
    assert result.stopped_early and len(result.losses) < 300
    best = min(result.val_losses)
    with torch.no_grad():
        assert torch.nn.functional.mse_loss(net(X[40:]), y[40:]).item() == pytest.approx(best, rel=1e-5)
    assert result.val_losses[result.best_step - 1] == best


def test_without_restore_best_the_last_round_is_kept():
    X, y = _data()
    torch.manual_seed(0)
    net = build_net(ModelSpec(kind="lstm", hidden_size=4), input_size=3)
    spec = TrainSpec(lr=0.2, iterations=300, patience=5, restore_best=False)
    result = train(net, X[:40], y[:40], spec, X[40:], y[40:])
    assert result.stopped_early and result.best_step == len(result.losses) < 300
    assert result.val_losses[-1] > min(result.val_losses)  # a worse round than the best, kept all the same
    with torch.no_grad():
        last = torch.nn.functional.mse_loss(net(X[40:]), y[40:]).item()
    assert last == pytest.approx(result.val_losses[-1], rel=1e-5)
    with pytest.raises(RnncastError, match="restore_best"):
        TrainSpec(restore_best="no").check()


def test_clipping_bounds_the_gradient_norm_before_each_step(monkeypatch):
    from rnncast.training.optim import FlatAdam

    norms_after = []
    original = FlatAdam.clip_grad_norm

    def spy(self, max_norm):
        norm = original(self, max_norm)
        norms_after.append((norm.item(), torch.linalg.vector_norm(self.grad).item()))
        return norm

    monkeypatch.setattr(FlatAdam, "clip_grad_norm", spy)
    X, y = _data()
    net = build_net(ModelSpec(kind="lstm", hidden_size=4), input_size=3)
    train(net, X, y * 100, TrainSpec(lr=1e-3, iterations=3, clip=0.5))
    assert len(norms_after) == 3
    assert all(before > 0.5 and after <= 0.5 + 1e-6 for before, after in norms_after)


@pytest.mark.parametrize("scaler", ["log", "log_unscaled"])
@pytest.mark.parametrize("kind", ["mape", "smape"])
def test_ratio_losses_are_the_metrics_of_the_forecasts_in_the_datas_units(kind, scaler):
    from rnncast import metrics
    from rnncast.data.scaling import Scaler
    from rnncast.training.losses import RatioLoss

    rng = np.random.default_rng(4)
    y, yhat = rng.uniform(5, 50, (6, 3)), rng.uniform(5, 50, (6, 3))
    scalers = [Scaler.fit(scaler, rng.uniform(1, 80, (30, 1))) for _ in range(6)]  # one per sample's series
    z = np.array([s.transform(v[:, None])[:, 0] for s, v in zip(scalers, y, strict=True)])
    zhat = np.array([s.transform(v[:, None])[:, 0] for s, v in zip(scalers, yhat, strict=True)])
    sigma = np.array([s.scale[0] for s in scalers])[:, None]
    target = torch.tensor(np.hstack([z, sigma]), dtype=torch.float64)
    value = RatioLoss(kind)(torch.tensor(zhat, dtype=torch.float64), target).item()
    expected = {"mape": metrics.mape, "smape": metrics.smape}[kind](y.ravel(), yhat.ravel()) / 100
    assert value == pytest.approx(expected, rel=1e-6)  # the scaler stores float32


def test_ratio_loss_falls_back_to_the_absolute_scaled_error_where_a_series_has_no_log_space():
    from rnncast.training.losses import RatioLoss

    out = torch.tensor([[0.5, 1.0], [0.5, 1.0]])
    y = torch.tensor([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])  # sample 1: σ given as 0
    terms = torch.tensor([[np.exp(1.0) - 1, np.exp(2.0) - 1], [0.5, 1.0]], dtype=torch.float32)
    torch.testing.assert_close(RatioLoss("mape")(out, y), terms.mean())


class _CountingSteps:
    """A stepper with no network: the loss of round k is 1/k, the validation loss is read from a list."""

    has_validation = True

    def __init__(self, val_losses):
        self.val, self.taken, self.state = list(val_losses), 0, 0

    def step(self, idx):
        self.taken += 1
        self.state = self.taken
        return 1.0 / self.taken

    def val_loss(self):
        return self.val.pop(0)

    def snapshot(self):
        return self.state

    def restore(self, state):
        self.state = state

    def finish(self):
        pass


def test_schedule_validates_every_n_rounds_and_after_the_last_and_keeps_the_best():
    from rnncast.training.loop import Schedule, run

    steps = _CountingSteps([5.0, 4.0, 1.0, 3.0])
    result = run(steps, 10, Schedule(7, "step", 0.1, validate_every=3, score_untrained=False))
    assert result.val_rounds == [3, 6, 7] and result.val_losses == [5.0, 4.0, 1.0]
    assert result.best_step == 7 and steps.state == 7 and result.initial_val_loss is None
    steps = _CountingSteps([0.5, 4.0, 1.0, 3.0])  # the untrained weights (round 0) stay best
    result = run(steps, 10, Schedule(4, "iteration", 0.1, validate_every=2))
    assert result.initial_val_loss == 0.5 and result.best_step == 0 and steps.state == 0


def test_budget_ends_the_run_after_the_round_that_spent_it_and_validates_there():
    from rnncast.training.loop import Schedule, run

    steps = _CountingSteps([2.0, 1.0])
    result = run(steps, 10, Schedule(50, "step", 0.1, validate_every=10, score_untrained=False, budget=1e-12))
    assert result.steps == 1 and result.stopped_by_budget and result.val_rounds == [1]


def test_text_models_and_forecasting_share_the_one_loop(monkeypatch):
    from rnncast.text import lm
    from rnncast.text.conll import Sentence
    from rnncast.text.tagger import Tagger, TagSpec
    from rnncast.training import loop

    calls, real = [], loop.run
    monkeypatch.setattr(loop, "run", lambda steps, *a, **k: calls.append(type(steps).__name__) or real(steps, *a, **k))
    ids = np.arange(400) % 7
    spec = lm.LMSpec(kind="rnn", embed_size=4, hidden_size=8, seq_length=8, batch_size=4, iterations=3, eval_every=2)
    lm.train(lm.build("torch", "rnn", 7, 4, 8), ids[:300], ids[300:], spec)
    lm.train(lm.build("numpy", "rnn", 7, 4, 8), ids[:300], None, spec)
    Tagger(TagSpec(epochs=1, batch_size=2)).fit([Sentence(["a", "b"], ["O", "B-X"], 1)] * 4)
    import pandas as pd

    import rnncast

    df = pd.DataFrame({"y": np.sin(np.arange(60) / 3)})
    rnncast.Forecaster(seq_length=5, hidden_size=4, iterations=3, val_size=0).fit(df, target="y")
    assert calls == ["LMSteps", "LMSteps", "_TaggerSteps", "TorchSteps"]


def test_progress_names_the_member_and_the_phase(capsys):
    import pandas as pd

    import rnncast

    df = pd.DataFrame({"y": np.sin(np.arange(80) / 3) + 2})
    rnncast.Forecaster(seq_length=5, hidden_size=4, iterations=3, ensemble=2, progress=True).fit(df, target="y")
    err = capsys.readouterr().err
    assert "member 1/2 · validation run" in err and "member 2/2 · validation run" in err
