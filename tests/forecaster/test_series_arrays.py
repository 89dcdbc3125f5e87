"""Per-series state as arrays gives back exactly the JSON section it replaces."""

import json

import numpy as np
from safetensors.numpy import load, save

from rnncast.forecaster import series_arrays


def test_encode_decode_round_trips_every_kind_of_field():
    section = {
        "a": {"scaling": {"past": {"kind": "log", "shift": [0.1, -2.5e-300], "scale": [1.0, 3.0], "log": [True, False]},
                          "known": None},
              "tail": {"values": [[1.0, 2.0], [3.0, 4.5]], "timestamps": ["2020-01-01T00:00:00", "2020-01-02T00:00:00"],
                       "n_padded": 0},
              "interval_scale": 1.5, "index": 0, "season": None, "odd": 1},
        "b": {"scaling": {"past": {"kind": "log", "shift": [7.0, 8.0], "scale": [0.5, 2.0], "log": [True, True]},
                          "known": {"kind": "standard", "shift": [1.0], "scale": [2.0]}},
              "tail": {"values": [[5.0, 6.0]], "timestamps": [], "n_padded": 2},
              "interval_scale": 2.0, "index": 1, "odd": "text",  # a field of mixed types stays plain JSON
              "season": {"period": 12, "factors": [0.9] * 12, "origin": "2020-01-01", "step": None, "freq": "MS"}},
        "c\u00e9": {"scaling": {"past": {"kind": "log", "shift": [], "scale": [], "log": []}, "known": None},
                    "tail": {"values": [], "timestamps": [3, 4], "n_padded": 0}, "interval_scale": 3,
                    "index": 2, "season": None, "odd": None},
    }
    arrays, meta = series_arrays.encode(json.loads(json.dumps(section)))
    again = series_arrays.decode(load(save(arrays)), json.loads(json.dumps(meta)))  # through the file and JSON
    assert again == section
    assert "odd" in meta["plain"] and all(isinstance(a, np.ndarray) for a in arrays.values())


def test_a_large_run_saves_its_series_as_arrays_and_loads_the_same(tmp_path, monkeypatch):
    import pandas as pd

    import rnncast
    from rnncast.forecaster import persist

    rng = np.random.default_rng(0)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2020-01-01", periods=40, freq="MS"),
                                  "y": 50 + 10 * np.sin(np.arange(40) / 2) + rng.normal(0, 1, 40) + k})
                    for k in range(3)])
    f = rnncast.Forecaster(horizon=3, seq_length=6, hidden_size=4, iterations=5, deseasonalize=12,
                           conformal=(80,)).fit(df)
    f.save(tmp_path / "json")
    monkeypatch.setattr(persist, "LARGE_SERIES", 2)  # 3 series count as large here
    f.save(tmp_path / "arrays")
    config = json.loads((tmp_path / "arrays" / "config.json").read_text())
    assert "series" not in config and config["series_arrays"]["ids"] == ["s0", "s1", "s2"]
    assert (tmp_path / "arrays" / series_arrays.FILE).exists()
    expected = rnncast.load(tmp_path / "json").predict()
    pd.testing.assert_frame_equal(rnncast.load(tmp_path / "arrays").predict(), expected)
    pd.testing.assert_frame_equal(expected, f.predict())
    (tmp_path / "arrays" / series_arrays.FILE).unlink()
    try:
        rnncast.load(tmp_path / "arrays")
    except rnncast.RnncastError as exc:
        assert series_arrays.FILE in str(exc)
    else:
        raise AssertionError("a run without its series file loaded")
