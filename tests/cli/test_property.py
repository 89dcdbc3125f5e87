"""The whole command surface under random use: argument lists drawn from the real options with random
values, on random small tables. Every run exits 0 or 2, prints no traceback and no internal error,
and changes nothing outside its --out (a byte-for-byte snapshot of the folder before and after).
"""

import argparse
import functools
import os
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnncast.cli.commands import app, build_parser

# --out: always set; --plot: another output path (tested on its own); the others start processes or need
# optional packages (each is tested on its own)
SKIP = {"--help", "--out", "--plot", "--nproc", "--tensorboard", "--threads", "--version"}
COMMANDS = (("train",), ("backtest",), ("predict",), ("explain", "gradients"))
COLUMNS = ["y", "x", "ds", "unique_id", "note", "nope"]


def _subparser(command: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for word in command:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[word]
    return parser


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    if action.choices:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), st.sampled_from(["", "bogus"]))
    if action.type is int:
        return st.integers(-2, 9).map(str)
    if action.type is float or (action.type is not None and action.type is not str):
        return st.one_of(st.sampled_from(["0", "0.2", "0.5", "1", "-1", "nan", "inf", "2", "auto", "horizon", "x"]),
                         st.floats(-1, 3, allow_nan=False).map(lambda v: f"{v:.3g}"))
    if action.dest == "checkpoint":
        return st.just("out/ckpt")
    return st.one_of(st.sampled_from(COLUMNS), st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=3)
                     .map(",".join), st.sampled_from(["D", "dayofweek,month", "1,2", "0.1,0.9", "80"]))


def _option(action: argparse.Action) -> st.SearchStrategy[list[str]]:
    flag = st.sampled_from(action.option_strings)
    if action.nargs == 0:
        return flag.map(lambda f: [f])
    if action.nargs == "?":
        return st.tuples(flag, st.one_of(st.none(), _value(action))).map(lambda t: [t[0]] + ([t[1]] if t[1] else []))
    return st.tuples(flag, _value(action)).map(list)


@st.composite
def argument_lists(draw):
    command = draw(st.sampled_from(COMMANDS))
    actions = [a for a in _subparser(command)._actions
               if a.option_strings and not set(a.option_strings) & SKIP]
    chosen = draw(st.lists(st.sampled_from(actions), max_size=6, unique_by=lambda a: a.dest))
    if command == ("predict",):  # a run trained on the same kind of table, with or without new data
        argv = ["predict", "run", *draw(st.sampled_from([[], ["data.csv"]]))]
        out = draw(st.sampled_from([[], ["--out", "out/forecast.csv"]]))
    elif command == ("explain", "gradients"):
        argv, out = [*command], ["--out", "out/figures"]
    else:
        argv, out = [*command, "data.csv"], ["--quiet", "--out", "out/run"]
        if not any(a.dest in ("iterations", "epochs") for a in chosen):
            out = ["--iterations", "3", *out]
    for action in chosen:
        argv += draw(_option(action))
    return argv + out


@st.composite
def tables(draw) -> pd.DataFrame:
    n_series = draw(st.integers(1, 3))
    rows = draw(st.integers(3, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    parts = []
    for k in range(n_series):
        part = {"ds": pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d")}
        if n_series > 1:
            part["unique_id"] = f"s{k}"
        part["x"] = rng.normal(size=rows).round(3)
        part["y"] = (10 + np.cumsum(rng.normal(size=rows))).round(3)
        parts.append(pd.DataFrame(part))
    table = pd.concat(parts, ignore_index=True)
    if draw(st.booleans()):
        table["note"] = "text"
    if draw(st.booleans()):
        table.loc[draw(st.integers(0, len(table) - 1)), "y"] = np.nan
    if draw(st.booleans()):
        table = table.drop(columns=["ds"])
    return table


@functools.lru_cache(maxsize=1)
def _trained_run() -> str:
    """A small run directory (trained once per session) for ``predict`` to read."""
    folder = tempfile.mkdtemp()
    rng = np.random.default_rng(0)
    pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=40, freq="D").strftime("%Y-%m-%d"),
                  "x": rng.normal(size=40).round(3), "y": (10 + np.cumsum(rng.normal(size=40))).round(3)}
                 ).to_csv(os.path.join(folder, "train.csv"), index=False)
    with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
        try:
            app(["train", os.path.join(folder, "train.csv"), "--iterations", "3", "--quiet", "--out",
                 os.path.join(folder, "run")])
        except SystemExit as exc:
            assert exc.code == 0
    return os.path.join(folder, "run")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(argv=argument_lists(), table=tables())
def test_random_use_exits_0_or_2_without_traceback_and_touches_nothing_outside_out(snapshot, argv, table):
    with tempfile.TemporaryDirectory() as folder:
        table.to_csv(os.path.join(folder, "data.csv"), index=False)
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("the user's\n")
        if argv[0] == "predict":
            shutil.copytree(_trained_run(), os.path.join(folder, "run"))
        before = snapshot(folder)
        cwd = os.getcwd()
        err = StringIO()
        os.chdir(folder)
        try:
            with redirect_stdout(StringIO()), redirect_stderr(err):
                try:
                    app(argv)
                    code = 0
                except SystemExit as exc:
                    code = exc.code
        finally:
            os.chdir(cwd)
        message = err.getvalue()
        assert code in (0, 2), f"{argv}: exit {code}: {message}"
        assert "Traceback" not in message and "internal error" not in message, f"{argv}: {message}"
        after = {k: v for k, v in snapshot(folder).items() if not k.startswith("out" + os.sep)}
        if code == 0 and argv[0] != "predict":
            assert os.path.isdir(os.path.join(folder, "out")), f"{argv}: exit 0 but nothing written"
        assert after == before, f"{argv} changed files outside --out"
