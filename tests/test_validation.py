import numpy as np
import pytest

from rnncast.errors import RnncastError
from rnncast.validation import score


def test_scores_in_the_data_units():
    y, yhat = np.array([[10.0, 20.0]]), np.array([[11.0, 18.0]])
    assert score("mape", y, yhat) == pytest.approx(10.0)
    assert score("rmse", y, yhat) == pytest.approx(np.sqrt(2.5))
    assert score("smape", y, np.array([[np.nan, 1.0]])) == float("inf")  # a broken net never wins


def test_mape_skips_zero_values_and_refuses_all_zero():
    assert score("mape", np.array([0.0, 10.0]), np.array([5.0, 12.0])) == pytest.approx(20.0)
    with pytest.raises(RnncastError, match="every validation value is 0"):
        score("mape", np.zeros(3), np.ones(3))
