"""A language-model run: fit on a corpus, measure it against the unigram baseline, write and read the run directory.

``fit_corpus`` does the whole ``rnncast text train``: read and check the text, build the vocabulary,
split off the last ``val_size`` of the text for validation, train (rnncast.text.lm), then measure::

    H_train, H_val = mean -log p(c_t | c_<t) over the training / validation text   (nats per character)
    H_unigram      = the same for p(c) = add-one smoothed training frequencies, on the validation text
    perplexity = exp(H)          bits per character = H / ln 2

The run directory (built under a temporary name and renamed into place)::

    vocab.json         {"format_version": 1, "chars": [...]}
    config.json        format_version, rnncast_version, task "char_lm", engine, model, train settings, corpus
    model.safetensors  embed.weight, rnn.weight_ih_l0, ..., fc.weight, fc.bias (the same for both engines)
    metrics.json       train / validation / unigram cross-entropy and perplexity, speed, steps
    loss.png           training and validation cross-entropy per step, the unigram level as a line
    sample.txt         200 characters sampled at temperature 0.8 after training
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from rnncast.errors import RnncastError
from rnncast.text import corpus, lm
from rnncast.text.rundir import FORMAT_VERSION, read_config
from rnncast.text.vocab import Vocab

TRAIN_EVAL_CHARS = 200_000  # the training cross-entropy is measured on at most this many characters


def _scores(h: float | None) -> dict | None:
    if h is None:
        return None
    return {"cross_entropy": h, "perplexity": corpus.perplexity(h), "bits_per_char": h / math.log(2)}


def fit_corpus(text: str, spec: lm.LMSpec, progress: bool = False):
    """Train on ``text``: returns (model, vocab, result, metrics)."""
    spec.check()
    vocab = Vocab.from_text(text)
    if len(vocab) < 2:
        raise RnncastError(f"the corpus uses {len(vocab)} distinct character; a language model needs at least 2")
    ids = vocab.encode(text)
    train_ids, val_ids = corpus.split(ids, spec.val_size, spec.seq_length)
    model = lm.build(spec.engine, spec.kind, len(vocab), spec.embed_size, spec.hidden_size, spec.num_layers,
                     dtype=np.float32, seed=spec.seed)
    result = lm.train(model, train_ids, val_ids, spec, progress=progress)
    h_train = lm.evaluate(model, train_ids[:TRAIN_EVAL_CHARS], spec.seq_length)
    h_val = None if val_ids is None else lm.evaluate(model, val_ids, spec.seq_length)
    scored = train_ids if val_ids is None else val_ids
    h_unigram = corpus.unigram_cross_entropy(train_ids, scored[1:], len(vocab))  # the same targets as H_val
    metrics = {
        "model": spec.kind, "engine": spec.engine,
        "train": _scores(h_train), "validation": _scores(h_val), "unigram": _scores(h_unigram),
        "unigram_scored_on": "train" if val_ids is None else "validation",
        "beats_unigram": (h_val if h_val is not None else h_train) < h_unigram,
        "steps": result.steps, "best_step": result.best_step, "stopped_by_budget": result.stopped_by_budget,
        "train_seconds": result.seconds, "chars_per_second": result.chars_per_second,
        "final_train_loss": result.losses[-1] if result.losses else None,
        "vocab_size": len(vocab), "characters": {"total": len(ids), "train": len(train_ids),
                                                 "validation": 0 if val_ids is None else len(val_ids)},
    }
    return model, vocab, result, metrics


def config_for(spec: lm.LMSpec, vocab: Vocab, source: str, text: str) -> dict:
    from rnncast.version import __version__

    return {
        "format_version": FORMAT_VERSION, "rnncast_version": __version__, "task": "char_lm", "engine": spec.engine,
        "model": {"kind": spec.kind, "vocab_size": len(vocab), "embed_size": spec.embed_size,
                  "hidden_size": spec.hidden_size, "num_layers": spec.num_layers},
        "train": spec.to_dict(),
        "corpus": {"path": str(source), "characters": len(text)},
        "default_prime": text[0],
    }


def write_run(out: str | Path, model, vocab: Vocab, config: dict, metrics: dict, result: lm.LMResult,
              sample_text: str | None = None, inputs=(), force: bool = False) -> Path:
    """The run directory, atomically; it replaces only a language-model run rnncast wrote."""
    from safetensors.numpy import save

    from rnncast import atomic, outputs

    out = Path(out)
    with atomic.directory(out, outputs.TEXT_RUN, inputs, force) as stage:
        stage.write_text("vocab.json", vocab.to_json() + "\n")
        stage.write_config(config)
        state = {k: np.ascontiguousarray(v) for k, v in model.state_dict().items()}
        stage.write_bytes("model.safetensors", save(state))
        stage.write_text("metrics.json", json.dumps(_finite(metrics), indent=2) + "\n")
        stage.write_bytes("loss.png", loss_png(result, metrics["unigram"]["cross_entropy"]))
        if sample_text is not None:
            stage.write_text("sample.txt", sample_text)
    return out


def _finite(value):
    """JSON has no inf/nan: write null for them."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def load_run(run_dir: str | Path, engine: str | None = None):
    """(model, vocab, config) from a run directory, the weights loaded into ``engine`` (default: the run's)."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    run, config = read_config(run_dir, "char_lm", "language-model")
    try:
        m = config["model"]
        kind, V, d, H, layers = m["kind"], m["vocab_size"], m["embed_size"], m["hidden_size"], m["num_layers"]
    except (KeyError, TypeError):
        raise RnncastError(f"{run / 'config.json'} is damaged or not a text run's config") from None
    vocab = Vocab.from_json((run / "vocab.json").read_text(encoding="utf-8"), str(run / "vocab.json"))
    if len(vocab) != V:
        raise RnncastError(f"{run_dir}: vocab.json has {len(vocab)} characters, config.json says {V}")
    model = lm.build(engine or config.get("engine", "torch"), kind, V, d, H, layers, dtype=np.float32)
    try:
        state = load((run / "model.safetensors").read_bytes())
    except (SafetensorError, ValueError) as exc:
        raise RnncastError(f"{run / 'model.safetensors'} is damaged: {str(exc).splitlines()[0]}") from None
    expected = {k: v.shape for k, v in model.state_dict().items()}
    got = {k: v.shape for k, v in state.items()}
    if expected != got:
        diff = sorted(set(expected.items()) ^ set(got.items()))
        raise RnncastError(f"{run / 'model.safetensors'} does not fit the model in config.json: {diff[0][0]} differs")
    model.load_state_dict(state)
    return model, vocab, config


def loss_png(result: lm.LMResult, unigram_h: float) -> bytes:
    """Training cross-entropy per step (and its running mean), validation points, the unigram level."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(result.losses) + 1)
    losses = np.asarray(result.losses)
    ax.plot(steps, losses, color="tab:blue", alpha=0.3, linewidth=0.8)
    k = max(1, len(losses) // 50)
    smooth = np.convolve(losses, np.ones(k) / k, mode="valid")  # running mean over k steps
    ax.plot(steps[k - 1:], smooth, color="tab:blue", label="training (running mean)")
    if result.val_points:
        vs, vh = zip(*result.val_points, strict=True)
        ax.plot(vs, vh, "o-", color="tab:orange", markersize=3, label="validation")
    ax.axhline(unigram_h, color="tab:gray", linestyle="--", label=f"unigram baseline ({unigram_h:.2f})")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()
