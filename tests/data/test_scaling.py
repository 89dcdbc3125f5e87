"""Scalers fit per column, invert exactly and round-trip through JSON."""

import json

import numpy as np
import pytest

from rnncast.data.scaling import Scaler
from rnncast.errors import RnncastError


@pytest.mark.parametrize("kind", ["minmax", "standard", "none"])
def test_inverse_undoes_transform(kind):
    rng = np.random.default_rng(0)
    values = rng.normal(100, 20, size=(50, 3))
    scaler = Scaler.fit(kind, values)
    z = scaler.transform(values)
    assert z.dtype == np.float32
    np.testing.assert_allclose(scaler.inverse_column(z[:, 2], 2), values[:, 2], rtol=1e-5)


def test_minmax_is_the_lectures_formula():
    values = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]])
    z = Scaler.fit("minmax", values).transform(values)
    np.testing.assert_allclose(z[:, 0], (values[:, 0] - 1) / (2 + 1e-7), rtol=1e-6)


def test_constant_column_standard_scale_is_one():
    scaler = Scaler.fit("standard", np.full((5, 1), 3.0))
    assert scaler.scale[0] == 1.0


def test_json_round_trip():
    scaler = Scaler.fit("minmax", np.arange(12.0).reshape(6, 2))
    again = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    np.testing.assert_array_equal(again.shift, scaler.shift)
    np.testing.assert_array_equal(again.scale, scaler.scale)


def test_unknown_kind_and_damaged_dict():
    with pytest.raises(RnncastError, match="unknown scaler"):
        Scaler.fit("robust", np.zeros((3, 1)))
    with pytest.raises(RnncastError, match="damaged"):
        Scaler.from_dict({"kind": "minmax", "shift": [0.0]})


def test_log_scaler_logs_positive_columns_only_and_inverts():
    values = np.column_stack([np.linspace(10, 1000, 20), np.linspace(-1, 1, 20)])
    scaler = Scaler.fit("log", values)
    assert scaler.log.tolist() == [True, False]
    z = scaler.transform(values)
    np.testing.assert_allclose(np.diff(z[:, 0]) * scaler.scale[0], np.diff(np.log(values[:, 0])), rtol=1e-4)
    np.testing.assert_allclose(scaler.inverse_column(z[:, 0], 0), values[:, 0], rtol=1e-5)
    again = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    np.testing.assert_array_equal(again.log, scaler.log)
    with pytest.raises(RnncastError, match="needs positive values"):
        scaler.transform(np.array([[0.0, 0.0]]))


def test_log_unscaled_reads_plain_log_ratios_the_same_in_every_series():
    years = np.arange(20.0)
    steady = 100 * 1.08 ** years  # 8% a year, a long trend: its log levels spread widely
    flat = 50 * 1.08 ** (years % 2)  # the same 8% step, no trend
    values = np.column_stack([steady, flat, np.linspace(-1, 1, 20)])
    scaler = Scaler.fit("log_unscaled", values)
    assert scaler.log.tolist() == [True, True, False]
    z = scaler.transform(values)
    np.testing.assert_allclose(z[1, 0] - z[0, 0], np.log(1.08), rtol=1e-5)  # one step: log 1.08 in both
    np.testing.assert_allclose(z[1, 1] - z[0, 1], np.log(1.08), rtol=1e-5)
    assert scaler.scale[2] == pytest.approx(np.linspace(-1, 1, 20).std())  # the other columns standardised
    standardised = Scaler.fit("log", values).transform(values)
    assert abs((standardised[1, 0] - standardised[0, 0]) / (standardised[1, 1] - standardised[0, 1]) - 1) > 0.5
    np.testing.assert_allclose(scaler.inverse_column(z[:, 0], 0), steady, rtol=1e-5)
    again = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    assert again.kind == "log_unscaled"
    np.testing.assert_array_equal(again.scale, scaler.scale)
