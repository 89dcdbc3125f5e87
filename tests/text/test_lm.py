"""The language model: NumPy engine == torch engine on the same weights, training lowers the loss, sampling."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncast.errors import RnncastError
from rnncast.scratch import gradcheck
from rnncast.scratch.lm import ScratchLM
from rnncast.text import corpus, lm
from rnncast.text.run import fit_corpus
from rnncast.text.sample import sample
from rnncast.text.torch_lm import CharLM
from rnncast.text.vocab import Vocab

V, D, H = 7, 4, 5




def twin(kind, num_layers=2, seed=1):
    """A NumPy LM and a float64 torch LM holding the same weights."""
    ours = ScratchLM(kind, vocab_size=V, embed_size=D, hidden_size=H, num_layers=num_layers, seed=seed)
    theirs = CharLM(kind, V, D, H, num_layers).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_numpy_lm_loss_and_gradients_match_torch_in_float64(kind):
    ours, theirs = twin(kind)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, V, (3, 6)), rng.integers(0, V, (3, 6))
    loss = ours.loss_and_backward(x, y)
    logits, _ = theirs(torch.from_numpy(x))
    ref = F.cross_entropy(logits.reshape(-1, V), torch.from_numpy(y).reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) <= 1e-8
    assert set(ours.grads) == {k for k, _ in theirs.named_parameters()}
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours.grads[name], p.grad.numpy(), rtol=0, atol=1e-8, err_msg=name)


def test_embedding_gradient_matches_centred_differences():
    ours = ScratchLM("gru", vocab_size=V, embed_size=D, hidden_size=H, seed=3)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, V, (2, 5)), rng.integers(0, V, (2, 5))
    x[0, :2] = 4  # a row read more than once
    ours.loss_and_backward(x, y)
    errors = gradcheck(lambda: ours.loss(x, y), ours.params, ours.grads)
    assert max(errors.values()) <= 1e-6, errors


def test_step_by_step_logits_equal_the_whole_window():
    ours, theirs = twin("lstm")
    x = np.array([[1, 5, 2, 2, 0]])
    whole = ours.forward(x)[0]  # (L, V)
    ours.start(1)
    steps = np.stack([ours.step([i])[0] for i in x[0]])
    np.testing.assert_allclose(steps, whole, atol=1e-12)
    from rnncast.text.torch_lm import TorchLM

    t = TorchLM("lstm", V, D, H, 2, dtype=np.float64)
    t.load_state_dict(ours.state_dict())
    t.start(1)
    np.testing.assert_allclose(np.stack([t.step([i])[0] for i in x[0]]), whole, atol=1e-10)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_long_sampling_carries_the_state_and_then_training_starts_from_zero(kind, monkeypatch):
    import rnncast.scratch.lm as scratch_lm

    monkeypatch.setattr(scratch_lm, "CARRY_EVERY", 4)  # drop the history every 4 steps
    ours, theirs = twin(kind)
    x = np.random.default_rng(2).integers(0, V, (1, 19))
    ours.start(1)
    steps = np.stack([ours.step([i])[0] for i in x[0]])  # (L, V)
    assert ours.net.layers[0].t_last < 4  # the history stayed short
    ref, _ = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(steps, ref[0].detach().numpy(), atol=1e-12)
    assert ours.net.layers[0].T == 16  # so a window of 16 reuses the buffers, carried initial slot and all
    np.testing.assert_allclose(ours.forward(x[:, :16])[0], ref[0, :16].detach().numpy(), atol=1e-12)


TEXT = "the cat sat on the mat. " * 40


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_training_lowers_the_loss_below_the_unigram_baseline(engine):
    spec = lm.LMSpec(kind="gru", embed_size=8, hidden_size=24, seq_length=12, batch_size=8, lr=0.02,
                     iterations=80, eval_every=40, val_size=0.2, seed=0, engine=engine)
    model, vocab, result, metrics = fit_corpus(TEXT, spec)
    assert np.mean(result.losses[-10:]) < 0.5 * np.mean(result.losses[:5])
    assert metrics["validation"]["cross_entropy"] < metrics["unigram"]["cross_entropy"]
    assert metrics["beats_unigram"] and result.steps == 80 and result.chars_per_second > 0
    assert [s for s, _ in result.val_points] == [40, 80]


def test_training_repeats_exactly_with_a_seed():
    spec = lm.LMSpec(kind="rnn", embed_size=4, hidden_size=8, seq_length=8, batch_size=4, iterations=10,
                     val_size=0.0, engine="numpy", seed=3)
    runs = [fit_corpus(TEXT, spec)[2].losses for _ in range(2)]
    assert runs[0] == runs[1]


def test_spec_refuses_bad_settings():
    with pytest.raises(RnncastError, match="--hidden-size"):
        lm.LMSpec(hidden_size=0).check()
    with pytest.raises(RnncastError, match="engine"):
        lm.LMSpec(engine="jax").check()
    with pytest.raises(RnncastError, match="at least 2"):
        fit_corpus("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", lm.LMSpec(seq_length=4, engine="numpy"))


@pytest.fixture(scope="module")
def small_model():
    vocab = Vocab.from_text(TEXT)
    model = lm.build("numpy", "lstm", len(vocab), 8, 16, seed=0)
    return model, vocab


def test_sampling_is_reproducible_with_a_seed(small_model):
    model, vocab = small_model
    a = sample(model, vocab, "the ", 60, temperature=1.0, seed=5)
    assert len(a) == 60 and set(a) <= set(vocab.chars)
    assert sample(model, vocab, "the ", 60, temperature=1.0, seed=5) == a
    assert sample(model, vocab, "the ", 60, temperature=1.0, seed=6) != a
    assert sample(model, vocab, "the ", 0, seed=5) == ""
    greedy = sample(model, vocab, "t", 20, temperature=0, seed=1)
    assert greedy == sample(model, vocab, "t", 20, temperature=0, seed=2)


def test_sampling_refuses_unknown_prime_characters_and_bad_settings(small_model):
    model, vocab = small_model
    with pytest.raises(RnncastError, match=r"--prime has 1 character\(s\) the model never saw in training: Z"):
        sample(model, vocab, "the Zoo", 10)
    with pytest.raises(RnncastError, match="--temperature"):
        sample(model, vocab, "t", 10, temperature=-1)
    with pytest.raises(RnncastError, match="--length"):
        sample(model, vocab, "t", -3)
    with pytest.raises(RnncastError, match="--prime"):
        sample(model, vocab, "", 3)


def test_unigram_is_scored_on_the_validation_targets():
    spec = lm.LMSpec(kind="rnn", embed_size=4, hidden_size=4, seq_length=8, batch_size=2, iterations=2,
                     val_size=0.25, engine="numpy")
    _, vocab, _, metrics = fit_corpus(TEXT, spec)
    ids = vocab.encode(TEXT)
    train, val = corpus.split(ids, 0.25, 8)
    assert metrics["unigram"]["cross_entropy"] == corpus.unigram_cross_entropy(train, val[1:], len(vocab))
