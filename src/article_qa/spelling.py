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

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str] = ()):
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
