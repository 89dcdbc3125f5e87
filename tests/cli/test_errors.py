"""Bad input through the real ``rnncast`` command: one line on stderr, exit 2, no traceback, nothing written.

Covers the error matrix of the CLI contract: missing / empty / header-only files, unknown columns,
non-numeric cells, NaN/inf values (and ``--fill`` accepting them), duplicate timestamps, series that
are too short, impossible settings, damaged run directories for ``predict``, data whose columns differ
from training, argparse usage errors, and Ctrl-C during training (exit 130, no run directory left).
"""

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

FAST = ["--iterations", "5", "--hidden-size", "4", "--quiet"]
OUT = "run"  # the --out directory every failing train call names; it must never appear


def rnncast(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "rnncast", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def assert_one_line_error(result, *words):
    """Exit 2 and exactly one stderr line that starts with ``rnncast`` and contains every word."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("rnncast"), line
    for word in words:
        if isinstance(word, re.Pattern):
            assert word.search(line), (word.pattern, line)
        else:
            assert word in line, (word, line)
    return line


def assert_nothing_written(cwd, out=OUT):
    """Neither the run directory nor a temporary directory or file beside it exists."""
    assert not (cwd / out).exists()
    leftovers = [p.name for p in (cwd / out).parent.iterdir() if p.name.startswith(f".{os.path.basename(out)}.")]
    assert leftovers == []


def write_csv(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")
    return path


def small_rows(n=40):
    """``n`` rows of three numeric columns a, b, c (c, the last one, is the default target)."""
    return [[i, round(math.sin(i), 4), 0.5 * i + 1] for i in range(n)]


@pytest.fixture
def small(tmp_path):
    return write_csv(tmp_path / "small.csv", ["a", "b", "c"], small_rows())


def dated_rows(n=40):
    return [[f"2021-{1 + i // 28:02d}-{1 + i % 28:02d}", i, 2.5 * i + 1] for i in range(n)]


# -- the data file -----------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    result = rnncast("train", "nope.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "nope.csv", "no such file")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n   \n"], ids=["zero_bytes", "blank_lines"])
def test_empty_file(tmp_path, content):
    (tmp_path / "empty.csv").write_text(content)
    result = rnncast("train", "empty.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "empty.csv", "empty")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("header", ["a,b,c\n", "# a,b,c\n", "date;x;y\n"], ids=["plain", "hash", "semicolon"])
def test_header_only(tmp_path, header):
    (tmp_path / "header.csv").write_text(header)
    result = rnncast("train", "header.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "header.csv", "no data rows")
    assert_nothing_written(tmp_path)


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "folder").mkdir()
    result = rnncast("train", "folder", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "folder", "directory")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("option", ["--target", "--time-col", "--features"])
def test_unknown_column_lists_the_columns(tmp_path, small, option):
    result = rnncast("train", small.name, option, "zz", *FAST, "--out", OUT, cwd=tmp_path)
    line = assert_one_line_error(result, "'zz'", "a, b, c")
    assert {"--target": "target", "--time-col": "time", "--features": "feature"}[option] in line
    assert_nothing_written(tmp_path)


def test_unknown_target_on_a_bundled_data_set(tmp_path):
    result = rnncast("train", "stock_daily", "--target", "Price", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "'Price'", "Open, High, Low, Volume, Close")
    assert_nothing_written(tmp_path)


def test_non_numeric_cell_names_column_and_row(tmp_path):
    rows = small_rows()
    rows[2][1] = "abc"  # data row 3, column b
    write_csv(tmp_path / "bad.csv", ["a", "b", "c"], rows)
    result = rnncast("train", "bad.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "'b'", re.compile(r"\brow 3\b"), "abc")
    assert_nothing_written(tmp_path)


def test_unreadable_date_names_column_and_row(tmp_path):
    rows = dated_rows()
    rows[5][0] = "someday"  # data row 6
    write_csv(tmp_path / "dates.csv", ["date", "x", "y"], rows)
    result = rnncast("train", "dates.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "'date'", re.compile(r"\brow 6\b"), "someday")
    assert_nothing_written(tmp_path)


def nan_file(tmp_path):
    rows = small_rows()
    rows[4][1] = "nan"  # data row 5, column b: the first bad cell
    rows[9][2] = "inf"  # data row 10, column c
    rows[20][0] = ""  # data row 21, column a: an empty cell
    return write_csv(tmp_path / "gaps.csv", ["a", "b", "c"], rows)


def test_nan_and_inf_values_give_count_and_first_row(tmp_path):
    nan_file(tmp_path)
    result = rnncast("train", "gaps.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, re.compile(r"\b3\b"), "'b'", re.compile(r"\brow 5\b"), "--fill")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("fill", ["ffill", "interpolate", "drop"])
def test_fill_accepts_nan_and_inf(tmp_path, fill):
    nan_file(tmp_path)
    result = rnncast("train", "gaps.csv", "--fill", fill, *FAST, "--out", OUT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / OUT / "config.json").is_file()
    assert (tmp_path / OUT / "model.safetensors").is_file()
    assert json.loads((tmp_path / OUT / "config.json").read_text())["data_source"]["fill"] == fill
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{OUT}.")]


def test_duplicate_timestamps(tmp_path):
    rows = dated_rows()
    rows[4][0] = rows[3][0]  # data rows 4 and 5 share 2021-01-04
    write_csv(tmp_path / "dup.csv", ["date", "x", "y"], rows)
    result = rnncast("train", "dup.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "duplicate", "2021-01-04", re.compile(r"\brows? 4\D+5\b"))
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("n_rows", "options", "minimum"),
    [
        (11, [], 12),  # seq_length 7, test-size 0.3: int(12 * 0.7) = 8 > 7 rows of training data
        (7, ["--seq-length", "3", "--test-size", "0.5"], 8),  # int(8 * 0.5) = 4 > 3
    ],
    ids=["defaults", "seq3_half"],
)
def test_series_too_short_names_the_minimum(tmp_path, n_rows, options, minimum):
    write_csv(tmp_path / "short.csv", ["a", "b", "c"], small_rows(n_rows))
    result = rnncast("train", "short.csv", *options, *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "too short", re.compile(rf"\b{minimum} rows\b"))
    assert_nothing_written(tmp_path)


def test_bundled_series_too_short_for_a_long_window(tmp_path):
    # ncsoft_weekly has 23 rows; seq_length 20 with test-size 0.3 needs int(30 * 0.7) = 21 > 20
    result = rnncast("train", "ncsoft_weekly", "--seq-length", "20", *FAST, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "23 rows", re.compile(r"\b30 rows\b"))
    assert_nothing_written(tmp_path)


def test_series_just_long_enough_trains(tmp_path):
    write_csv(tmp_path / "short.csv", ["a", "b", "c"], small_rows(12))
    result = rnncast("train", "short.csv", *FAST, "--out", OUT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / OUT / "config.json").is_file()


# -- settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "name"),
    [
        ("--seq-length", "0", r"seq[_-]length"),
        ("--seq-length", "-3", r"seq[_-]length"),
        ("--hidden-size", "0", r"hidden[_-]size"),
        ("--hidden-size", "-1", r"hidden[_-]size"),
        ("--lr", "0", r"(learning rate|\blr\b)"),
        ("--lr", "-0.01", r"(learning rate|\blr\b)"),
        ("--lr", "nan", r"(learning rate|\blr\b)"),
        ("--iterations", "0", r"iterations"),
        ("--iterations", "-5", r"iterations"),
    ],
)
def test_non_positive_setting(tmp_path, small, option, value, name):
    result = rnncast("train", small.name, *FAST, option, value, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, re.compile(name), re.compile(r"positive|> ?0"), value)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(("args", "words"), [
    (["--shrink", "most"], ["shrink", "most"]),
    (["--shrink", "1.5"], ["shrink", "(0, 1]", "1.5"]),
    (["--shrink", "auto", "--val-size", "0"], ["shrink='auto'", "val_size > 0"]),
    (["--shrink", "0.5", "--normalize", "none"], ["shrink", "normalize='last'"]),
], ids=["not_a_share", "above_one", "auto_without_hold_out", "absolute_windows"])
def test_bad_shrink(tmp_path, small, args, words):
    result = rnncast("train", small.name, *FAST, *args, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, *words)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("value", ["0", "-0.1", "1.5", "nan"])
def test_test_size_neither_a_fraction_nor_a_number_of_steps(tmp_path, small, value):
    result = rnncast("train", small.name, *FAST, "--test-size", value, "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, re.compile(r"test[_-]size"), "fraction")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ["train", "small.csv", "--bogus"],
        ["train", "small.csv", "--model", "transformer"],
        ["train", "small.csv", "--fill", "zero"],
        ["train", "small.csv", "--seq-length", "seven"],
        ["train"],
        ["frobnicate"],
        [],
        ["predict"],
    ],
    ids=["unknown_option", "bad_model", "bad_fill", "not_an_int", "no_data", "unknown_command", "no_command",
         "no_run_dir"],
)
def test_usage_errors(tmp_path, small, args):
    result = rnncast(*args, cwd=tmp_path)
    assert_one_line_error(result, "error")
    assert_nothing_written(tmp_path)


def test_usage_error_names_the_bad_choice(tmp_path, small):
    result = rnncast("train", small.name, "--model", "transformer", "--out", OUT, cwd=tmp_path)
    assert_one_line_error(result, "transformer", "lstm")


# -- predict with a damaged run directory --------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real run directory (trained once per module) and the CSV it was trained on."""
    cwd = tmp_path_factory.mktemp("trained")
    write_csv(cwd / "small.csv", ["a", "b", "c"], small_rows())
    result = rnncast("train", "small.csv", *FAST, "--out", "RUN", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "RUN", cwd / "small.csv"


@pytest.fixture
def run_copy(tmp_path, trained):
    """A fresh copy of the trained run in ``tmp_path/RUN`` with its data in ``tmp_path/small.csv``."""
    run, data = trained
    shutil.copytree(run, tmp_path / "RUN")
    shutil.copy(data, tmp_path / "small.csv")
    return tmp_path / "RUN"


def predict(cwd, data="small.csv"):
    return rnncast("predict", "RUN", data, "--out", "forecast.csv", cwd=cwd)


def test_predict_with_the_intact_run_directory_works(tmp_path, run_copy):
    result = predict(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "forecast.csv").read_text().splitlines()[0] == "unique_id,ds,lstm"


@pytest.mark.parametrize("name", ["config.json", "model.safetensors"])
def test_predict_missing_file_in_run_dir(tmp_path, run_copy, name):
    (run_copy / name).unlink()
    assert_one_line_error(predict(tmp_path), name, "missing")
    assert not (tmp_path / "forecast.csv").exists()


def test_predict_corrupt_config(tmp_path, run_copy):
    config = run_copy / "config.json"
    config.write_text(config.read_text()[:40])  # cut off mid-way: not valid JSON any more
    assert_one_line_error(predict(tmp_path), "config.json", "damaged")
    assert not (tmp_path / "forecast.csv").exists()


def test_predict_corrupt_weights(tmp_path, run_copy):
    (run_copy / "model.safetensors").write_bytes(bytes(range(256)) * 4)  # garbage bytes
    assert_one_line_error(predict(tmp_path), "model.safetensors", "damaged")
    assert not (tmp_path / "forecast.csv").exists()


def test_predict_newer_format_version(tmp_path, run_copy):
    config = json.loads((run_copy / "config.json").read_text())
    config["format_version"] += 1
    (run_copy / "config.json").write_text(json.dumps(config))
    assert_one_line_error(predict(tmp_path), "newer")
    assert not (tmp_path / "forecast.csv").exists()


def test_predict_data_with_a_missing_column(tmp_path, run_copy):
    write_csv(tmp_path / "new.csv", ["a", "c"], [[r[0], r[2]] for r in small_rows()])
    assert_one_line_error(predict(tmp_path, "new.csv"), "'b'", "missing")
    assert not (tmp_path / "forecast.csv").exists()


def test_predict_data_with_a_renamed_column(tmp_path, run_copy):
    write_csv(tmp_path / "new.csv", ["a", "B", "c"], small_rows())
    assert_one_line_error(predict(tmp_path, "new.csv"), "'b'", "a, b, c")
    assert not (tmp_path / "forecast.csv").exists()


# -- Ctrl-C --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("members", [[], ["--ensemble", "2", "--n-jobs", "2"]], ids=["one", "side-by-side"])
def test_ctrl_c_during_training_leaves_nothing(tmp_path, small, members):
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnncast", "train", small.name, "--iterations", "1000000", "--val-size", "0",
         "--hidden-size", "4", "--progress", "--out", OUT, *members],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT then prints where a hung child stands
        # A shell that starts the tests in the background ignores SIGINT, and a child inherits that (Python
        # then installs no KeyboardInterrupt handler): the child starts with the default, as at a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    chunks, started = [], threading.Event()

    def drain():  # keep reading stderr so the child never blocks on a full pipe
        for chunk in iter(lambda: os.read(proc.stderr.fileno(), 4096), b""):
            chunks.append(chunk)
            text = b"".join(chunks)
            if b"training " in text and b"%|" in text.split(b"training ", 1)[1]:  # the line, then the bar
                started.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=120), b"".join(chunks).decode(errors="replace")
        time.sleep(1.0)  # well inside the training loop now
        assert proc.poll() is None, "training ended before Ctrl-C"
        workers = _children(proc.pid)
        assert len(workers) == (2 if members else 0)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:  # still running: fail, with the child's stacks in the message
            proc.send_signal(signal.SIGABRT)
            proc.wait(timeout=30)
            reader.join(timeout=10)
            pytest.fail("no exit 120 s after Ctrl-C:\n" + b"".join(chunks).decode(errors="replace")[-4000:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    stderr = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("rnncast")
    assert_nothing_written(tmp_path)
    for pid in workers:  # the member processes were stopped, not left running
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid)


def _children(parent: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().split(")", 1)[1].split()
        except (FileNotFoundError, NotADirectoryError, ProcessLookupError):
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")", 1)[1].split()[0] != "Z"  # a zombie has stopped
    except FileNotFoundError:
        return False
