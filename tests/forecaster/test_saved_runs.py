"""Runs saved by an earlier rnncast still load and forecast the same numbers.

``fixtures/run-0ac116e`` was written by rnncast at commit 0ac116e (before the package layout and the
data-safety manifest): a GRU on two daily series, horizon 3, deseasonalised, with an 80% conformal
interval; ``fixtures/predictions.csv`` is what that rnncast's ``predict()`` returned.
"""

import shutil
from pathlib import Path

import pandas as pd

import rnncast

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_run_saved_before_the_layout_loads_and_predicts_the_same_numbers():
    expected = pd.read_csv(FIXTURES / "predictions.csv")
    model = rnncast.load(FIXTURES / "run-0ac116e")
    got = model.predict()
    got["ds"] = got["ds"].astype(str)
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12)
    again = model.predict(pd.read_csv(FIXTURES / "panel.csv"))
    again["ds"] = pd.to_datetime(again["ds"]).dt.strftime("%Y-%m-%d")
    pd.testing.assert_frame_equal(again, expected, rtol=1e-12)


def test_a_run_saved_before_manifests_is_replaced_as_rnncasts_own(tmp_path):
    old = tmp_path / "run"
    shutil.copytree(FIXTURES / "run-0ac116e", old)
    rnncast.load(old).save(old)  # a legacy run: recognised by its config.json, replaced whole
    assert sorted(p.name for p in old.iterdir()) == ["config.json", "model.safetensors"]


def test_the_settings_of_a_run_saved_before_the_settings_section_come_from_its_specs():
    model = rnncast.load(FIXTURES / "run-0ac116e")
    again = rnncast.Forecaster.from_config(FIXTURES / "run-0ac116e")
    assert again.get_params() == model.get_params()
    assert again.model == "gru" and again.horizon == 3 and again.conformal == (80.0,)
