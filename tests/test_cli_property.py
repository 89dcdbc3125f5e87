"""The whole command surface under random use: argument lists drawn from the real options with random
values, on random small tables. Every run exits 0 or 2, prints no traceback and no internal error,
and changes nothing outside its --out (a byte-for-byte snapshot of the folder before and after).
"""

import argparse
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnncast.cli import app, build_parser

SKIP = {"--help", "--out", "--nproc", "--tensorboard", "--threads", "--version"}  # --out: always set; the others
# start processes or need optional packages (each is tested on its own)
COMMANDS = ("train", "backtest")
COLUMNS = ["y", "x", "ds", "unique_id", "note", "nope"]


def _subparser(command: str) -> argparse.ArgumentParser:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]
    raise KeyError(command)


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
    argv = [command, "data.csv"]
    for action in chosen:
        argv += draw(_option(action))
    limits = ["--iterations", "3"] if not any(a.dest in ("iterations", "epochs") for a in chosen) else []
    return argv + limits + ["--quiet", "--out", "out/run"]


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


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(argv=argument_lists(), table=tables())
def test_random_use_exits_0_or_2_without_traceback_and_touches_nothing_outside_out(snapshot, argv, table):
    with tempfile.TemporaryDirectory() as folder:
        table.to_csv(os.path.join(folder, "data.csv"), index=False)
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("the user's\n")
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
        assert after == before, f"{argv} changed files outside --out"
