"""One declaration per setting: the Forecaster's signature, its docstring and the command's options agree."""

import inspect

import rnncast
from rnncast.cli.commands import build_parser
from rnncast.cli.options import LECTURE, forecaster_from
from rnncast.forecaster.settings import GROUPS, SETTINGS


def test_every_argument_is_keyword_only_and_has_its_own_documented_entry():
    parameters = inspect.signature(rnncast.Forecaster).parameters
    assert list(parameters) == [s.name for s in SETTINGS]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    doc = rnncast.Forecaster.__doc__
    for name, p in parameters.items():
        assert f"{name} (default {p.default!r}):" in doc, name
    assert all(s.group in GROUPS for s in SETTINGS)


def test_the_commands_defaults_and_choices_are_the_forecasters():
    for command in ("train", "backtest"):
        args = build_parser().parse_args([command, "data.csv"])
        built = forecaster_from(args, progress=False)
        assert vars(built) == vars(rnncast.Forecaster()), command
        actions = {a.dest: a for a in build_parser()._actions[-1].choices[command]._actions}
        for s in SETTINGS:
            if s.choices:
                assert tuple(actions[s.name].choices) == tuple(s.choices), s.name


def test_a_flag_given_reaches_the_forecaster():
    args = build_parser().parse_args(["train", "d.csv", "--quantiles", "0.1,0.9", "--calendar", "month",
                                      "--no-refit-best", "--deseasonalize", "--shrink", "auto", "--device", "auto"])
    f = forecaster_from(args)
    assert f.quantiles == [0.1, 0.9] and f.calendar == ("month",) and f.refit_best is False
    assert f.deseasonalize is True and f.shrink == "auto" and f.device == "auto"


def test_the_lectures_settings_are_settings():
    assert set(LECTURE) <= {s.name for s in SETTINGS}


def test_clone_is_unfitted_with_the_same_settings_and_the_changes():
    import numpy as np
    import pandas as pd

    f = rnncast.Forecaster(model="gru", seq_length=5, iterations=3, quantiles=[0.1, 0.9])
    f.fit(pd.DataFrame({"y": np.sin(np.arange(40) / 3) + 2}))
    g = f.clone(seed=3)
    assert g.get_params() == {**f.get_params(), "seed": 3}
    assert not hasattr(g, "net_") and hasattr(f, "net_")


def test_config_json_holds_every_saved_setting_from_the_table_and_gives_them_back(tmp_path):
    import json

    import numpy as np
    import pandas as pd

    df = pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=40, freq="D"), "y": np.arange(40.0) % 7 + 10})
    f = rnncast.Forecaster(model="gru", seq_length=5, hidden_size=4, iterations=3, quantiles=(0.1, 0.9),
                           calendar=("dayofweek",), progress=False).fit(df, target="y")
    f.save(tmp_path / "run")
    saved = json.loads((tmp_path / "run" / "config.json").read_text())["settings"]
    assert list(saved) == [s.name for s in SETTINGS if s.saved]  # every saved setting, in the table's order
    assert not {"device", "progress", "checkpoint", "tensorboard"} & set(saved)  # how a process runs is not saved
    assert rnncast.Forecaster.from_config(tmp_path / "run").get_params() == f.get_params()
    assert rnncast.load(tmp_path / "run").get_params() == f.get_params()
    assert rnncast.Forecaster.from_config(tmp_path / "run" / "config.json", lr=0.5).lr == 0.5
