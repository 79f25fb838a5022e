"""A vocabulary bridge between the article's wording and the words readers use.

The rules are data, kept beside the article as ``corpus/synonyms.solr`` in the Solr/Elasticsearch
synonym format:

    # a comment
    despair => depression             explicit mapping: the corpus says "despair" where it means "depression"
    p.c => percent
    hypertension, high blood pressure equivalence: every term stands for the first one

Explicit mappings describe the corpus: they rewrite passages at index time only, so that a rule
``remedy => therapy`` never turns a reader's "therapy" into something else. Equivalence groups are
true synonyms and rewrite both passages and questions to the group's first term. Matching is whole
word (or whole phrase), case-insensitive, longest first, in one pass: a replacement is never
rewritten again.

The rewritten text is only ever fed to the model and the lexical scorer; the passages cited to readers
stay verbatim. This module does no embedding or scoring.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

SYNONYMS_FILE = "synonyms.solr"


class VocabularyError(ValueError):
    """A synonyms file line that cannot be read."""


@dataclass(frozen=True)
class Vocabulary:
    """Rewrite rules: `corpus_rules` for passages, `query_rules` for both passages and questions."""

    corpus_rules: tuple[tuple[str, str], ...] = ()
    query_rules: tuple[tuple[str, str], ...] = ()
    sha256: str | None = None
    _patterns: dict = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.corpus_rules or self.query_rules)

    def _compiled(self, which: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        if which not in self._patterns:
            rules = dict(self.query_rules)
            if which == "corpus":
                rules.update(self.corpus_rules)
            if not rules:
                self._patterns[which] = (None, {})
            else:
                terms = sorted(rules, key=len, reverse=True)
                alternation = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms)
                pattern = re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])", re.IGNORECASE)
                self._patterns[which] = (pattern, {_key(t): r for t, r in rules.items()})
        return self._patterns[which]

    def rewrite_passage(self, text: str) -> str:
        """The passage in plain words (explicit mappings and equivalence groups).

        >>> Vocabulary((("despair", "depression"),)).rewrite_passage("Ache and Despair")
        'Ache and depression'
        """
        return self._rewrite(text, "corpus")

    def rewrite_query(self, text: str) -> str:
        """The question with equivalence groups folded to their first term."""
        return self._rewrite(text, "query")

    def _rewrite(self, text: str, which: str) -> str:
        pattern, table = self._compiled(which)
        if pattern is None:
            return text
        return pattern.sub(lambda m: table[_key(m.group(0))], text)


def _key(term: str) -> str:
    return " ".join(term.lower().split())


def parse_synonyms(text: str) -> Vocabulary:
    """Read Solr-format synonym rules.

    >>> v = parse_synonyms("a, b => c\\nx, y")
    >>> v.corpus_rules, v.query_rules
    ((('a', 'c'), ('b', 'c')), (('y', 'x'),))
    """
    corpus: dict[str, str] = {}
    query: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if "=>" in line:
            left, _, right = line.partition("=>")
            sources = [_key(t) for t in left.split(",") if t.strip()]
            targets = [t.strip() for t in right.split(",") if t.strip()]
            if not sources or not targets or "=>" in right:
                raise VocabularyError(f"synonyms line {lineno}: expected 'a, b => c', got {raw!r}")
            for s in sources:
                corpus[s] = " ".join(targets)
        else:
            terms = [t.strip() for t in line.split(",") if t.strip()]
            if len(terms) < 2:
                raise VocabularyError(f"synonyms line {lineno}: a group needs two or more terms: {raw!r}")
            for t in terms[1:]:
                query[_key(t)] = terms[0]
    return Vocabulary(
        corpus_rules=tuple(corpus.items()),
        query_rules=tuple(query.items()),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_vocabulary(corpus_dir: str | Path) -> Vocabulary:
    """The corpus folder's synonyms file, or an empty vocabulary when there is none."""
    path = Path(corpus_dir) / SYNONYMS_FILE
    if not path.is_file():
        return Vocabulary()
    try:
        return parse_synonyms(path.read_text("utf-8"))
    except VocabularyError as exc:
        raise VocabularyError(f"{path}: {exc}") from None
