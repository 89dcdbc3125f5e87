"""``rnncast text`` and ``rnncast tag``: the lecture's language-model form and its many-to-many tagger.

    rnncast text train CORPUS.txt [--model rnn|lstm|gru] [--engine torch|numpy] [--seq-length 64] ...
    rnncast text sample RUN_DIR [--prime "Day 1"] [--length 500] [--temperature 0.8] [--seed 0]
    rnncast tag train DATA.conll [--model lstm] [--no-bidirectional] [--epochs 30] ...
    rnncast tag predict RUN_DIR INPUT [--out tagged.conll]

The main parser calls ``add_commands(sub, parser_class)`` and dispatches through ``COMMANDS``; a run
function returns 0, bad input raises RnncastError (exit 2). torch is imported only by the commands
that use it (``--engine numpy`` never imports it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnncast import atomic, outputs
from rnncast.errors import RnncastError
from rnncast.outputs import CONLL_MARKER
from rnncast.specs import MODEL_KINDS
from rnncast.training.engines import ENGINES
from rnncast.training.progress import add_options as add_progress_options
from rnncast.training.progress import wanted as progress_wanted


def _source_path(source: str, suffixes: tuple[str, ...]) -> str | None:
    """The file a text or CoNLL source names (a bundled name resolves to the package's file)."""
    from rnncast.text.corpus import resolve

    try:
        return str(resolve(str(source), suffixes=suffixes))
    except RnncastError:
        return None  # reported when the source is read


def add_commands(sub, parser_class=argparse.ArgumentParser) -> None:
    """Add ``text {train,sample}`` and ``tag {train,predict}`` to the subparsers object ``sub``."""
    _add_text(sub, parser_class)
    _add_tag(sub, parser_class)


def _add_text(sub, parser_class) -> None:
    text = sub.add_parser("text", help="character language model: train on any UTF-8 text, sample from it",
                          description="A character-level RNN language model (the lecture's CS224n form: "
                                      "e_t = E x_t, h_t = f(W_h h_{t-1} + W_e e_t + b_1), "
                                      "y_t = softmax(U h_t + b_2)).")
    what = text.add_subparsers(dest="what", required=True, parser_class=parser_class)
    tr = what.add_parser("train", help="train on a UTF-8 text file (or the bundled grammar_corpus)")
    tr.add_argument("corpus", help="a UTF-8 text file, or a bundled text name (grammar_corpus)")
    tr.add_argument("--model", choices=MODEL_KINDS, default="lstm")
    tr.add_argument("--engine", choices=ENGINES, default="torch",
                    help="torch, or numpy (rnncast.scratch: the equations, BPTT by hand)")
    tr.add_argument("--seq-length", type=int, default=64, help="BPTT window: characters per training window")
    tr.add_argument("--embed-size", type=int, default=32)
    tr.add_argument("--hidden-size", type=int, default=128)
    tr.add_argument("--num-layers", type=int, default=1)
    tr.add_argument("--batch-size", type=int, default=32, help="windows per step (default 32)")
    tr.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 0.003)")
    tr.add_argument("--clip", type=float, default=5.0, help="clip the gradient's global norm (0: no clipping)")
    tr.add_argument("--iterations", type=int, default=1000, help="training steps (default 1000)")
    tr.add_argument("--budget", type=float, help="stop after this many seconds of training (wall clock)")
    tr.add_argument("--eval-every", type=int, default=100, help="validation check every N steps (default 100)")
    tr.add_argument("--val-size", type=float, default=0.1, help="last fraction of the text for validation")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--out", help="run directory (default runs/text-<corpus>-<model>)")
    tr.add_argument("--force", action="store_true", help="also replace an rnncast run of another kind")
    add_progress_options(tr)

    sa = what.add_parser("sample", help="generate text with a trained run (one-to-many)")
    sa.add_argument("run_dir")
    sa.add_argument("--prime", help="text to start from (default: the corpus's first character)")
    sa.add_argument("--length", type=int, default=500, help="characters to generate (default 500)")
    sa.add_argument("--temperature", type=float, default=1.0, help="below 1: safer, above 1: wilder, 0: greedy")
    sa.add_argument("--seed", type=int, default=0, help="the same seed gives the same text")
    sa.add_argument("--engine", choices=ENGINES, help="default: the engine that trained the run")


def _add_tag(sub, parser_class) -> None:
    tag = sub.add_parser("tag", help="per-token tagger (named-entity recognition) on CoNLL files",
                         description="A many-to-many RNN tagger: one tag per token, trained on CoNLL-style files "
                                     "(token, tag; a blank line between sentences; BIO tags).")
    what = tag.add_subparsers(dest="what", required=True, parser_class=parser_class)
    tt = what.add_parser("train", help="train on a CoNLL file, score against the most-frequent-tag baseline")
    tt.add_argument("data", help="a CoNLL file, or the bundled tags_sample")
    tt.add_argument("--model", choices=MODEL_KINDS, default="lstm")
    tt.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=True,
                    help="read each sentence both ways (default: yes)")
    tt.add_argument("--embed-size", type=int, default=32)
    tt.add_argument("--hidden-size", type=int, default=64)
    tt.add_argument("--num-layers", type=int, default=1)
    tt.add_argument("--epochs", type=int, default=30)
    tt.add_argument("--batch-size", type=int, default=8)
    tt.add_argument("--lr", type=float, default=0.01)
    tt.add_argument("--clip", type=float, default=5.0, help="clip the gradient's global norm (0: no clipping)")
    tt.add_argument("--word-dropout", type=float, default=0.2, help="chance a training token is shown as <unk>")
    tt.add_argument("--test-size", type=float, default=0.2, help="fraction of sentences held out (seeded)")
    tt.add_argument("--test", help="score on this CoNLL file instead of holding sentences out")
    tt.add_argument("--seed", type=int, default=0)
    tt.add_argument("--out", help="run directory (default runs/tag-<data>-<model>)")
    tt.add_argument("--force", action="store_true", help="also replace an rnncast run of another kind")
    add_progress_options(tt)

    tp = what.add_parser("predict", help="tag a CoNLL file (token column; with gold tags it is scored too)")
    tp.add_argument("run_dir")
    tp.add_argument("input", help="CoNLL file: a token per line (optionally its gold tag), blank line between "
                                  "sentences")
    tp.add_argument("--out", help="write the tagged file here (default: stdout; replaces only a file rnncast"
                                  " tagged)")


def run_text(args) -> int:
    return {"train": _text_train, "sample": _text_sample}[args.what](args)


def run_tag(args) -> int:
    return {"train": _tag_train, "predict": _tag_predict}[args.what](args)


COMMANDS = {"text": run_text, "tag": run_tag}


def _text_train(args) -> int:
    from rnncast.text import corpus
    from rnncast.text.lm import LMSpec
    from rnncast.text.run import config_for, fit_corpus, write_run
    from rnncast.text.sample import sample

    spec = LMSpec(kind=args.model, embed_size=args.embed_size, hidden_size=args.hidden_size,
                  num_layers=args.num_layers, seq_length=args.seq_length, batch_size=args.batch_size, lr=args.lr,
                  clip=args.clip or None, iterations=args.iterations, budget=args.budget, eval_every=args.eval_every,
                  val_size=args.val_size, seed=args.seed, engine=args.engine).check()
    out = Path(args.out or f"runs/text-{Path(str(args.corpus)).stem}-{args.model}")
    inputs = [_source_path(args.corpus, (".txt",))]
    atomic.check_target(out, outputs.TEXT_RUN, inputs, args.force)
    text = corpus.read_text(args.corpus)
    if not args.quiet:
        print(f"training a character {args.model} ({args.engine}) on {args.corpus} ({len(text)} characters)",
              file=sys.stderr)
    model, vocab, result, metrics = fit_corpus(text, spec, progress=progress_wanted(args))
    prime = text[0]
    continuation = sample(model, vocab, prime, 200, temperature=0.8, seed=args.seed)
    write_run(out, model, vocab, config_for(spec, vocab, args.corpus, text), metrics, result, prime + continuation,
              inputs, args.force)
    print(format_lm_metrics(metrics))
    print(f"\nsample (temperature 0.8):\n{prime + continuation}\n")
    print(f"run written to {out}/ (vocab.json, config.json, model.safetensors, metrics.json, loss.png, sample.txt)")
    return 0


def format_lm_metrics(m: dict) -> str:
    rows = [("train", m["train"]), ("validation", m["validation"]), ("unigram baseline", m["unigram"])]
    lines = [f"{'':<18}{'cross-entropy':>14}{'perplexity':>12}{'bits/char':>11}"]
    for name, s in rows:
        if s is not None:
            lines.append(f"{name:<18}{s['cross_entropy']:>14.4f}{s['perplexity']:>12.3f}{s['bits_per_char']:>11.3f}")
    scored = m["validation"] or m["train"]
    verdict = "beats" if m["beats_unigram"] else "does NOT beat"
    lines.append(f"\nthe {m['model']} {verdict} the unigram baseline on the {m['unigram_scored_on']} text "
                 f"(perplexity {scored['perplexity']:.2f} vs {m['unigram']['perplexity']:.2f}); "
                 f"{m['steps']} steps in {m['train_seconds']:.1f} s, {m['chars_per_second']:,.0f} characters/s"
                 + (f", weights of step {m['best_step']} kept" if m["best_step"] else ""))
    return "\n".join(lines)


def _text_sample(args) -> int:
    from rnncast.text.run import load_run
    from rnncast.text.sample import sample

    model, vocab, config = load_run(args.run_dir, engine=args.engine)
    prime = args.prime if args.prime is not None else config.get("default_prime") or vocab.chars[0]
    text = sample(model, vocab, prime, args.length, temperature=args.temperature, seed=args.seed)
    sys.stdout.write(prime + text + ("" if text.endswith("\n") else "\n"))
    return 0


def _tag_train(args) -> int:
    from rnncast.text.conll import check_known_tags, format_conll, read_conll
    from rnncast.text.tagger import TagSpec, split, train_and_evaluate

    spec = TagSpec(kind=args.model, bidirectional=args.bidirectional, embed_size=args.embed_size,
                   hidden_size=args.hidden_size, num_layers=args.num_layers, epochs=args.epochs,
                   batch_size=args.batch_size, lr=args.lr, clip=args.clip or None, word_dropout=args.word_dropout,
                   test_size=0.0 if args.test else args.test_size, seed=args.seed).check()
    out = Path(args.out or f"runs/tag-{Path(str(args.data)).stem}-{args.model}")
    inputs = [_source_path(args.data, (".conll",)), args.test]
    atomic.check_target(out, outputs.TAGGER_RUN, inputs, args.force)
    sentences = read_conll(args.data)
    if args.test:
        train, test = sentences, read_conll(args.test)
        check_known_tags(test, {t for s in train for t in s.tags}, args.test)
    else:
        train, test = split(sentences, spec.test_size, spec.seed)
    if not args.quiet:
        print(f"training a {'bidirectional ' if spec.bidirectional else ''}{args.model} tagger on {args.data} "
              f"({len(train)} sentences; {len(test)} held out)", file=sys.stderr)
    tagger, metrics, pred = train_and_evaluate(train, test, spec, progress=progress_wanted(args))
    files = {}
    if test:
        files["test_predictions.conll"] = format_conll([s.tokens for s in test], [s.tags for s in test], pred)
    tagger.save(out, metrics, {"data": str(args.data), "test": args.test}, files, inputs, args.force)
    if metrics["test"] is None:
        print("no sentences held out (--test-size 0): nothing to score")
    else:
        print(format_tag_metrics(metrics["test"], f"{len(test)} test sentences"))
    print(f"\nrun written to {out}/ (vocab.json, config.json, model.safetensors, metrics.json"
          + (", test_predictions.conll)" if test else ")"))
    return 0


def format_tag_metrics(test: dict, what: str) -> str:
    lines = [f"{what}, {test['tagger']['tokens']} tokens", f"{'':<20}{'token acc':>10}{'precision':>11}"
             f"{'recall':>8}{'F1':>8}"]
    for name, s in [("tagger", test["tagger"]), ("most frequent tag", test.get("most_frequent_tag"))]:
        if s is not None:
            lines.append(f"{name:<20}{s['token_accuracy']:>10.3f}{s['precision']:>11.3f}{s['recall']:>8.3f}"
                         f"{s['f1']:>8.3f}")
    lines.append("(precision, recall, F1: whole entities, type and both ends exact)")
    return "\n".join(lines)


def _tag_predict(args) -> int:
    from rnncast.text.conll import format_conll, read_conll, scores
    from rnncast.text.tagger import Tagger

    inputs = [args.run_dir, _source_path(args.input, (".conll",))]
    if args.out:
        atomic.check_target(args.out, outputs.TAGGED_CONLL, inputs)
    tagger = Tagger.load(args.run_dir)
    sentences = read_conll(args.input, need_tags=None)
    gold = sentences[0].tags is not None
    if gold:
        tagger.check_tags(sentences, args.input)
    pred = tagger.predict([s.tokens for s in sentences])
    columns = ([s.tags for s in sentences], pred) if gold else (pred,)
    text = format_conll([s.tokens for s in sentences], *columns)
    if args.out:  # the first line marks the file as rnncast's (CoNLL readers skip -DOCSTART- lines)
        atomic.write_text_file(args.out, f"{CONLL_MARKER}\n\n{text}", outputs.TAGGED_CONLL, inputs)
        layout = " (token, gold, predicted)" if gold else " (token, predicted)"
        print(f"tagged {len(sentences)} sentences; written to {args.out}{layout}")
    else:
        sys.stdout.write(text)
    if gold:
        result = scores([s.tags for s in sentences], pred)
        report = format_tag_metrics({"tagger": result}, f"{len(sentences)} sentences")
        print(report, file=sys.stdout if args.out else sys.stderr)
    return 0
