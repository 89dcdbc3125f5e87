"""Both engines through one pipeline: shared safetensors layout, cross-loading, refusals, no torch on numpy."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.errors import RnncastError

FAST = dict(hidden_size=4, iterations=15, seq_length=5)


@pytest.fixture(scope="module")
def df():
    t = np.arange(70)
    return pd.DataFrame({"x": np.sin(t / 4), "y": 5 + np.cos(t / 6)})


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("trained_by, loaded_by", [("numpy", "torch"), ("torch", "numpy")])
def test_a_run_loads_into_the_other_engine(df, tmp_path, kind, trained_by, loaded_by):
    f = rnncast.Forecaster(model=kind, engine=trained_by, num_layers=2, **FAST).fit(df, target="y")
    f.save(tmp_path / "run")
    other = rnncast.load(tmp_path / "run", engine=loaded_by)
    assert other.engine == loaded_by
    a, b = f.predict(df)[kind].to_numpy(), other.predict(df)[kind].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-5)
    assert json.loads((tmp_path / "run" / "config.json").read_text())["engine"] == trained_by


@pytest.mark.parametrize("trained_by, loaded_by", [("numpy", "torch"), ("torch", "numpy")])
def test_a_shrunk_run_loads_into_the_other_engine(df, tmp_path, trained_by, loaded_by):
    f = rnncast.Forecaster(engine=trained_by, shrink="auto", val_size="horizon", val_metric="mae", horizon=2,
                           patience=None, **FAST).fit(df, target="y")
    f.save(tmp_path / "run")
    other = rnncast.load(tmp_path / "run", engine=loaded_by)
    assert [n.shrink for n in other.nets_] == [n.shrink for n in f.nets_] and f.nets_[0].shrink in (0.25, 0.5, 0.75, 1)
    np.testing.assert_allclose(f.predict(df)["lstm"].to_numpy(), other.predict(df)["lstm"].to_numpy(), rtol=1e-5)


def test_numpy_training_learns_and_repeats(df):
    a = rnncast.Forecaster(engine="numpy", lr=0.02, iterations=60, hidden_size=6, seq_length=5).fit(df, target="y")
    b = rnncast.Forecaster(engine="numpy", lr=0.02, iterations=60, hidden_size=6, seq_length=5).fit(df, target="y")
    assert a.history_.losses == b.history_.losses
    assert a.history_.losses[-1] < 0.5 * a.history_.losses[0]


def test_what_an_engine_lacks_is_refused_by_name(df, tmp_path):
    with pytest.raises(RnncastError, match="numpy engine has no dropout"):
        rnncast.Forecaster(engine="numpy", dropout=0.2, **FAST).fit(df)
    with pytest.raises(RnncastError, match="torch engine has no sigmoid"):
        rnncast.Forecaster(model="rnn", nonlinearity="sigmoid", **FAST).fit(df)
    rnncast.Forecaster(num_layers=2, dropout=0.2, **FAST).fit(df).save(tmp_path / "drop")
    with pytest.raises(RnncastError, match="dropout"):
        rnncast.load(tmp_path / "drop", engine="numpy")
    rnncast.Forecaster(model="rnn", nonlinearity="sigmoid", engine="numpy", **FAST).fit(df).save(tmp_path / "sig")
    with pytest.raises(RnncastError, match="sigmoid"):
        rnncast.load(tmp_path / "sig", engine="torch")


def test_numpy_engine_never_imports_torch(tmp_path):
    code = (
        "import sys, numpy as np, pandas as pd, rnncast\n"
        "df = pd.DataFrame({'y': np.sin(np.arange(40) / 3)})\n"
        "f = rnncast.Forecaster(engine='numpy', hidden_size=3, iterations=3, seq_length=4).fit(df)\n"
        f"f.save({str(tmp_path / 'run')!r}); rnncast.load({str(tmp_path / 'run')!r}).predict()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cli_train_with_numpy_engine_writes_the_same_run_directory(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rnncast", "train", "ncsoft_weekly", "--engine", "numpy", "--seq-length", "3",
         "--iterations", "20", "--hidden-size", "4", "--quiet", "--out", "run"],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == ["config.json", "forecast.png", "loss.png", "metrics.json", "model.safetensors",
                     "predictions.csv", "report.html"]
    assert "lstm" in json.loads((tmp_path / "run" / "metrics.json").read_text())["test"]
