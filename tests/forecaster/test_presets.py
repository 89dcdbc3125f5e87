import pytest

import rnncast
from rnncast.errors import RnncastError
from rnncast.forecaster.presets import PRESETS, preset_params


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_a_valid_forecaster(name):
    f = rnncast.Forecaster.from_preset(name, 6)
    model, window, train = f.specs()
    assert window.seq_length >= 6 and f.ensemble == 5
    assert model.normalize == ("season" if name in ("quarterly", "monthly") else "last")
    assert (train.val_size == "horizon") == (PRESETS[name]["early_stop"] or name == "quarterly")
    assert train.loss == ("mse" if name == "other" else "smape")
    assert model.shrink == ("auto" if name in ("yearly", "quarterly") else 1.0)
    # quarterly holds its last H values out to judge the share only: the last epoch is kept
    assert train.restore_best == (name != "quarterly")
    assert (train.patience is None) == (name in ("quarterly", "monthly"))
    # measured presets read plain log ratios; "other" keeps the Forecaster's default scaler
    assert window.scaler == ("log" if name == "other" else "log_unscaled")


def test_season_history_and_overrides():
    monthly = preset_params("monthly", 18)
    assert monthly["deseasonalize"] is False and monthly["season_length"] == 12
    assert monthly["history"] == 90 and monthly["seq_length"] == 27
    assert preset_params("quarterly", 8)["deseasonalize"] == 4
    assert preset_params("quarterly", 1)["seq_length"] == 4  # at least one season
    assert rnncast.Forecaster.from_preset("yearly", 6, ensemble=1, seq_length=9).seq_length == 9


def test_members_train_the_presets_member_epochs_unless_epochs_are_given():
    f = rnncast.Forecaster.from_preset("quarterly", 8)
    assert f.ensemble == 5 and f.epochs == 30 and f.member_epochs == 12
    assert rnncast.Forecaster.from_preset("quarterly", 8, epochs=3).member_epochs is None  # the epochs given count
    assert rnncast.Forecaster.from_preset("quarterly", 8, epochs=3, member_epochs=2).member_epochs == 2
    assert preset_params("other", 4)["member_epochs"] is None


def test_one_monthly_network_alone_averages_its_weights_and_an_ensemble_does_not():
    assert rnncast.Forecaster.from_preset("monthly", 18, ensemble=1).swa == 0.5
    assert rnncast.Forecaster.from_preset("monthly", 18).swa == 0.0  # the 5 members keep their last epoch's
    assert rnncast.Forecaster.from_preset("monthly", 18, ensemble=1, swa=0.0).swa == 0.0  # a given swa wins
    assert preset_params("quarterly", 8, ensemble=1)["swa"] == 0.0
    assert preset_params("yearly", 6, ensemble=1)["swa"] == 0.0


def test_presets_blend_theta_and_ets_by_frequency_for_one_network_and_the_ensemble():
    shares = {name: (preset_params(name, 6)["theta_share"], preset_params(name, 6)["ets_share"])
              for name in ("yearly", "quarterly", "monthly", "other")}
    assert shares == {"yearly": (0.5, 0.0), "quarterly": (0.0, 0.5), "monthly": (0.0, 0.5), "other": (0.0, 0.0)}
    assert preset_params("monthly", 18, ensemble=1)["ets_share"] == 0.5
    assert rnncast.Forecaster.from_preset("yearly", 6, theta_share=0.0).theta_share == 0.0  # a given share wins
    for asked in ({"quantiles": (0.1, 0.9)}, {"likelihood": "gaussian"}):  # their spread is the network's own
        f = rnncast.Forecaster.from_preset("quarterly", 8, **asked)
        assert (f.theta_share, f.ets_share) == (0.0, 0.0)
        f.specs()  # accepted: no blend to refuse


def test_unknown_preset_or_bad_horizon_is_refused():
    with pytest.raises(RnncastError, match="unknown preset 'weekly'; choose one of yearly"):
        preset_params("weekly", 4)
    with pytest.raises(RnncastError, match="horizon"):
        preset_params("yearly", 0)
