"""Does the best passage answer the question? Signals, their fitted combination, and what is missing.

Relevance ranking finds the passages nearest a question; it cannot tell an answer from a passage
that merely shares the question's words ("Can ketamine treat PTSD?" lands on the introduction). This
stage reads signals a reader would also use, for any article:

- `top_score`, `margin`: how strongly the first passage wins, and by how much over the second;
- `top_coverage`, `article_coverage`: the share of the question's terms (weighted by rarity) that the
  first passage, and the whole article (its title and section headings included), contain;
- `unmatched`: for the question's key words that the article never uses (neither the word nor a word
  containing it), how far the nearest token of the article is, as the model reads them: "price"
  still meets "cost", "PTSD" meets nothing;
- `weakest`: the key word the first passage matches worst (its best token cosine there).

A logistic regression (`Judge`) turns them into `confidence`, the estimated probability that the first
passage answers. Its parameters are fitted on development questions (`article-qa fit-answerability`)
and shipped as JSON beside this file, with the cut chosen for a false-abstention budget. The key words
the article never addresses are named (`Evidence.missing`), in the reader's own spelling.

Key words are the question's words less stop words, `LIGHT_WORDS` (words that carry the form of a
question rather than its subject: "kind", "way", "much") and `PEOPLE_WORDS` (the reader's own people:
"my brother", "my boss"). Nothing here ranks or generates text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .embedding import EncodedQuery
from .lexical import STOPWORDS, stem, tokenize
from .ranking import Ranking, RankingState, Scope, passage_products, question_options
from .spelling import one_edit

JUDGE_FILE = Path(__file__).with_name("answerability.json")
# A key word the article never uses whose nearest article token is at most this close is named as
# missing ("The article doesn't mention PTSD.").
MISSING_COSINE = 0.6
# An article with this many option entries or more lists options: an option it never writes is not in it.
OPTION_LIST = 3
# Above this many token vectors, a word's nearest article token is looked for among the best
# passages only (the whole matrix would cost more than the question).
ARTICLE_TOKEN_LIMIT = 200_000
# The score other articles' passages get when one article is asked (retrieval masks them with -2).
MASKED = -1.5
# Words that give a question its form, not its subject; general English, not any one article's.
LIGHT_WORDS = frozenset(
    """able according actually also always another anyone anything apart around away back bad based best better big
    bit come comes common compared compare different difference does done else enough even ever every
    everyone everything exactly example far get gets getting give given go goes going good got great
    happen happens hard help helps high however important kind kinds know known less like likely
    little long longer lot lots low made main make makes making many may maybe mean means might more
    most much need needs new next often old one ones part people person possible probably put quite
    rather real really right same say see seem seems show shows someone something sort still sure take
    taken takes thing things think time times tell try type types up use used uses using usually way
    ways well whether work works worse worst yes
    us myself yourself yourselves himself herself ourselves themselves mine ours theirs
    hi hello hey dear please thanks thank thx cheers regards
    although though perhaps towards toward unless despite whilst upon within without across anyway instead
    otherwise meanwhile besides etc therefore yet already currently today yesterday tomorrow tonight
    recently soon later earlier sometimes never""".split()
)
# (The last three lines: a chat message's greetings and thanks, and the joints and times of a sentence,
# "although", "perhaps", "today": how a reader writes, never a subject an article lacks.)
# The people of a reader's own life ("my brother", "our cousin", "my boss"): who the asker is asking for
# or about, part of the situation rather than a subject an article would be missing.
PEOPLE_WORDS = frozenset(
    """brother sister sibling mother mum mom dad father parent son daughter wife wives husband spouse partner
    fiance fiancee boyfriend girlfriend grandmother grandfather grandparent grandson granddaughter grandchild
    grandchildren uncle aunt auntie nephew niece cousin stepson stepdaughter stepfather stepmother stepchild
    stepchildren friend neighbour neighbor boss colleague coworker flatmate roommate""".split()
)
FEATURES = ("top_score", "margin", "top_coverage", "article_coverage", "unmatched", "rare_unmatched", "weakest")
# Word-piece vocabularies built by frequency (WordPiece, as in MiniLM's) list whole words from the most
# common on: a word's id says how rare it is. Ids below this are special tokens and single characters.
COMMON_IDS = 2000


@dataclass(frozen=True)
class Word:
    """One word of the question as the model split it: its text and its rows among the question's
    content tokens."""

    text: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """The signals for one question, and the key words the article never addresses."""

    top_score: float
    margin: float
    top_coverage: float
    article_coverage: float
    unmatched: float
    rare_unmatched: float
    weakest: float
    missing: tuple[str, ...] = ()
    # Options the question names that an article listing options never writes ("-Q" of gzip's page).
    unlisted: tuple[str, ...] = ()

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in FEATURES], dtype=np.float64)


def question_words(encoded: EncodedQuery) -> list[Word]:
    """The question's words from its word pieces ("pts", "##d" -> "ptsd").

    >>> from .embedding import Tokens
    >>> q = EncodedQuery(np.zeros(2), Tokens(np.arange(3), np.zeros((3, 2))), ("pts", "##d", "help"))
    >>> [(w.text, w.rows) for w in question_words(q)]
    [('ptsd', (0, 1)), ('help', (2,))]
    """
    words: list[tuple[str, list[int]]] = []
    for row, piece in enumerate(encoded.pieces):
        if piece.startswith("##") and words:
            words[-1] = (words[-1][0] + piece[2:], [*words[-1][1], row])
        else:
            words.append((piece, [row]))
    return [Word(text, tuple(rows)) for text, rows in words]


def rarity(ids: list[int], vocabulary_size: int = 30522) -> float:
    """How rare a word is, from its word-piece ids: 1 for a word split into pieces (rarer than any
    whole word), else where its id falls between the common words and the end of the vocabulary.

    >>> rarity([1996]), round(rarity([5427]), 2), rarity([19637, 2094])
    (0.0, 0.37, 1.0)
    """
    if len(ids) != 1:
        return 1.0
    span = math.log(vocabulary_size) - math.log(COMMON_IDS)
    return min(1.0, max(0.0, (math.log(max(ids[0], 1)) - math.log(COMMON_IDS)) / span))


def is_key(word: str) -> bool:
    """A word that carries the question's subject: not a stop word, not a light word, not one of the
    reader's own people, not a lone letter.

    >>> [is_key(w) for w in ("ptsd", "kind", "the", "s", "48", "cousin")]
    [True, False, False, False, True, False]
    """
    if len(word) <= 1 or word in STOPWORDS or word in LIGHT_WORDS:
        return False
    stemmed = stem(word)
    return stemmed not in LIGHT_WORDS and stemmed not in PEOPLE_WORDS


# Where a question turns to a second thing it asks: "..., and how much does it cost?", "... for depression
# and for PTSD?", "...? Is it legal here?". Nouns joined by "and" ("alcohol and cocaine") are one part.
_SECOND_PART = re.compile(
    r",?\s+(?:and|or|but|plus)\s+(?=(?:how|what|which|who|whose|when|where|why|is|are|was|were|do|does|did|can|could"
    r"|should|would|will|has|have|for|about|with|in|on|to|at|by)\b)|\?\s+|;\s+"
    r"|,\s+(?=(?:how|what|which|who|when|where|why|is|are|does|do|did|can)\b)",
    re.I,
)


def unanswered_part(question: str, missing: list[str]) -> list[str]:
    """The words of a part of the question that the article lacks entirely, when another part is
    matched: the first passage may answer only the rest ("What are its side effects, and how much does
    it cost?" with "cost" missing). [] when no part is wholly missing, or no part is wholly present.
    Only the last sentence is read, so a situation told before the question is no part of it.

    >>> unanswered_part("What are the side effects, and how much does it cost?", ["cost"])
    ['cost']
    >>> unanswered_part("How many people were in the 96-person trial, and how often?", ["96"])
    []
    """
    gone = {m.lower() for m in missing}
    if not gone:
        return []
    asked = re.split(r"(?<=[.!])\s+", question.strip())[-1]
    keys = [[w for w in re.findall(r"\w+", part.lower()) if is_key(w)] for part in _SECOND_PART.split(asked)]
    lacking = [w for k in keys if k and all(w in gone for w in k) for w in k]
    held = any(k and not any(w in gone for w in k) for k in keys)
    return [m for m in missing if m.lower() in lacking] if held else []


def in_article(word: str, state: RankingState, scope: Scope | None = None) -> bool:
    """Whether the article uses the word (as a term after stemming, or inside a longer word: "nasal" in
    "intranasal"), or, for a word of five letters or more, one a letter away ("advise" for "advice": a
    typo or a variant, not a subject the article lacks); the article is `scope` when given, else the
    whole corpus."""
    if (stem(word) in scope.terms) if scope is not None else state.bm25.has(stem(word)):
        return True
    used = scope.words if scope is not None else state.words
    if len(word) >= 4 and word in _joined(used):  # inside one of the words: the newlines keep them apart
        return True
    if len(word) < 5 or not word.isalpha():
        return False
    by_start = _by_start(used)
    return any(one_edit(word, w) for n in (-1, 0, 1) for w in by_start.get((word[0], len(word) + n), ()))


@lru_cache(maxsize=16)
def _joined(used: frozenset[str]) -> str:
    """An article's words on lines of their own: one substring search finds a word inside any of them."""
    return "\n".join(used)


@lru_cache(maxsize=16)
def _by_start(used: frozenset[str]) -> dict[tuple[str, int], list[str]]:
    """An article's words by first letter and length: the words a letter away from one are among
    three of these lists (a frozenset keeps its hash, so an article's lists are made once)."""
    out: dict[tuple[str, int], list[str]] = {}
    for w in used:
        if w:
            out.setdefault((w[0], len(w)), []).append(w)
    return out


def gather(
    state: RankingState,
    question: str,
    query: str,
    encoded: EncodedQuery,
    ranking: Ranking,
    asked: str | None = None,
) -> Evidence:
    """The signals for a question already ranked: `question` as the reader wrote it, `query` as scored.
    When the message describes a situation before it asks, `asked` is the question part as scored: the
    words the signals weigh, and the words named missing, are its own, never the situation's ("my
    brother", "his doctor")."""
    order = ranking.best(2)
    top = int(order[0])
    scores = ranking.signal_scores  # before the phrase bonus: the scale the judge was fitted on
    top_score = float(scores[top])
    # No second passage (a one-passage article, or one asked alone): no margin to read, not a free one.
    # The bonus may have put first a passage the blend had second: then the two are near tied, no margin.
    second = float(scores[order[1]]) if len(order) > 1 else None
    margin = max(0.0, top_score - second) if second is not None and second > MASKED else 0.0
    scope = state.scope(state.passages[top].source)  # the first passage's article, never another's words
    terms = set(tokenize(asked if asked is not None else query))
    weights = {t: state.bm25.term_idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    top_coverage = sum(w for t, w in weights.items() if t in state.passage_terms[top]) / total
    article_coverage = sum(w for t, w in weights.items() if t in scope.terms) / total
    words = [w for w in question_words(encoded) if is_key(w.text)]
    if asked is not None:
        in_question = set(re.findall(r"\w+", asked.lower()))
        words = [w for w in words if w.text.lower() in in_question]
    unmatched, rare_unmatched, weakest, missing = 0.0, 0.0, 1.0, []
    if words and state.token_vectors is not None and len(encoded.tokens.ids):
        tokens = state.index.tokens
        assert tokens is not None
        a, b = tokens.offsets[top], tokens.offsets[top + 1]  # state.token_vectors may be float32 copies
        in_top = encoded.tokens.vectors @ np.asarray(state.token_vectors[a:b], dtype=np.float32).T
        absent = [w for w in words if not in_article(w.text, state, scope)]
        # The nearest article token is looked for only for the words the article never uses (most
        # questions have none): the cost follows those words, not the article's size.
        wanted = sorted({r for w in absent for r in w.rows})
        nearest = dict(zip(wanted, _nearest_in_article(state, encoded, ranking, scope, wanted).tolist(), strict=True))
        for w in words:
            rows = list(w.rows)
            weakest = min(weakest, float(in_top[rows].max()) if in_top.size else 0.0)
            if w in absent:
                best = max(nearest[r] for r in rows)
                unmatched = max(unmatched, 1.0 - best)
                rare_unmatched = max(rare_unmatched, (1.0 - best) * rarity(encoded.tokens.ids[rows].tolist()))
                if best <= MISSING_COSINE:
                    missing.append(w.text)
    elif words:  # no token vectors: words the article never uses count as wholly unmatched
        absent = [w.text for w in words if not in_article(w.text, state, scope)]
        unmatched = rare_unmatched = 1.0 if absent else 0.0
        weakest, missing = 0.0, absent
    spelled = tuple(_spelled(missing, question))
    named = sorted(question_options(asked if asked is not None else query))
    entries, written = state.options_of(state.passages[top].source) if named else (0, frozenset())
    # A long option may be given by a prefix of its name, as getopt takes it ("--rand" for "--random-sort").
    unlisted = tuple(
        o for o in named if o not in written and not (o.startswith("--") and any(w.startswith(o) for w in written))
    ) if entries >= OPTION_LIST else ()  # fmt: skip
    spelled = tuple(w for w in spelled if f"-{w}" not in unlisted and f"--{w}" not in unlisted)  # "--frobnicate" once
    evidence = (top_score, margin, top_coverage, article_coverage, unmatched, rare_unmatched, weakest)
    return Evidence(*evidence, missing=unlisted + spelled, unlisted=unlisted)


def _nearest_in_article(
    state: RankingState, encoded: EncodedQuery, ranking: Ranking, scope: Scope, rows: list[int] | None = None
) -> np.ndarray:
    """The best cosine among the article's tokens (among its best passages' tokens when the article
    holds more than `ARTICLE_TOKEN_LIMIT`) of each question token, or of the tokens in `rows`."""
    assert state.token_vectors is not None and state.index.tokens is not None
    q = encoded.tokens.vectors if rows is None else encoded.tokens.vectors[rows]
    if not len(q):
        return np.zeros(0, dtype=np.float32)
    if scope.whole and len(state.token_vectors) <= ARTICLE_TOKEN_LIMIT:
        return state.token_products(q).max(1)
    if scope.whole:
        passages = ranking.best(100)
    else:
        ranked = ranking.order[np.isin(ranking.order, scope.indices)]
        tokens = state.index.tokens.offsets[scope.indices + 1] - state.index.tokens.offsets[scope.indices]
        passages = scope.indices if tokens.sum() <= ARTICLE_TOKEN_LIMIT else ranked[:100]
    there = passage_products(q, state.token_vectors, state.index.tokens.offsets, passages)
    if not there.shape[1]:
        return np.zeros(len(q), dtype=np.float32)
    return there.max(1)


def _spelled(words: list[str], question: str) -> list[str]:
    """The words as the reader wrote them ("ptsd" -> "PTSD"), each once, in order."""
    out: list[str] = []
    for w in words:
        m = re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", question, re.IGNORECASE)
        spelled = m.group(0) if m else w
        if spelled.lower() not in (o.lower() for o in out):
            out.append(spelled)
    return out


@dataclass(frozen=True)
class Judge:
    """A fitted logistic regression over `FEATURES`: the probability that the first passage answers,
    and the cut below which the product says the article does not answer."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    notes: dict = field(default_factory=dict)  # what it was fitted on, and how it measured

    def probability(self, evidence: Evidence) -> float:
        x = (evidence.vector() - np.array(self.mean)) / np.array(self.scale)
        z = float(x @ np.array(self.weights)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def load(cls, path: str | Path = JUDGE_FILE) -> Judge:
        data = json.loads(Path(path).read_text("utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on features {data['features']}, this version reads {FEATURES}")
        return cls(
            tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]),
            float(data["bias"]), float(data["threshold"]), data.get("notes", {}),
        )  # fmt: skip

    def save(self, path: str | Path = JUDGE_FILE) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", "utf-8")


def fit(
    evidence: list[Evidence],
    labels: list[bool],
    answerable: list[bool],
    *,
    false_abstention: float = 0.02,
    l2: float = 1.0,
    notes: dict | None = None,
) -> Judge:
    """A `Judge` fitted by L2-regularised logistic regression (Newton's method) on `labels` (does the
    first passage answer?), its cut the highest that abstains on at most `false_abstention` of the
    `answerable` questions.

    >>> ev = [Evidence(s, 0, 0, 0, 0, 0, 0) for s in (0.1, 0.2, 0.8, 0.9)]
    >>> judge = fit(ev, [False, False, True, True], [False, False, True, True])
    >>> judge.probability(ev[0]) < 0.5 < judge.probability(ev[3])
    True
    """
    X = np.stack([e.vector() for e in evidence])
    y = np.asarray(labels, dtype=np.float64)
    mean, scale = X.mean(0), X.std(0)
    scale[scale == 0] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1 / (1 + np.exp(-Z @ w))
        gradient = Z.T @ (p - y) + penalty * w
        hessian = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    judge = Judge(FEATURES, tuple(mean), tuple(scale), tuple(w[:-1]), float(w[-1]), 0.0, notes or {})
    probabilities = np.array([judge.probability(e) for e in evidence])
    kept = np.sort(probabilities[np.asarray(answerable, dtype=bool)])
    allowed = min(math.floor(false_abstention * len(kept)), len(kept) - 1)  # answerable ones it may turn away
    threshold = float(kept[allowed]) if len(kept) else 0.5
    return Judge(FEATURES, tuple(mean), tuple(scale), tuple(w[:-1]), float(w[-1]), threshold, notes or {})
