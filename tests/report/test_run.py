"""The run directory's words match the run: the loss named is the loss trained on."""

import numpy as np
import pandas as pd

import rnncast
from rnncast.report import plots
from rnncast.report.run import loss_name

PNG = b"\x89PNG"


def test_the_loss_named_is_the_loss_trained_on():
    df = pd.DataFrame({"y": np.sin(np.arange(60) / 4) + 2})
    assert loss_name(rnncast.Forecaster(seq_length=5, iterations=3, loss="mae").fit(df)) == "mae"
    quantile = rnncast.Forecaster(seq_length=5, iterations=3, quantiles=(0.1, 0.9)).fit(df)
    assert loss_name(quantile) == "pinball"


def test_loss_plot_puts_a_validation_metric_on_its_own_axis():
    same = plots.loss_png([1.0, 0.5], [0.9, 0.6], "epoch", 2, loss="mse", val_metric="loss")
    own = plots.loss_png([1.0, 0.5], [12.0, 11.0], "epoch", 2, loss="smape", val_metric="smape")
    assert same.startswith(PNG) and own.startswith(PNG) and same != own


def test_refit_best_is_saved_with_the_run(tmp_path):
    df = pd.DataFrame({"y": np.sin(np.arange(60) / 4) + 2})
    f = rnncast.Forecaster(seq_length=5, iterations=3, refit_best=False).fit(df)
    assert rnncast.load(f.save(tmp_path / "run")).refit_best is False


def test_the_weight_averaging_note_names_the_averaged_epochs_or_says_it_was_not_kept():
    from types import SimpleNamespace

    from rnncast.report.run import _averaging_note
    from rnncast.training.loop import TrainResult

    def forecaster(*averaged, swa=0.5):
        return SimpleNamespace(swa=swa, epochs=10, histories_=[TrainResult(losses=[1.0] * 10, averaged_rounds=a)
                                                                for a in averaged])

    assert _averaging_note(forecaster(5)) == ("Weight averaging (--swa 0.5): the network ends on the mean of its"
                                              " weights at the end of epochs 6-10.")
    assert "2 of 3 networks end on the mean of their weights at the end of epochs 6-10" in _averaging_note(
        forecaster(5, 0, 5))
    assert _averaging_note(forecaster(0)).startswith("Weight averaging (--swa 0.5) was not kept")
    assert _averaging_note(forecaster(5, swa=0.0)) is None
