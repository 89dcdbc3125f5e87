"""Likelihood models (the DeepAR form): trained on the NLL, forecasts are seeded sample paths, quantile and
interval columns come from them, and the evaluation scores their CRPS beside a bootstrap baseline."""

import numpy as np
import pandas as pd
import pytest

import rnncast
from rnncast.data.panel import to_panel
from rnncast.errors import RnncastError
from rnncast.evaluation.holdout import holdout

SMALL = dict(horizon=4, seq_length=12, hidden_size=8, epochs=3, batch_size=64, lr=0.01, num_samples=50)


def count_panel(n_series=5, n=80, seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for k in range(n_series):
        mean, r = 3.0 + 4 * k, 2.0
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=n, freq="D"),
                                   "y": rng.negative_binomial(r, r / (r + mean), n).astype(float)}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("kind", ["gaussian", "studentt", "negbin", "lognormal", "logstudentt"])
def test_forecasts_are_quantiles_of_seeded_paths_that_survive_a_round_trip(kind, tmp_path):
    df = count_panel()
    if kind.startswith("log"):  # positive values only
        df = df.assign(y=df["y"] + 1.0)
    f = rnncast.Forecaster(likelihood=kind, **SMALL).fit(df)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "lstm", "lstm-lo-95", "lstm-hi-95", "lstm-lo-80", "lstm-hi-80"]
    ordered = out[["lstm-lo-95", "lstm-lo-80", "lstm", "lstm-hi-80", "lstm-hi-95"]].to_numpy()
    assert np.all(np.diff(ordered, axis=1) >= 0)
    paths = f.predict(paths=True)
    assert list(paths.columns) == ["unique_id", "ds", "sample", "lstm"] and len(paths) == 5 * 50 * 4
    pd.testing.assert_frame_equal(paths, f.predict(paths=True))  # the same seed, the same paths
    s0 = paths[paths.unique_id == "s0"].pivot(index="sample", columns="ds", values="lstm").to_numpy()  # (S, H)
    np.testing.assert_allclose(np.median(s0, axis=0), out[out.unique_id == "s0"]["lstm"], rtol=1e-6)
    if kind == "negbin":
        assert np.all(paths["lstm"] >= 0) and np.all(paths["lstm"] == np.round(paths["lstm"]))
    if kind.startswith("log"):
        assert np.all(paths["lstm"] > 0)
    again = rnncast.load(f.save(tmp_path / "run"))
    pd.testing.assert_frame_equal(again.predict(), out)
    other = rnncast.Forecaster(likelihood=kind, **{**SMALL, "seed": 1}).fit(df)
    assert not np.allclose(other.predict(paths=True)["lstm"], paths["lstm"])


def test_an_ensemble_pools_its_members_paths():
    f = rnncast.Forecaster(likelihood="gaussian", ensemble=2, **SMALL).fit(count_panel(n_series=2))
    assert len({m.kind for m, _, _ in f.members_}) == 2  # two cells
    assert f.predict(paths=True)["sample"].nunique() == 2 * 50


def test_the_evaluation_scores_crps_beside_the_bootstrap_baseline_and_interval_coverage():
    df = count_panel()
    evaluation = holdout(rnncast.Forecaster(likelihood="negbin", **SMALL), to_panel(df), 4)
    table = evaluation.table
    assert table["lstm"]["crps"] > 0 and table["seasonal_naive"]["crps"] > 0  # daily: m = 7
    assert 0.0 <= table["lstm"]["coverage_80"] <= table["lstm"]["coverage_95"] <= 1.0
    assert "crps" not in table["naive"] and "lstm-crps" not in evaluation.predictions.columns[:5]


def test_what_a_likelihood_model_cannot_do_is_refused_by_name():
    df = count_panel(n_series=2)
    for extra, match in (({"engine": "numpy"}, "numpy engine"), ({"quantiles": (0.1, 0.9)}, "quantiles"),
                         ({"conformal": (80,)}, "conformal"), ({"val_metric": "smape"}, "val_metric"),
                         ({"num_samples": 1}, "num_samples")):
        with pytest.raises(RnncastError, match=match):
            rnncast.Forecaster(likelihood="gaussian", **{**SMALL, **extra}).fit(df)
    with pytest.raises(RnncastError, match="samples the target alone"):
        rnncast.Forecaster(likelihood="gaussian", **SMALL).fit(df.assign(x=1.0))
    with pytest.raises(RnncastError, match="likelihood model"):
        rnncast.Forecaster(**SMALL).fit(df).predict(paths=True)
    with pytest.raises(RnncastError, match="lognormal likelihood needs positive values; series 's0'"):
        rnncast.Forecaster(likelihood="lognormal", **SMALL).fit(df)  # counts with zeros


def test_a_lognormal_model_learns_a_log_random_walks_step_spread_through_padding():
    # log y_t = log y_{t-1} + N(0, 0.3²): one step ahead, y_T·exp(±1.2816·0.3) bounds the 80% interval (the
    # untrained net's step is 0.1: training has to find the spread); the
    # short series is left-padded, and the losses stay finite
    rng = np.random.default_rng(1)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=n, freq="D"),
                                  "y": np.exp(3.0 + k + np.cumsum(rng.normal(0.0, 0.3, n)))})
                    for k, n in enumerate((200, 200, 200, 10))], ignore_index=True)
    f = rnncast.Forecaster(likelihood="lognormal", pad=True, **{**SMALL, "epochs": 30, "num_samples": 400}).fit(df)
    assert all(np.isfinite(h.losses).all() for h in f.histories_)
    out = f.predict()
    first = out.groupby("unique_id").head(1).set_index("unique_id")
    last = df.groupby("unique_id")["y"].last()
    ratio = (first["lstm-hi-80"] / first["lstm-lo-80"]).to_numpy()
    np.testing.assert_allclose(np.log(ratio[:3]), 2 * 1.2816 * 0.3, rtol=0.25)
    np.testing.assert_allclose(first["lstm"].to_numpy()[:3], last.to_numpy()[:3], rtol=0.1)  # the median: ~y_T
    assert np.all(out["lstm-lo-95"] > 0)


def test_a_log_studentt_model_learns_how_heavy_its_steps_tails_are():
    # log y_t = log y_{t-1} + 0.1·e_t: the 95% interval of one step is 1.96 / 1.28 = 1.53 times as wide as the
    # 80% one for Gaussian e (a log-t with df → ∞), 1.81 at the least df the head allows (4); the untrained
    # net's df is 10 (1.62), so heavy-tailed steps have to move it (measured: medians 1.67 and 1.84)
    def ratio_learned(steps) -> float:
        df = pd.concat([pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=300, freq="D"),
                                      "y": np.exp(3.0 + k + np.cumsum(0.1 * steps(300)))}) for k in range(3)],
                       ignore_index=True)
        f = rnncast.Forecaster(likelihood="logstudentt", **{**SMALL, "epochs": 30, "num_samples": 2000}).fit(df)
        first = f.predict().groupby("unique_id").head(1)
        return float(np.median(np.log(first["lstm-hi-95"] / first["lstm-lo-95"])
                               / np.log(first["lstm-hi-80"] / first["lstm-lo-80"])))

    rng = np.random.default_rng(0)
    assert ratio_learned(lambda n: rng.normal(0.0, 1.0, n)) < 1.76
    assert ratio_learned(lambda n: rng.standard_t(2.5, n)) > 1.76


@pytest.mark.parametrize("kind", ["negbin", "lognormal"])
def test_known_covariates_calendar_embedding_padding_and_an_ensemble_work_together(kind):
    rng = np.random.default_rng(0)
    parts = []
    for k in range(3):
        n = 40 - 12 * (k == 2)  # the last series is shorter than one window: padded
        promo = (rng.random(n + 3) < 0.3).astype(float)
        y = rng.poisson(3 + 12 * promo[:n] + k).astype(float) + (kind == "lognormal")  # lognormal: positive
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": pd.date_range("2018-01-01", periods=n + 3, freq="D"),
                                   "promo": promo, "y": np.r_[y, [np.nan] * 3]}))
    df = pd.concat(parts, ignore_index=True)
    f = rnncast.Forecaster(likelihood=kind, **{**SMALL, "horizon": 3, "seq_length": 30}, calendar=("dayofweek",),
                           series_embedding=2, pad=True, ensemble=2).fit(df.dropna(), known=["promo"])
    out = f.predict(df)
    assert len(out) == 3 * 3 and out["lstm"].notna().all()
    assert f.predict(df, paths=True)["sample"].nunique() == 2 * 50
