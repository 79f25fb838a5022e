"""Okapi BM25 over passages: tokenising, a light English stemmer, and scoring.

It is rebuilt from the passages' texts whenever an index is loaded (it takes milliseconds for an
article and about a second for thousands of documents), so nothing of it is stored. Scores come back
for every document as one numpy array; the caller fuses them with the dense scores. No embedding here.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:[.'’][a-z0-9]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours article tell say
    says said""".split()
)


def stem(word: str) -> str:
    """A light suffix-stripping stemmer (plurals, -ing, -ed, -ly, -ment, -ness).

    >>> [stem(w) for w in ["studies", "infusions", "craving", "reported", "effects", "dose", "doses"]]
    ['study', 'infusion', 'crav', 'report', 'effect', 'dose', 'dose']
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ness", ""), ("ment", ""), ("ing", ""),
                         ("edly", ""), ("ly", ""), ("ed", ""), ("es", "e"), ("s", "")):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                return word[:-1]
            return word[: len(word) - len(suffix)] + repl
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stop words.

    >>> tokenize("Does ketamine help with cocaine addiction?")
    ['ketamine', 'help', 'cocaine', 'addiction']
    """
    return [stem(t) for t in _TOKEN.findall(text.lower().replace("’", "'")) if t not in STOPWORDS][:10_000]


def words(text: str) -> list[str]:
    """Lower-cased surface words, unstemmed (the speller's vocabulary).

    >>> words("Ketamine's 48 p.c")
    ["ketamine's", '48', 'p.c']
    """
    return _TOKEN.findall(text.lower().replace("’", "'"))


class Speller:
    """Corrects a reader's typo to a corpus word one edit away (insert, delete, replace, swap).

    Only words of five letters or more that are not known are touched, and only when a corpus word
    with the same first letter is exactly one edit away (the most frequent such word wins), so that
    ordinary words and names stay as they are ("France" does not become "trance"). `known` adds words
    that are never corrected but are not targets either (e.g. the synonyms file's terms).

    >>> Speller(["heroin", "ketamine", "alcohol", "trance"]).correct("ketamin for heorin, alchohol in France")
    'ketamine for heroin, alcohol in France'
    >>> Speller(["heroin"], known=["ideas"]).correct("an ideal dose")
    'an ideal dose'
    """

    LETTERS = "abcdefghijklmnopqrstuvwxyz"

    def __init__(self, vocabulary: list[str], known: list[str] = ()):
        self.counts = Counter(w for w in vocabulary if w.isalpha())
        self.known = set(known)

    def candidates(self, word: str) -> set[str]:
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in self.LETTERS}
        edits |= {a + c + b for a, b in splits for c in self.LETTERS}
        return {e for e in edits if e in self.counts}

    def fix(self, word: str) -> str:
        low = word.lower()
        if len(low) < 5 or not low.isalpha() or low in self.counts or low in self.known or low in STOPWORDS:
            return word
        found = {c for c in self.candidates(low) if c[0] == low[0]}
        return max(found, key=lambda w: (self.counts[w], w)) if found else word

    def correct(self, text: str) -> str:
        if not self.counts:
            return text
        return re.sub(r"[A-Za-z]+", lambda m: self.fix(m.group(0)), text)


class BM25:
    """BM25 scores of a query against every document (k1=1.2, b=0.75 by default)."""

    def __init__(self, documents: list[str], *, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n_docs = len(documents)
        docs = [Counter(tokenize(d)) for d in documents]
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        df: Counter[str] = Counter(t for d in docs for t in d)
        self.idf = {t: math.log(1 + (self.n_docs - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        norm = k1 * (1 - b + b * lengths / avg)
        # term -> (doc ids, partial scores) so a query touches only the documents holding its terms
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, d in enumerate(docs):
            for t, tf in d.items():
                ids, vals = postings.setdefault(t, ([], []))
                ids.append(i)
                vals.append(tf * (k1 + 1) / (tf + norm[i]))
        self.postings = {t: (np.array(ids), np.array(vals, dtype=np.float32) * self.idf[t])
                         for t, (ids, vals) in postings.items()}  # fmt: skip

    def scores(self, query: str) -> np.ndarray:
        """One score per document, 0 where no query term occurs."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in set(tokenize(query)):
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out
