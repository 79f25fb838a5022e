"""Typo correction for questions: a reader's misspelt word becomes the corpus word one edit away.

The targets are the words of the passages (rewritten into plain words) and the readers' side of the
synonyms file; the article's own odd words (what the explicit rules rewrite) are known, so they are
never changed, but never suggested either. Nothing here embeds or ranks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .lexical import STOPWORDS, words
from .vocabulary import Vocabulary


def one_edit(a: str, b: str) -> bool:
    """Whether two different words are one edit apart: a letter inserted, deleted or replaced, or two
    neighbouring letters swapped.

    >>> [one_edit("heorin", "heroin"), one_edit("alchohol", "alcohol"), one_edit("abxd", "aybd")]
    [True, True, False]
    """
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i, j = diffs if len(diffs) == 2 else (0, 0)
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


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

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str] = ()):
        self.counts = Counter(w for w in vocabulary if w.isalpha())
        self.known = set(known)
        # The corpus words by first letter and length: a word's candidates are looked for among those
        # of its own first letter and a length within one of its own, not among every edit of it.
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for w in self.counts:
            self._by_start.setdefault((w[0], len(w)), []).append(w)

    def candidates(self, word: str) -> set[str]:
        """The corpus words one edit (insert, delete, replace, swap of neighbours) from `word` that
        start with its letter."""
        return {
            w
            for n in (len(word) - 1, len(word), len(word) + 1)
            for w in self._by_start.get((word[:1], n), ())
            if w != word and one_edit(word, w)
        }

    def fix(self, word: str) -> str:
        low = word.lower()
        if len(low) < 5 or not low.isalpha() or low in self.counts or low in self.known or low in STOPWORDS:
            return word
        found = self.candidates(low)
        return max(found, key=lambda w: (self.counts[w], w)) if found else word

    def correct(self, text: str) -> str:
        if not self.counts:
            return text
        return re.sub(r"[A-Za-z]+", lambda m: self.fix(m.group(0)), text)


def speller_for(texts: Iterable[str], vocabulary: Vocabulary) -> Speller:
    """The speller of a corpus: `texts` are its passages as rewritten by `vocabulary`.

    >>> from .vocabulary import parse_synonyms
    >>> speller = speller_for(["Ketamine and alcohol"], parse_synonyms("habit => addiction\\ncost, price"))
    >>> speller.correct("prise of alchohol, a habbit")
    'price of alcohol, a habbit'
    """
    targets = [w for t in texts for w in words(t)]
    targets += [w for rule in vocabulary.query_rules for term in rule for w in words(term)]
    known = [w for rule in vocabulary.corpus_rules for term in rule for w in words(term)]
    return Speller(targets, known)
