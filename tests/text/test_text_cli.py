"""``rnncast text`` and ``rnncast tag`` end to end through ``add_commands`` (a small argparse main)."""

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest

from rnncast.errors import RnncastError
from rnncast.text.cli import COMMANDS, add_commands

CORPUS = "Day 1. The fox sleeps. The dogs sleep.\n\nDay 2. The owl sings. The cats sing.\n\n" * 30




def main(*argv):
    parser = argparse.ArgumentParser(prog="rnncast")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub, argparse.ArgumentParser)
    args = parser.parse_args([str(a) for a in argv])
    return COMMANDS[args.command](args)


TINY = ["--seq-length", "16", "--embed-size", "8", "--hidden-size", "16", "--batch-size", "8", "--iterations", "30",
        "--eval-every", "15", "--lr", "0.01", "--quiet"]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "days.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_text_train_writes_the_run_and_sample_reproduces(corpus_file, tmp_path, capsys, engine):
    run = tmp_path / "run"
    assert main("text", "train", corpus_file, "--model", "gru", "--engine", engine, "--out", run, *TINY) == 0
    out = capsys.readouterr().out
    assert "unigram baseline" in out and "perplexity" in out
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "loss.png", "metrics.json", "model.safetensors",
                                                     "sample.txt", "vocab.json"]
    m = json.loads((run / "metrics.json").read_text())
    assert set(m) >= {"train", "validation", "unigram", "beats_unigram", "chars_per_second", "steps"}
    assert m["validation"]["perplexity"] == pytest.approx(np.exp(m["validation"]["cross_entropy"]))
    assert m["steps"] == 30
    config = json.loads((run / "config.json").read_text())
    assert config["engine"] == engine and config["task"] == "char_lm" and config["model"]["kind"] == "gru"
    samples = []
    for seed in (1, 1, 2):
        assert main("text", "sample", run, "--prime", "Day", "--length", "40", "--seed", seed) == 0
        samples.append(capsys.readouterr().out)
    assert samples[0] == samples[1] != samples[2]
    assert samples[0].startswith("Day") and len(samples[0]) in (3 + 40, 3 + 40 + 1)  # + a final newline if none
    other = "torch" if engine == "numpy" else "numpy"  # the run loads into the other engine
    assert main("text", "sample", run, "--prime", "Day", "--length", "5", "--temperature", "0", "--engine", other) == 0
    with pytest.raises(RnncastError, match="--prime has 1 character"):
        main("text", "sample", run, "--prime", "Day 1 ~", "--length", "5")


@pytest.mark.parametrize("data,match", [
    (b"", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "looks binary"), (b"abc\n\xff\xfe\n", "not UTF-8"),
])
def test_text_train_refuses_bad_corpora(tmp_path, data, match):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(RnncastError, match=match):
        main("text", "train", path, "--out", tmp_path / "run", *TINY)
    assert not (tmp_path / "run").exists()


def test_text_errors_for_settings_and_run_dirs(corpus_file, tmp_path):
    with pytest.raises(RnncastError, match="--seq-length"):
        main("text", "train", corpus_file, "--seq-length", "0", "--quiet")
    with pytest.raises(RnncastError, match="not found"):
        main("text", "sample", tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RnncastError, match="config.json is missing"):
        main("text", "sample", tmp_path / "empty")


def test_numpy_engine_never_imports_torch(corpus_file, tmp_path):
    code = (
        "import argparse, sys\n"
        "from rnncast.text.cli import add_commands, COMMANDS\n"
        "p = argparse.ArgumentParser(); sub = p.add_subparsers(dest='command'); add_commands(sub)\n"
        "a = p.parse_args(sys.argv[1:]); COMMANDS[a.command](a)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    run = tmp_path / "np"
    cmd = [sys.executable, "-c", code, "text", "train", str(corpus_file), "--engine", "numpy", "--out", str(run),
           *TINY[:-3], "--iterations", "3", "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-c", code, "text", "sample", str(run), "--length", "5"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_tag_train_and_predict(tmp_path, capsys):
    run = tmp_path / "tagrun"
    assert main("tag", "train", "tags_sample", "--epochs", "3", "--hidden-size", "16", "--out", run, "--quiet") == 0
    out = capsys.readouterr().out
    assert "most frequent tag" in out and "token acc" in out
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "metrics.json", "model.safetensors",
                                                     "test_predictions.conll", "vocab.json"]
    m = json.loads((run / "metrics.json").read_text())
    assert set(m["test"]) == {"tagger", "most_frequent_tag"}

    tokens = tmp_path / "in.conll"
    tokens.write_text("Maria\nvisited\nOslo\n.\n\nThe\ncat\nsleeps\n", encoding="utf-8")
    assert main("tag", "predict", run, tokens) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0].startswith("Maria\t") and len(lines) == 4 + 1 + 3

    gold = tmp_path / "gold.conll"
    gold.write_text("Maria B-PER\nvisited O\nOslo B-LOC\n", encoding="utf-8")
    out_file = tmp_path / "tagged.conll"
    assert main("tag", "predict", run, gold, "--out", out_file) == 0
    assert "token acc" in capsys.readouterr().out
    first, blank, row = out_file.read_text().split("\n")[:3]
    assert first.startswith("-DOCSTART- rnncast") and blank == ""  # marks the file as rnncast's; readers skip it
    assert row.split("\t")[:2] == ["Maria", "B-PER"]

    gold.write_text("Maria B-PER\nvisited O\n\nMars B-PLANET\n", encoding="utf-8")
    with pytest.raises(RnncastError, match=r"line 4: tag 'B-PLANET' was not seen in training"):
        main("tag", "predict", run, gold)
    gold.write_text("Maria B-PER\nvisited\n", encoding="utf-8")
    with pytest.raises(RnncastError, match="line 2: expected a token and a tag"):
        main("tag", "predict", run, gold)
    with pytest.raises(RnncastError, match="not a tagger run"):
        main("tag", "predict", tmp_path, gold)


def test_tag_train_refuses_bad_files_and_unseen_test_tags(tmp_path):
    bad = tmp_path / "bad.conll"
    bad.write_text("Ada B-PER\nsings O\n\nLeo\n", encoding="utf-8")
    with pytest.raises(RnncastError, match="bad.conll: line 4: expected a token and a tag"):
        main("tag", "train", bad, "--quiet")
    test = tmp_path / "test.conll"
    test.write_text("Ada B-PER\n\nNATO B-MISC\n", encoding="utf-8")
    with pytest.raises(RnncastError, match="test.conll: line 3: tag 'B-MISC' was not seen in training"):
        main("tag", "train", "tags_sample", "--test", test, "--quiet", "--out", tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_the_real_command_line_runs_text_and_tag_with_one_line_errors(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "rnncast", *args], capture_output=True, text=True, cwd=tmp_path)

    trained = run("text", "train", "grammar_corpus", *TINY, "--iterations", "5", "--out", "lm")
    assert trained.returncode == 0, trained.stderr
    sampled = run("text", "sample", "lm", "--length", "20", "--seed", "1")
    assert sampled.returncode == 0 and len(sampled.stdout) >= 20
    bad = run("text", "sample", "lm", "--prime", "\u2603")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    tagged = run("tag", "train", "tags_sample", "--epochs", "1", "--out", "tagger")
    assert tagged.returncode == 0, tagged.stderr
    assert json.loads((tmp_path / "tagger" / "metrics.json").read_text())
