"""rnncast.text: the lecture's language-model form (Stanford CS224n) and its many-to-many tagger.

The lecture writes the RNN over words as::

    e_t = E x_t                                    x_t one-hot in R^|V|, E the embedding matrix
    h_t = sigma(W_h h_{t-1} + W_e e_t + b_1)       h_0 the initial state (here 0; sigma = tanh)
    y_t = softmax(U h_t + b_2) in R^|V|            the distribution of the next token

and names tagging each step (named-entity recognition) as its many-to-many example. Here:

    vocab.py      the character vocabulary (ids <-> characters), vocab.json
    corpus.py     reading UTF-8 text (clear errors for empty / binary / non-UTF-8), the validation
                  split, truncated-BPTT windows, the unigram baseline and perplexity
    torch_lm.py   CharLM: nn.Embedding -> nn.RNN/LSTM/GRU -> nn.Linear (the torch engine)
    lm.py         LMSpec, the training loop for both engines (numpy: rnncast.scratch.lm.ScratchLM)
    run.py        fit on a corpus, metrics against the unigram baseline, the run directory
    sample.py     one-to-many generation with temperature and a seed
    grammar.py    the generator of the bundled corpus (datasets/grammar_corpus.txt)
    conll.py      CoNLL files, entity-level precision/recall/F1, the most-frequent-tag baseline
    tagger.py     the (bidirectional) RNN tagger, torch engine
    cli.py        ``rnncast text train|sample`` and ``rnncast tag train|predict``

Python use::

    from rnncast.text import corpus, lm, run, sample
    spec = lm.LMSpec(kind="gru", iterations=500)
    model, vocab, result, metrics = run.fit_corpus(corpus.read_text("grammar_corpus"), spec)
    print(sample.sample(model, vocab, "Day 1", 200, temperature=0.8, seed=0))
"""
