"""A small probabilistic grammar that writes the bundled corpus, ``datasets/grammar_corpus.txt``.

    python -m rnncast.text.grammar --chars 100000 --seed 0 --out src/rnncast/datasets/grammar_corpus.txt

Text from elsewhere may not be bundled, so rnncast writes its own: a village chronicle, one
paragraph per day. It has structure a character model can learn at several distances:

    spelling        a fixed lexicon of words and invented names
    agreement       singular subjects take "-s" verbs, plural subjects do not, also across a
                    relative clause ("the fox that the dogs chase sleeps")
    pairing         quotes and brackets always close; speech ends with ',"' then "said NAME."
    counting        "Day N." headers count up by one; "k and m make k+m." sums are right;
                    "NAME counted three geese: one, two, three." lists as long as the number says
    layout          a capital after ". ", a blank line between days

Rules (S sentence, NP noun phrase; sg/pl number; [x] optional)::

    DAY      -> "Day N." WEATHER S+ "\n\n"
    S        -> NP_n VP_n "." | '"' NP_n VP_n ',"' "said" NAME "." | COUNT | SUM | S_a ", and" S_b
    NP_n     -> "the" [ADJ] NOUN_n [PP] ["that" NP_m VERB_m] | NAME (n = sg)
    VP_n     -> VERB_n [PP] ["(" ADV ")"]
    PP       -> PREP "the" [ADJ] PLACE
"""

from __future__ import annotations

import argparse
import random
import sys

NAMES = ["Ada", "Bruno", "Cleo", "Dmitri", "Esme", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Leo"]
NOUNS = {"fox": "foxes", "goose": "geese", "miller": "millers", "child": "children", "baker": "bakers",
         "dog": "dogs", "sheep": "sheep", "cat": "cats", "farmer": "farmers", "owl": "owls"}
VERBS = {"sleeps": "sleep", "sings": "sing", "waits": "wait", "wanders": "wander", "hides": "hide",
         "rests": "rest", "works": "work", "dances": "dance"}
TRANSITIVE = {"chases": "chase", "watches": "watch", "feeds": "feed", "follows": "follow", "greets": "greet"}
ADJS = ["old", "small", "quiet", "grey", "clever", "tired", "young", "brave"]
PLACES = ["bridge", "mill", "river", "market", "barn", "hill", "well", "orchard"]
PREPS = ["near", "under", "behind", "beside", "across", "past"]
ADVS = ["slowly", "again", "at noon", "all day", "for once", "as usual"]
WEATHER = ["It rained.", "The sun was out.", "Fog lay on the fields.", "The wind was cold.", "It snowed a little."]
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


class Chronicle:
    def __init__(self, seed: int = 0):
        self.r = random.Random(seed)

    def maybe(self, p: float) -> bool:
        return self.r.random() < p

    def place(self) -> str:
        adj = f"{self.r.choice(ADJS)} " if self.maybe(0.3) else ""
        return f"{self.r.choice(PREPS)} the {adj}{self.r.choice(PLACES)}"

    def np(self, plural: bool, depth: int = 0) -> str:
        if not plural and self.maybe(0.25):
            return self.r.choice(NAMES)
        sg = self.r.choice(list(NOUNS))
        words = ["the"] + ([self.r.choice(ADJS)] if self.maybe(0.4) else []) + [NOUNS[sg] if plural else sg]
        if depth == 0 and self.maybe(0.25):  # relative clause: "that the dogs chase" (its own agreement)
            inner_plural = self.maybe(0.5)
            verb = self.r.choice(list(TRANSITIVE))
            words += ["that", self.np(inner_plural, depth + 1), TRANSITIVE[verb] if inner_plural else verb]
        return " ".join(words)

    def vp(self, plural: bool) -> str:
        if self.maybe(0.35):
            verb = self.r.choice(list(TRANSITIVE))
            words = [TRANSITIVE[verb] if plural else verb, self.np(self.maybe(0.5), depth=1)]
        else:
            verb = self.r.choice(list(VERBS))
            words = [VERBS[verb] if plural else verb]
        if self.maybe(0.5):
            words.append(self.place())
        if self.maybe(0.15):
            words.append(f"({self.r.choice(ADVS)})")
        return " ".join(words)

    def clause(self) -> str:
        plural = self.maybe(0.45)
        return f"{self.np(plural)} {self.vp(plural)}"

    def sentence(self) -> str:
        kind = self.r.random()
        if kind < 0.45:
            return cap(self.clause()) + "."
        if kind < 0.6:
            return f"{cap(self.clause())}, and {self.clause()}."
        if kind < 0.75:
            return f'"{cap(self.clause())}," said {self.r.choice(NAMES)}.'
        if kind < 0.87:
            k = self.r.randint(1, 6)
            noun = self.r.choice(list(NOUNS))
            return (f"{self.r.choice(NAMES)} counted {NUMBERS[k]} {noun if k == 1 else NOUNS[noun]}: "
                    f"{', '.join(NUMBERS[1:k + 1])}.")
        a, b = self.r.randint(0, 9), self.r.randint(0, 9)
        return f"{a} and {b} make {a + b}."

    def day(self, n: int) -> str:
        sentences = [f"Day {n}.", self.r.choice(WEATHER)] + [self.sentence() for _ in range(self.r.randint(3, 7))]
        return " ".join(sentences) + "\n\n"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def generate(n_chars: int = 100_000, seed: int = 0) -> str:
    """Whole days of the chronicle until at least ``n_chars`` characters; the same text for the same seed."""
    writer, parts, size, n = Chronicle(seed), [], 0, 1
    while size < n_chars:
        parts.append(writer.day(n))
        size += len(parts[-1])
        n += 1
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnncast.text.grammar", description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000, help="at least this many characters (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write here (default: stdout)")
    args = parser.parse_args(argv)
    text = generate(args.chars, args.seed)
    if args.out:
        from rnncast import atomic, outputs

        atomic.write_text_file(args.out, text, outputs.TEXT)  # never over an existing file
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
