"""CoNLL reading (and its errors with line numbers), BIO entities, entity-level P/R/F1, the baseline."""

import pytest

from rnncast.errors import RnncastError
from rnncast.text.conll import MostFrequentTag, entities, parse_conll, read_conll, scores

GOOD = """-DOCSTART- -X- O O

Ada\tB-PER
Lovelace\tI-PER
visited\tO
Turin\tB-LOC

Kestrel NNP B-NP B-ORG
hired VBD B-VP O
her PRP B-NP O
"""


def test_parse_sentences_tokens_tags_and_line_numbers():
    sents = parse_conll(GOOD)
    assert [s.tokens for s in sents] == [["Ada", "Lovelace", "visited", "Turin"], ["Kestrel", "hired", "her"]]
    assert [s.tags for s in sents] == [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "O"]]  # last column
    assert sents[0].line == 3 and sents[1].lines == [8, 9, 10]


def test_token_only_files_and_mixed_layouts():
    sents = parse_conll("Ada\nsings\n\nLeo\n", need_tags=None)
    assert sents[1].tokens == ["Leo"] and sents[0].tags is None
    with pytest.raises(RnncastError, match="line 2: has 2 columns"):
        parse_conll("Ada\nsings O\n", need_tags=None)
    with pytest.raises(RnncastError, match="line 2: expected a token and a tag"):
        parse_conll("Ada B-PER\nsings\n", need_tags=None)


@pytest.mark.parametrize("text,match", [
    ("Ada B-PER\nsings\n", r"line 2: expected a token and a tag separated by whitespace, got 'sings'"),
    ("Ada B-PER\n\n\nLeo PERSON\n", r"line 4: tag 'PERSON' is not a BIO tag"),
    ("\n\n  \n", "has no tokens"),
])
def test_malformed_files_name_the_line(text, match):
    with pytest.raises(RnncastError, match=match):
        parse_conll(text, "data.conll")


@pytest.mark.parametrize("data,match", [
    (b"", "is empty"), (b"\x00\x01\x02\x03", "looks binary"), (b"Ada B-PER\nZ\xfcrich B-LOC\n", "not UTF-8.*line 2"),
])
def test_bad_files_are_refused(tmp_path, data, match):
    path = tmp_path / "x.conll"
    path.write_bytes(data)
    with pytest.raises(RnncastError, match=match):
        read_conll(path)


def test_entities_follow_bio_as_conlleval_reads_it():
    assert entities(["B-PER", "I-PER", "O", "B-LOC"]) == {("PER", 0, 2), ("LOC", 3, 4)}
    assert entities(["B-PER", "B-PER"]) == {("PER", 0, 1), ("PER", 1, 2)}  # two adjacent entities
    assert entities(["O", "I-ORG", "I-ORG"]) == {("ORG", 1, 3)}  # I- after O starts an entity
    assert entities(["B-PER", "I-LOC"]) == {("PER", 0, 1), ("LOC", 1, 2)}  # a type change starts another
    assert entities(["O", "O"]) == set()


def test_scores_on_hand_made_examples():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "O", "B-LOC"]]
    s = scores(gold, pred)
    # tokens 0..3: right right right wrong; 4..6: right wrong wrong -> 4 of 7 right
    assert s["token_accuracy"] == pytest.approx(4 / 7)
    # gold entities: PER(0,2), LOC(3,4), ORG(0,2); predicted: PER(0,2), ORG(0,1), LOC(2,3): 1 correct
    assert (s["correct"], s["predicted"], s["gold"]) == (1, 3, 3)
    assert s["precision"] == pytest.approx(1 / 3) and s["recall"] == pytest.approx(1 / 3)
    assert s["f1"] == pytest.approx(1 / 3)
    assert s["per_type"]["PER"]["f1"] == 1.0 and s["per_type"]["LOC"]["f1"] == 0.0
    perfect = scores(gold, gold)
    assert perfect["f1"] == perfect["token_accuracy"] == 1.0
    assert scores([["O"]], [["O"]])["f1"] == 0.0  # no entities at all: 0, not a division by zero
    with pytest.raises(RnncastError):
        scores(gold, pred[:1])


def test_most_frequent_tag_baseline():
    train = parse_conll("Paris B-LOC\nParis B-PER\nParis B-LOC\nis O\n\nHilton B-ORG\n")
    base = MostFrequentTag().fit(train)
    assert base.predict(["Paris", "is", "Hilton", "Rome"]) == ["B-LOC", "O", "B-ORG", "B-LOC"]  # unseen: overall


def test_bundled_sample_is_valid():
    sents = read_conll("tags_sample")
    assert 60 <= len(sents) <= 150
    tags = {t for s in sents for t in s.tags}
    assert {"O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"} <= tags
