"""recalibrate: a likelihood model's quantiles read at levels measured on held-out values (PIT), per step."""

import json

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.cli.commands import app, main
from rnncast.errors import RnncastError
from rnncast.forecaster.recalibration import adjusted_levels, pit_values
from rnncast.forecaster.sampling import QUANTILES, quantiles_of

H = 4


@pytest.fixture(scope="module")
def walks():
    """Random walks with drift, each series' last H values kept aside as a test part."""
    rng = np.random.default_rng(0)
    T = 48
    frame = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2000-01-01", periods=T, freq="MS"),
                                     "y": 100 + 10 * k + np.cumsum(rng.normal(0.5, 3, T))}) for k in range(60)])
    return frame.groupby("unique_id").head(T - H), frame.groupby("unique_id").tail(H)


def test_pit_is_the_share_of_paths_below_with_ties_halved():
    paths = np.array([1.0, 2.0, 3.0, 4.0])[:, None, None]  # (S=4, n=1, H=1)
    assert pit_values(paths, np.array([[2.5]]))[0, 0] == 0.5
    assert pit_values(paths, np.array([[2.0]]))[0, 0] == (1 + 0.5) / 4
    assert pit_values(paths, np.array([[9.0]]))[0, 0] == 1.0


def test_uniform_pit_keeps_the_levels_and_a_too_narrow_model_gets_wider_ones():
    uniform = np.linspace(0, 1, 10001)[:, None]
    np.testing.assert_allclose(adjusted_levels(uniform)[0], QUANTILES, atol=1e-9)
    rng = np.random.default_rng(1)
    piled = rng.beta(0.4, 0.4, (4000, 2))  # the values fall in the paths' tails: the paths are too narrow
    for step in adjusted_levels(piled):
        assert step[0] < 0.025 and step[1] < 0.1 and step[3] > 0.9 and step[4] > 0.975
        assert step == sorted(step)  # the columns stay in order


def test_quantiles_at_given_levels_per_step():
    rng = np.random.default_rng(2)
    paths = rng.normal(size=(500, 3, 2))
    levels = [[0.01, 0.2, 0.5, 0.7, 0.99], [0.05, 0.1, 0.4, 0.95, 0.96]]
    got = quantiles_of(paths, levels)  # (n, H, Q)
    for h in range(2):
        np.testing.assert_allclose(got[:, h, :], np.quantile(paths[:, :, h], levels[h], axis=0).T)
    np.testing.assert_allclose(quantiles_of(paths), np.moveaxis(np.quantile(paths, QUANTILES, axis=0), 0, -1))


def coverage_80(forecast, test):
    joined = forecast.merge(test, on=["unique_id", "ds"])
    return float(np.mean((joined.y >= joined["lstm-lo-80"]) & (joined.y <= joined["lstm-hi-80"])))


def test_a_miscalibrated_network_covers_close_to_nominal_once_recalibrated(walks, tmp_path):
    train, test = walks
    settings = {"likelihood": "gaussian", "horizon": H, "seq_length": 12, "epochs": 2, "num_samples": 200, "seed": 0}
    raw = rnncast.Forecaster(**settings).fit(train)
    fixed = rnncast.Forecaster(recalibrate=True, **settings).fit(train)
    levels = fixed.recalibrated_["adjusted"]
    assert len(levels) == H and fixed.recalibrated_["n_values"] == 60
    before, after = coverage_80(raw.predict(), test), coverage_80(fixed.predict(), test)
    assert abs(after - 0.8) <= 0.1 and abs(after - 0.8) < abs(before - 0.8), (before, after)
    paths = fixed.predict(paths=True)  # the same draws: the columns are their quantiles at the measured levels
    first = paths[paths.unique_id == "s0"].pivot(index="sample", columns="ds", values="lstm").to_numpy()
    expected = quantiles_of(first[:, None, :], levels)[0]
    got = fixed.predict()
    got = got[got.unique_id == "s0"]
    np.testing.assert_allclose(got["lstm-lo-80"], expected[:, 1], rtol=1e-9)
    np.testing.assert_allclose(got["lstm"], expected[:, 2], rtol=1e-9)
    fixed.save(tmp_path / "run")
    pd.testing.assert_frame_equal(rnncast.load(tmp_path / "run").predict(), fixed.predict())


def test_recalibrate_without_a_likelihood_is_refused(walks, tmp_path, capsys):
    train, _ = walks
    with pytest.raises(RnncastError, match="recalibrate reads a likelihood model's sample paths"):
        rnncast.Forecaster(horizon=H, seq_length=8, epochs=1, recalibrate=True).fit(train)
    path = tmp_path / "walks.csv"
    train.to_csv(path, index=False)
    with pytest.raises(SystemExit) as exit_info:
        app(["train", str(path), "--horizon", "4", "--recalibrate", "--quiet", "--out", str(tmp_path / "bad")])
    assert exit_info.value.code == 2 and "recalibrate reads" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_the_command_line_recalibrates_and_says_so(walks, tmp_path, capsys):
    train, _ = walks
    path = tmp_path / "walks.csv"
    train.to_csv(path, index=False)
    out = tmp_path / "run"
    assert main(["train", str(path), "--horizon", "4", "--seq-length", "8", "--epochs", "2", "--likelihood",
                "gaussian", "--num-samples", "50", "--recalibrate", "--quiet", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["recalibrate"] is True and len(config["recalibrated"]["adjusted"]) == 4
    assert "sample paths (recalibrated on" in capsys.readouterr().out


def test_short_padded_series_hold_out_real_values_only(walks):
    train, _ = walks  # three series shorter than a window: padded to train, but never a padded value held out
    short = pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 3), "ds": np.tile(pd.date_range(
        "2005-01-01", periods=3, freq="MS"), 3), "y": [5.0, 6.0, 7.0, 50.0, 51.0, 49.0, 9.0, 8.0, 9.5]})
    f = rnncast.Forecaster(likelihood="lognormal", horizon=H, seq_length=12, epochs=2, num_samples=50, pad=True,
                           recalibrate=True).fit(pd.concat([train, short]))
    assert f.recalibrated_["n_values"] == 60  # the 60 walks; a, b and c have no H values after 2 rows
