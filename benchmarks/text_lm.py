"""Character language models on the bundled corpus: validation perplexity after a fixed training budget, and speed.

    .venv/bin/python benchmarks/text_lm.py                          # 60 s of training per model (torch)
    .venv/bin/python benchmarks/text_lm.py --budget 20 --numpy-budget 10 --torch-threads 1

Corpus: ``grammar_corpus`` (100,072 characters written by rnncast.text.grammar; the last 10% is the
validation text). For rnn, lstm and gru (embedding 32, hidden 128, one layer, windows of 64
characters, 32 windows per step, Adam lr 0.003, clipping 5, seed 0):

- torch: train until ``--budget`` seconds have been spent in training steps (the periodic validation
  checks, every 200 steps, are not counted), keep the weights with the best validation score, and
  report the validation cross-entropy and perplexity beside the unigram baseline's (add-one smoothed
  character frequencies of the training text, scored on the same validation characters);
- numpy (rnncast.scratch, float32): the same for ``--numpy-budget`` seconds (default: the same
  budget), so both engines' characters/s (predicted characters per second of training steps) and
  what each reaches in its budget can be compared.

The budget is wall-clock time of the training steps on this machine: the numbers depend on the
machine and its load (printed); torch runs with its default thread count unless ``--torch-threads``.
"""

import argparse
import os
import time

from _machine import describe

from rnncast.text import corpus
from rnncast.text.lm import LMSpec
from rnncast.text.run import fit_corpus


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of training per torch model")
    parser.add_argument("--numpy-budget", type=float, help="seconds per numpy model (default: --budget)")
    parser.add_argument("--kinds", nargs="+", default=["rnn", "lstm", "gru"], choices=["rnn", "lstm", "gru"])
    parser.add_argument("--engines", nargs="+", default=["torch", "numpy"], choices=["torch", "numpy"])
    parser.add_argument("--torch-threads", type=int, help="default: torch's own choice")
    parser.add_argument("--corpus", default="grammar_corpus")
    args = parser.parse_args(argv)
    import torch

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    text = corpus.read_text(args.corpus)
    print(describe())
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"corpus: {args.corpus}, {len(text):,} characters, {len(set(text))} distinct; last 10% for validation")
    print("model: embedding 32, hidden 128, 1 layer; windows of 64, 32 per step, Adam lr 0.003, clip 5, seed 0\n")
    header = (f"{'kind':<5} {'engine':<6} {'budget s':>8} {'steps':>6} {'chars/s':>9} {'train ppl':>10} "
              f"{'val ppl':>8} {'unigram ppl':>12} {'val bits/char':>14}")
    print(header)
    print("-" * len(header))
    for kind in args.kinds:
        for engine in args.engines:
            budget = args.budget if engine == "torch" else (args.numpy_budget or args.budget)
            spec = LMSpec(kind=kind, engine=engine, iterations=10**9, budget=budget, eval_every=200, seed=0)
            start = time.perf_counter()
            _, _, _, m = fit_corpus(text, spec)
            wall = time.perf_counter() - start
            print(f"{kind:<5} {engine:<6} {budget:>8.0f} {m['steps']:>6} {m['chars_per_second']:>9,.0f} "
                  f"{m['train']['perplexity']:>10.3f} {m['validation']['perplexity']:>8.3f} "
                  f"{m['unigram']['perplexity']:>12.3f} {m['validation']['bits_per_char']:>14.3f}"
                  f"   (wall {wall:.0f} s, best step {m['best_step']})", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
