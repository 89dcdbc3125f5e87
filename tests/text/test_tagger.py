"""The RNN tagger: trains on the bundled sample, beats the most-frequent-tag baseline, saves and loads."""

import numpy as np
import pytest

from rnncast.errors import RnncastError
from rnncast.text.conll import parse_conll, read_conll
from rnncast.text.tagger import Tagger, TagSpec, bio_decode, shape, split, train_and_evaluate


@pytest.fixture(scope="module")
def trained():
    sentences = read_conll("tags_sample")
    train, test = split(sentences, 0.2, seed=0)
    tagger, metrics, pred = train_and_evaluate(train, test, TagSpec(epochs=10, seed=0))
    return tagger, metrics, pred, test


def test_shapes():
    assert [shape(t) for t in ["Ada", "ada", "NATO", "1999", ".", "McDonald", "A", "x1"]] == \
        ["Xx", "x", "X", "d", ".", "mixed", "Xx", "mixed"]


def test_bio_decode_keeps_sequences_valid():
    tags = ["B-LOC", "B-PER", "I-LOC", "I-PER", "O"]
    ix = {t: i for i, t in enumerate(tags)}

    def logp(*rows):  # each row: the most likely tag first, then a runner-up
        out = np.full((len(rows), len(tags)), -9.0)
        for t, (best, second) in enumerate(rows):
            out[t, ix[best]], out[t, ix[second]] = -0.1, -2.5
        return out

    valid = logp(("B-PER", "O"), ("I-PER", "O"), ("O", "B-LOC"))
    assert [tags[k] for k in bio_decode(valid, tags)] == ["B-PER", "I-PER", "O"]  # = argmax when valid
    bad = logp(("I-PER", "B-PER"), ("I-PER", "O"), ("O", "B-PER"), ("I-LOC", "B-LOC"))
    assert [tags[k] for k in bio_decode(bad, tags)] == ["B-PER", "I-PER", "O", "B-LOC"]
    switch = logp(("B-PER", "O"), ("I-LOC", "I-PER"))  # I-LOC after B-PER is not allowed
    assert [tags[k] for k in bio_decode(switch, tags)] == ["B-PER", "I-PER"]


def test_split_is_seeded_and_disjoint():
    sentences = read_conll("tags_sample")
    train, test = split(sentences, 0.2, seed=0)
    assert len(test) == round(0.2 * len(sentences)) and len(train) + len(test) == len(sentences)
    assert {s.line for s in train}.isdisjoint({s.line for s in test})
    assert [s.line for s in split(sentences, 0.2, seed=0)[1]] == [s.line for s in test]
    with pytest.raises(RnncastError, match="no test sentence"):
        split(sentences[:2], 0.1, seed=0)


def test_tagger_beats_the_most_frequent_tag_baseline(trained):
    _, metrics, pred, test = trained
    ours, base = metrics["test"]["tagger"], metrics["test"]["most_frequent_tag"]
    assert ours["token_accuracy"] >= base["token_accuracy"]
    assert ours["f1"] > base["f1"]
    assert metrics["beats_baseline"] == {"token_accuracy": True, "f1": True}
    assert [len(p) for p in pred] == [len(s.tokens) for s in test]


def test_save_load_round_trip_and_unseen_tags(trained, tmp_path):
    tagger, metrics, pred, test = trained
    tagger.save(tmp_path / "run", metrics, {"data": "tags_sample"})
    loaded = Tagger.load(tmp_path / "run")
    assert loaded.predict([s.tokens for s in test]) == pred
    odd = parse_conll("Ada B-PER\nsings O\n\nNATO B-MISC\n")
    with pytest.raises(RnncastError, match=r"in.conll: line 4: tag 'B-MISC' was not seen in training"):
        loaded.check_tags(odd, "in.conll")
    with pytest.raises(RnncastError, match="not found"):
        Tagger.load(tmp_path / "nope")
    (tmp_path / "run" / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(RnncastError, match="damaged"):
        Tagger.load(tmp_path / "run")


def test_unidirectional_gru_tagger_trains():
    sentences = read_conll("tags_sample")[:30]
    tagger = Tagger(TagSpec(kind="gru", bidirectional=False, epochs=2, hidden_size=8)).fit(sentences)
    assert len(tagger.losses_) == 2 and tagger.losses_[1] < tagger.losses_[0]
    assert "rnn.weight_ih_l0_reverse" not in tagger.net_.state_dict()
