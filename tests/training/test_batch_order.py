import numpy as np
import pytest

from rnncast.training.batch_order import FeistelOrder


@pytest.mark.parametrize("n", [1, 2, 5, 1000, 4097])
def test_it_is_a_permutation_and_batches_agree_with_the_whole(n):
    order = FeistelOrder(n, [1, 2, 3, 4])
    whole = np.asarray(order)
    assert sorted(whole.tolist()) == list(range(n))
    batches = np.concatenate([order[b : b + 64] for b in range(0, n, 64)])
    np.testing.assert_array_equal(batches, whole)
    np.testing.assert_array_equal(order[np.array([0, n - 1])], whole[[0, n - 1]])


def test_keys_fix_the_order_and_it_looks_shuffled():
    a, b = np.asarray(FeistelOrder(10_000, [5, 6, 7, 8])), np.asarray(FeistelOrder(10_000, [5, 6, 7, 9]))
    np.testing.assert_array_equal(a, np.asarray(FeistelOrder(10_000, [5, 6, 7, 8])))
    assert (a != b).mean() > 0.9
    assert abs(np.corrcoef(np.arange(10_000), a)[0, 1]) < 0.05  # no trace of the original order
    assert (a[:5000] < 5000).mean() == pytest.approx(0.5, abs=0.05)  # each half of the epoch draws from both halves


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_training_on_a_lazy_order_is_seeded_and_resumable(engine, monkeypatch, tmp_path):
    import pandas as pd

    import rnncast
    from rnncast.training import batch_order as order
    from rnncast.training import engines

    t = np.arange(120)
    df = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 60), "ds": np.tile(t[:60], 2),
                       "y": 10 + np.sin(t / 4) + 0.01 * t})
    settings = dict(engine=engine, hidden_size=4, seq_length=5, epochs=3, batch_size=16, val_size=0.0, seed=3)
    eager = rnncast.Forecaster(**settings).fit(df)
    monkeypatch.setattr(order, "LAZY_MIN", 10)  # every order from 10 samples on is a FeistelOrder
    lazy = rnncast.Forecaster(**settings).fit(df)
    again = rnncast.Forecaster(**settings).fit(df)
    weights = lambda f: engines.state_bytes(f.engine, f.nets_)  # noqa: E731
    assert weights(lazy) == weights(again) and weights(lazy) != weights(eager)
    saved = rnncast.Forecaster(**settings, checkpoint=tmp_path, checkpoint_every=5).fit(df)
    resumed = rnncast.Forecaster(**settings, checkpoint=tmp_path, resume=True).fit(df)
    assert weights(saved) == weights(lazy) == weights(resumed)
