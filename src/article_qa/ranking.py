"""Rank passages for a question: the query-time stage, as one pure function per step on numpy arrays.

`RankingState.prepare` derives, once per loaded index, what ranking reads: the passage and sentence
vectors, BM25 over the rewritten passages, each sentence's terms, the token matrix and its idf. Then,
for a question already corrected, rewritten and encoded (`retrieval` does that):

1. `dense_scores`: cosine of the question to each passage as embedded (with its context);
2. `best_sentence_scores`: each passage's best cosine among its own sentences, those that ask a
   question left out (`asking`: "But how do we set the threshold for the z-score?" is near a reader's
   question about z-scores and answers nothing); a passage that only asks keeps its passage score;
3. `lexical_coverage`: BM25 as a share of the best score the question's terms could reach;
4. `late_interaction`: each question token's best cosine among a passage's tokens, averaged with
   idf weights (ColBERT's MaxSim on the sentence model's own token vectors), over the best
   `token_candidates` passages of the first stage;
5. `blend`: the weighted mix that joins them (`RankSettings` holds the weights);
6. `phrase_bonus`: a small bonus to the best `PHRASE_CANDIDATES` passages for each pair of the
   question's adjacent terms they also hold side by side ("future work"), idf-weighted;
7. `with_options`: when the question names a command-line option ("what does gzip -k do"), the
   passages that are that option's entry ("-k --keep: Keep ...") gain `option_weight`;
8. `with_definition`: when the question asks what something is ("what is faiss"), the passages with
   a sentence that says what it is ("Faiss is a library for ...") gain `definition_weight`;
9. `mark_sentence`: the sentence of a passage to mark as the answer (not one that asks, when another
   does not).

`rank` chains 1-8 and returns every passage's score, and the scores before steps 6 to 8, which the
answerability signals read (they were fitted on them). `RankSettings` are query-time settings: changing
them never makes an index stale. Nothing here embeds, reads files or knows about `Hit`s.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np

from .embedding import EncodedQuery, session_options
from .index import PassageIndex
from .lexical import BM25, idf, tokenize, words
from .passages import Passage
from .spelling import Speller, speller_for
from .vocabulary import Vocabulary

# Weight of the question's rarer words in choosing the sentence to mark; the model's similarity breaks
# ties and decides when no word is shared. highlight@1 on the four question sets: 0.771 / 0.788 /
# 0.667 / 0.733 at 0.3, 0.844 / 0.848 / 0.750 / 0.783 at 2.0, no better above.
HIGHLIGHT_LEXICAL = 2.0
# Below this many passages each sentence's terms are kept at load; a larger corpus finds them per hit.
SENTENCE_TERMS_LIMIT = 200_000
# Token matrices up to this many rows are held as float32 (one matrix product); larger ones stay
# float16 and only the candidates' rows are converted per question.
FLOAT32_TOKENS = 100_000
APPROXIMATE_CANDIDATES = 1000  # passages an approximate (HNSW) index scores exactly
# Candidate token rows gathered and multiplied at a time: a float16 block and its float32 cast (3 MB)
# stay in the cache (1,024-3,072 measured alike; 8,192 and all at once slower).
PRODUCT_BLOCK = 2048
# A float32 token matrix up to this many rows is laid out once for ONNX Runtime's matrix kernels (a copy
# of its size: 48 MB at this limit); a larger one is multiplied as it is, without the copy.
PREPACK_ROWS = 32_768
# Passages of the blended ranking that the phrase bonus looks at (the rest cannot gain from it).
PHRASE_CANDIDATES = 30


@dataclass(frozen=True)
class RankSettings:
    """How passages are ranked for a question; query time only, never recorded in the index."""

    lexical_weight: float = 0.2  # share of BM25 coverage in the first-stage score
    sentence_weight: float = 0.5  # share of the best sentence in the dense score
    token_weight: float = 0.4  # share of late interaction in the final score
    token_candidates: int = 100  # first-stage passages given a late-interaction score
    phrase_weight: float = 0.05  # the most a passage gains for holding all the question's adjacent term pairs
    option_weight: float = 0.3  # what a passage gains for being the entry of an option the question names
    definition_weight: float = 0.15  # what a passage gains for saying what a "what is X" question asks X is
    spelling: bool = True  # correct a question's typos to corpus words one edit away
    answerability: bool = True  # judge whether the first passage answers (else: the score cut alone)
    # Calibrated on the development questions (eval/dev.jsonl): see the README's evaluation table.
    min_score: float = 0.22  # a hit must reach this score to be returned

    def __post_init__(self) -> None:
        for name in (
            "lexical_weight",
            "sentence_weight",
            "token_weight",
            "phrase_weight",
            "option_weight",
            "definition_weight",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")
        if self.token_candidates < 1:
            raise ValueError("token_candidates must be at least 1")


@dataclass(frozen=True)
class Scope:
    """One article of the corpus as the answerability signals read it: its passages, terms and words."""

    indices: np.ndarray  # its passages' positions
    terms: frozenset[str]  # its lexical terms (stemmed)
    words: frozenset[str]  # its surface words, as written and rewritten
    whole: bool  # whether it is the whole corpus


@dataclass
class RankingState:
    """What ranking reads, derived from a loaded index and its vocabulary (never stored)."""

    index: PassageIndex
    vocabulary: Vocabulary
    bm25: BM25
    vectors: np.ndarray  # (n, dim) passage vectors; empty for an approximate index (searched via FAISS)
    sentence_terms: list[frozenset[str]] = field(default_factory=list)  # lexical terms of each sentence
    token_vectors: np.ndarray | None = None  # the index's token vectors (float32 when small)
    token_idf: np.ndarray | None = None  # idf of every word-piece id, over the passages
    passage_terms: list[frozenset[str]] = field(default_factory=list)  # lexical terms of each passage
    words: frozenset[str] = frozenset()  # every surface word of the passages, as written and rewritten

    @classmethod
    def prepare(cls, index: PassageIndex, vocabulary: Vocabulary) -> RankingState:
        texts = [vocabulary.rewrite_passage(p.text) for p in index.passages]
        vectors = index.vectors.reconstruct_all() if index.vectors.kind == "flat" else np.zeros((0, 0), np.float32)
        terms = []
        if len(index.passages) <= SENTENCE_TERMS_LIMIT:
            terms = [
                frozenset(tokenize(vocabulary.rewrite_passage(s))) for p in index.passages for s in p.sentence_texts
            ]
        token_vectors = token_idf = None
        t = index.tokens
        if t is not None and len(t):
            token_vectors = t.vectors.astype(np.float32) if len(t) <= FLOAT32_TOKENS else t.vectors
            firsts = np.concatenate([np.unique(t.ids[a:b]) for a, b in zip(t.offsets[:-1], t.offsets[1:], strict=True)])
            df = np.bincount(firsts, minlength=int(t.ids.max()) + 1)
            token_idf = idf(len(index.passages), df)
        passage_terms = [frozenset(tokenize(t)) for t in texts]
        surface = frozenset(w for t in (*texts, *(p.text for p in index.passages)) for w in words(t))
        return cls(index, vocabulary, BM25(texts), vectors, terms, token_vectors, token_idf, passage_terms, surface)

    @property
    def passages(self) -> list[Passage]:
        return self.index.passages

    @cached_property
    def token_products(self) -> MatrixProducts:
        """`q @ token_vectors.T` over the whole token matrix, made on first use."""
        assert self.token_vectors is not None
        return MatrixProducts(self.token_vectors)

    @cached_property
    def _pairs(self) -> dict[int, frozenset[tuple[str, str]]]:
        return {}

    def passage_pairs(self, i: int) -> frozenset[tuple[str, str]]:
        """Passage `i`'s adjacent lexical term pairs (as rewritten, stemmed, stop words out), made on
        first use and kept: a question looks at a few dozen passages, not all of them."""
        pairs = self._pairs.get(i)
        if pairs is None:
            terms = tokenize(self.vocabulary.rewrite_passage(self.passages[i].text))
            pairs = self._pairs[i] = frozenset(itertools.pairwise(terms))
        return pairs

    @cached_property
    def defined_options(self) -> list[frozenset[str]]:
        """The command-line options each passage is the entry of (`entry_options`), made on first use."""
        return [entry_options(p.text) for p in self.passages]

    @cached_property
    def asking_sentences(self) -> np.ndarray:
        """Whether each sentence of the index, in `sentence_vectors` order, asks a question (`asking`)."""
        return np.array([asking(t) for p in self.passages for t in p.sentence_texts], dtype=bool)

    @cached_property
    def speller(self) -> Speller:
        """Typo correction toward the corpus's words, built on first use."""
        return speller_for((self.vocabulary.rewrite_passage(p.text) for p in self.passages), self.vocabulary)

    @cached_property
    def sentence_postings(self) -> dict[str, np.ndarray]:
        """For each lexical term, the sentences that hold it (from `sentence_terms`), built on first use:
        a question's shared idf for every sentence is then a few array additions."""
        found: dict[str, list[int]] = {}
        for i, held in enumerate(self.sentence_terms):
            for term in held:
                found.setdefault(term, []).append(i)
        return {term: np.array(ids, dtype=np.int64) for term, ids in found.items()}

    def scope(self, source: str) -> Scope:
        """The article in corpus file `source`: what "in the article" means for a question it is asked
        (another article's words never count), built once per article."""
        cache = self.__dict__.setdefault("_scopes", {})
        if source not in cache:
            indices = np.array([i for i, p in enumerate(self.passages) if p.source == source], dtype=np.int64)
            whole = len(indices) == len(self.passages)
            texts = [p.text for p in (self.passages[i] for i in indices)]
            surface = self.words if whole else frozenset(
                w for t in texts for w in (*words(t), *words(self.vocabulary.rewrite_passage(t)))
            )  # fmt: skip
            terms = frozenset().union(*(self.passage_terms[i] for i in indices)) if len(indices) else frozenset()
            # Its title and section headings are the article's words too ("the conclusion" of a paper
            # whose "6 Conclusion" names its last section).
            heads = {h for i in indices for h in (self.passages[i].section, self.passages[i].title) if h}
            rewritten = [self.vocabulary.rewrite_passage(h) for h in heads]
            terms |= frozenset(t for h in rewritten for t in tokenize(h))
            surface |= frozenset(w for h in (*heads, *rewritten) for w in words(h))
            cache[source] = Scope(indices, terms, surface, whole)
        return cache[source]

    def options_of(self, source: str) -> tuple[int, frozenset[str]]:
        """The article in corpus file `source` as a list of options: how many of its passages are an
        option's entry, and every option its text names, as written (case counts)."""
        cache = self.__dict__.setdefault("_options", {})
        if source not in cache:
            indices = self.scope(source).indices.tolist()
            entries = sum(bool(self.defined_options[i]) for i in indices)
            written = frozenset().union(*(question_options(self.passages[i].text) for i in indices))
            cache[source] = (entries, written)
        return cache[source]

    def query_text(self, question: str, spelling: bool = True) -> str:
        """The question as it is scored: typos corrected (with `spelling`), synonym groups folded."""
        return self.vocabulary.rewrite_query(self.speller.correct(question) if spelling else question)


@dataclass(frozen=True)
class Ranking:
    """Every passage's fused score, and every sentence's cosine to the question (for the highlight)."""

    scores: np.ndarray  # (n_passages,) float32
    sentence_scores: np.ndarray  # (n_sentences,) float32; empty without sentence vectors
    judged: np.ndarray | None = None  # the scores before the phrase bonus, when it changed any

    @property
    def signal_scores(self) -> np.ndarray:
        """The scores the answerability signals read: those before the phrase bonus, on the scale the
        judge was fitted on."""
        return self.scores if self.judged is None else self.judged

    @cached_property
    def order(self) -> np.ndarray:
        """Passage indices, best first (ties keep passage order); sorted once for every reader."""
        return np.argsort(-self.scores, kind="stable")

    def best(self, k: int) -> np.ndarray:
        """`order[:k]`, without sorting every passage when k is a small part of them (a ranked list of
        100 out of SciFact's 5,183): the k best are picked, then sorted, ties in passage order.

        >>> Ranking(np.array([0.1, 0.5, 0.5, 0.9, 0.5], np.float32), np.zeros(0)).best(3).tolist()
        [3, 1, 2]
        """
        n = len(self.scores)
        if "order" in self.__dict__ or k * 4 >= n:
            return self.order[:k]
        if k <= 0:
            return np.zeros(0, dtype=np.intp)
        s = self.scores
        kth = s[np.argpartition(-s, k - 1)[:k]].min()
        above = np.flatnonzero(s > kth)
        picked = np.concatenate([above, np.flatnonzero(s == kth)[: k - len(above)]])
        return picked[np.argsort(-s[picked], kind="stable")]


# ----- the stages ------------------------------------------------------------------------------
def dense_scores(vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine of unit vector `q` to each unit row of `vectors`.

    >>> dense_scores(np.array([[1.0, 0.0], [0.6, 0.8]], np.float32), np.array([0.6, 0.8], np.float32)).round(2)
    array([0.6, 1. ], dtype=float32)
    """
    return vectors @ q


def best_sentence_scores(
    sentence_scores: np.ndarray, offsets: np.ndarray, fallback: np.ndarray, skip: np.ndarray | None = None
) -> np.ndarray:
    """Each passage's best sentence score; `offsets[i]:offsets[i + 1]` are passage i's sentences, and a
    passage without sentences keeps its `fallback` score. Sentences marked in `skip` do not count: a
    passage whose every sentence is skipped keeps its `fallback` score too.

    >>> best_sentence_scores(np.array([0.1, 0.5, 0.3]), np.array([0, 2, 2, 3]), np.array([9.0, 8.0, 7.0]))
    array([0.5, 8. , 0.3])
    >>> skip = np.array([False, True, True])
    >>> best_sentence_scores(np.array([0.1, 0.5, 0.3]), np.array([0, 2, 2, 3]), np.array([9.0, 8.0, 7.0]), skip)
    array([0.1, 8. , 7. ])
    """
    if len(sentence_scores) == 0:
        return fallback
    starts = np.minimum(offsets[:-1], len(sentence_scores) - 1)
    has = offsets[1:] > offsets[:-1]
    if skip is not None and skip.any():
        sentence_scores = np.where(skip, -np.inf, sentence_scores)
        has &= np.add.reduceat((~skip).astype(np.int64), starts) > 0
    maxes = np.maximum.reduceat(sentence_scores, starts)
    return np.where(has, maxes, fallback)


# A sentence that asks: it ends with a question mark, before any closing quote or bracket.
_ASKING = re.compile(r"[?\uff1f][\"'\u201d\u2019)\]]*\s*\Z")


def asking(sentence: str) -> bool:
    """Whether a sentence asks a question.

    >>> asking("Is a z-score of 3 an anomaly?"), asking('He asked "why?" '), asking("It is. (Why?)")
    (True, True, True)
    >>> asking("What about 2, or 1? Neither."), asking("The value is 6.")
    (False, False)
    """
    return bool(_ASKING.search(sentence))


def lexical_coverage(bm25_scores: np.ndarray, best_possible: float) -> np.ndarray:
    """BM25 as a share (0 to 1) of the best score the question's terms could reach (`BM25.best_score`).

    >>> lexical_coverage(np.array([0.0, 1.0, 3.0], np.float32), 2.0)
    array([0. , 0.5, 1. ], dtype=float32)
    """
    coverage = bm25_scores / best_possible if best_possible > 0 else bm25_scores
    return np.clip(coverage, 0, 1)


def token_weights(ids: np.ndarray, token_idf: np.ndarray, n_docs: int) -> np.ndarray:
    """The question tokens' weights in late interaction: their idf over the passages, summing to 1; a
    word piece no passage has counts as the rarest.

    >>> token_weights(np.array([0, 5]), np.array([1.0, 3.0]), 10).round(3)
    array([0.244, 0.756], dtype=float32)
    """
    unseen = float(idf(n_docs, 0))
    weights = np.where(ids < len(token_idf), token_idf[np.minimum(ids, len(token_idf) - 1)], unseen)
    return (weights / weights.sum()).astype(np.float32)


def _gemm_model(half: bool, dim: int | None = None, constant: bool = False) -> bytes:
    """An ONNX graph `s = q @ t.T` (Gemm), `t` float16 rows it casts first when `half`; with `constant`,
    `t` is a placeholder constant that a session replaces with its own matrix (`add_initializer`)."""
    from onnx import TensorProto, helper, numpy_helper

    kind = TensorProto.FLOAT16 if half else TensorProto.FLOAT
    cast = [helper.make_node("Cast", ["t"], ["t32"], to=TensorProto.FLOAT)] if half else []
    rows = [] if constant else [helper.make_tensor_value_info("t", kind, [None, dim])]
    placeholder = [numpy_helper.from_array(np.zeros((1, dim or 1), np.float32), "t")] if constant else []
    graph = helper.make_graph(
        [*cast, helper.make_node("Gemm", ["q", "t32" if half else "t"], ["s"], transB=1)],
        "products",
        [helper.make_tensor_value_info("q", TensorProto.FLOAT, [None, dim]), *rows],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, [None, None])],
        initializer=placeholder,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


@cache
def _gemm_session(half: bool) -> object | None:
    """An ONNX Runtime session that multiplies float32 questions by float32 rows (Gemm), or by float16
    rows it casts first (Cast, Gemm), made on first use; None when ONNX Runtime or onnx is missing."""
    try:
        import onnxruntime as ort

        return ort.InferenceSession(_gemm_model(half), session_options(), ["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - any failure here only means the plain numpy products
        return None


def products(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`q @ rows.T` as float32, for float32 or float16 `rows`, through ONNX Runtime's Gemm. numpy's
    own product is slow for a question's few token rows (about 0.4 ms against 0.14 ms for 9 question
    tokens by 1,500 rows, one BLAS thread), and converts float16 one value at a time (about 25 ms for
    SciFact's 21,000 candidate tokens, where Cast and Gemm together take a third of that); equal to
    about 1e-7 on unit vectors.

    >>> products(np.eye(2, dtype=np.float32), np.array([[0.5, 1.0]], np.float16)).tolist()
    [[0.5], [1.0]]
    """
    if rows.dtype not in (np.float16, np.float32) or not len(rows) or not len(q):
        return q @ np.asarray(rows, dtype=np.float32).T
    session = _gemm_session(rows.dtype == np.float16)
    if session is None:
        return q @ rows.astype(np.float32).T
    q32 = np.ascontiguousarray(q, dtype=np.float32)
    return session.run(None, {"q": q32, "t": np.ascontiguousarray(rows)})[0]  # type: ignore[attr-defined]


class MatrixProducts:
    """`q @ matrix.T` for one fixed float32 matrix (an index's token vectors), many times: ONNX Runtime
    reads the matrix in place as a constant of its graph and, up to `PREPACK_ROWS` rows, lays it out
    once for its matrix kernels (a copy of the matrix's size), so a question's product skips that
    work: 9 question tokens by 1,500 rows in 0.1 ms against 0.4 ms for numpy, by 100,000 rows (not
    laid out) 16 ms against 45. A float16 matrix, or no ONNX Runtime: `products`.

    >>> m = MatrixProducts(np.array([[1.0, 0.0], [0.5, 0.75]], np.float32))
    >>> m(np.array([[0.0, 1.0]], np.float32)).tolist()
    [[0.0, 0.75]]
    """

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix
        self._value: object | None = None  # the matrix as ONNX Runtime holds it: kept alive with the session
        self._session: object | None = None
        if len(matrix) and matrix.dtype == np.float32 and matrix.flags.c_contiguous:
            try:
                self._session = self._make_session()
            except Exception:  # noqa: BLE001 - any failure here only means the plain products
                self._session = None

    def _make_session(self) -> object:
        import onnxruntime as ort

        options = session_options()
        self._value = ort.OrtValue.ortvalue_from_numpy(self.matrix)  # no copy: the session reads ours
        options.add_initializer("t", self._value)
        if len(self.matrix) > PREPACK_ROWS:
            options.add_session_config_entry("session.disable_prepacking", "1")
        model = _gemm_model(False, self.matrix.shape[1], constant=True)
        return ort.InferenceSession(model, options, ["CPUExecutionProvider"])

    def __call__(self, q: np.ndarray) -> np.ndarray:
        if self._session is None or not len(q):
            return products(q, self.matrix)
        q32 = np.ascontiguousarray(q, dtype=np.float32)
        return self._session.run(None, {"q": q32})[0]  # type: ignore[attr-defined]


def gather_rows(matrix: np.ndarray, offsets: np.ndarray, passages: np.ndarray) -> np.ndarray:
    """The rows of these passages (passage i holds `offsets[i]:offsets[i + 1]`), passage after passage,
    copied slice by slice (twice as fast as indexing every row for a large float16 matrix).

    >>> gather_rows(np.arange(5)[:, None], np.array([0, 2, 2, 5]), np.array([2, 0]))[:, 0].tolist()
    [2, 3, 4, 0, 1]
    """
    parts = [matrix[offsets[i] : offsets[i + 1]] for i in passages]
    return np.concatenate(parts) if parts else matrix[:0]


def passage_products(
    q: np.ndarray, matrix: np.ndarray, offsets: np.ndarray, passages: np.ndarray, block: int = PRODUCT_BLOCK
) -> np.ndarray:
    """`products(q, gather_rows(matrix, offsets, passages))`, gathered and multiplied about `block` rows
    at a time: the float16 rows and their float32 cast then stay in the cache instead of passing
    through memory whole (for SciFact's 21,000 candidate tokens, 10 -> 6 ms on two cores, the very same
    numbers).

    >>> m = np.arange(10, dtype=np.float32)[:, None]
    >>> passage_products(np.ones((1, 1), np.float32), m, np.array([0, 4, 7, 10]), np.array([2, 0]), 3).tolist()
    [[7.0, 8.0, 9.0, 0.0, 1.0, 2.0, 3.0]]
    """
    counts = offsets[passages + 1] - offsets[passages]
    out = np.empty((len(q), int(counts.sum())), dtype=np.float32)
    at = i = 0
    while i < len(passages):
        j, n = i + 1, int(counts[i])
        while j < len(passages) and n + counts[j] <= block:
            n += int(counts[j])
            j += 1
        if n:
            out[:, at : at + n] = products(q, gather_rows(matrix, offsets, passages[i:j]))
        at, i = at + n, j
    return out


def late_interaction(sims: np.ndarray, q_weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each passage, the `q_weights`-weighted mean over question tokens of each token's best cosine
    among the passage's token vectors. `sims` holds the question tokens' cosines to the passages'
    tokens, (question tokens, passage tokens), the passages one after another, `counts[i]` tokens for
    passage i (`products` or `passage_products` makes it); a passage with no tokens scores 0.

    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    >>> rows = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], np.float32)
    >>> late_interaction(products(q, rows), np.array([0.5, 0.5], np.float32), np.array([2, 1, 0])).round(2)
    array([0.9, 0.5, 0. ], dtype=float32)
    """
    if sims.shape[1] == 0:
        return np.zeros(len(counts))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    best = np.maximum.reduceat(sims, np.minimum(starts, sims.shape[1] - 1), axis=1)  # (q tokens, passages)
    return np.where(counts > 0, q_weights @ best, 0.0)


def blend(a: np.ndarray, b: np.ndarray | float, weight: float) -> np.ndarray:
    """(1 - weight) a + weight b.

    >>> blend(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.25)
    array([0.75, 0.25])
    """
    return (1 - weight) * a + weight * b


def mark_sentence(
    similarities: np.ndarray, shared_idf: np.ndarray, total_idf: float, asks: np.ndarray | None = None
) -> int:
    """Which sentence to mark: the one with the most of the question's rarer words (`shared_idf`, the
    summed idf of the question terms each sentence holds, over `total_idf`, weighted
    `HIGHLIGHT_LEXICAL`), the model's similarity breaking ties and deciding when none is shared. A
    sentence that asks (`asks`) is marked only when every sentence of the passage asks.

    >>> mark_sentence(np.array([0.9, 0.5]), np.array([0.0, 2.0]), 4.0)
    1
    >>> mark_sentence(np.array([0.9, 0.5]), np.array([0.0, 2.0]), 4.0, np.array([False, True]))
    0
    """
    score = similarities + HIGHLIGHT_LEXICAL * shared_idf / (total_idf or 1.0)
    return int(np.argmax(_not_asking(score, asks)))


def _not_asking(score: np.ndarray, asks: np.ndarray | None) -> np.ndarray:
    """`score` with the sentences that ask out of the running, unless every one asks."""
    if asks is None or not asks.any() or asks.all():
        return score
    return np.where(asks, -np.inf, score)


# ----- the chain -------------------------------------------------------------------------------
def rank(
    state: RankingState, query: str, encoded: EncodedQuery, settings: RankSettings, only: np.ndarray | None = None
) -> Ranking:
    """Every passage's score for a question: `query` is its text as scored (corrected, rewritten) and
    `encoded` its vector and tokens. With `only` (a mask: one article's passages), every other passage
    scores -2, below any of these, and the phrase step looks at the best passages among them."""
    index, q = state.index, encoded.vector
    n = len(index.passages)
    if len(state.vectors):
        dense = dense_scores(state.vectors, q)
    else:  # an approximate index: exact scores for its top candidates only, the rest score -1
        found, ids = index.vectors.search(q[None, :], min(n, APPROXIMATE_CANDIDATES))
        dense = np.full(n, -1.0, dtype=np.float32)
        dense[ids[0]] = found[0]
    sentence_scores = dense_scores(index.sentence_vectors, q)
    best = dense
    if settings.sentence_weight > 0:
        best = best_sentence_scores(sentence_scores, index.sentence_offsets, dense, state.asking_sentences)
    fused = blend(dense, best, settings.sentence_weight)
    terms = tokenize(query)
    if settings.lexical_weight > 0:
        coverage = lexical_coverage(state.bm25.scores(terms), state.bm25.best_score(terms))
        fused = blend(fused, coverage, settings.lexical_weight)
    if settings.token_weight > 0 and state.token_vectors is not None and len(encoded.tokens.ids):
        fused = _with_late_interaction(state, fused, encoded, settings)
    fused = fused.astype(np.float32)
    if only is not None:
        fused = np.where(only, fused, np.float32(MASKED_SCORE))
    ranking = with_phrases(state, Ranking(fused, sentence_scores), terms, settings.phrase_weight)
    ranking = with_definition(state, ranking, query, settings.definition_weight)
    return with_options(state, ranking, query, settings.option_weight)


MASKED_SCORE = -2.0  # a passage outside the article asked: below every passage of it


def with_phrases(state: RankingState, blended: Ranking, terms: list[str], weight: float) -> Ranking:
    """`blended` with the phrase bonus (`phrase_bonus`, at most `weight`) added to its best
    `PHRASE_CANDIDATES` passages; the scores before it kept as `judged` when it changed any."""
    if weight <= 0:
        return blended
    bonus = phrase_bonus(state, terms, blended.best(PHRASE_CANDIDATES))
    if not bonus:
        return blended
    final = blended.scores.copy()
    for i, gain in bonus.items():
        final[i] += np.float32(weight * gain)
    return Ranking(final, blended.sentence_scores, judged=blended.scores)


# A command-line option as a question names it: "-k", "--keep", "-maxdepth", "-9" (not "COVID-19", "x - y").
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z0-9][\w-]*")
# An entry's tag: "-k --keep: Keep ...", "-i[SUFFIX], --in-place[=SUFFIX]: edit ...", "-L port:host:port ..."
_ENTRY_TAG = re.compile(r"\A(-[^\n]{0,200}?)(?::\s|\s{2}|\s(?=[A-Z][a-z])|$)")


# A later line of a table or a listing that is an option's entry: "-q: Quiet mode", "  -v, --verbose  Verbose".
_LINE_TAG = re.compile(r"^[ \t]*(-[^\n:]{0,80}?)(?::[ \t]|[ \t]{2,})", re.MULTILINE)


def question_options(query: str) -> frozenset[str]:
    """The command-line options a text names, as written (case counts: "-L" is not "-l"); an option's
    value is no part of its name ("--in-place[=SUFFIX]" names "--in-place").

    >>> sorted(question_options("what does gzip -k do, or --keep? not COVID-19, x - y"))
    ['--keep', '-k']
    """
    return frozenset(o.rstrip("-") for o in _OPTION.findall(query))


def entry_options(text: str) -> frozenset[str]:
    """The options a passage is the entry of: those its opening tag names, before its description, and
    those a later line opens with, as a table's row or a listed option does ("-q: Quiet mode").

    >>> sorted(entry_options("-k --keep: Keep (don't delete) input files."))
    ['--keep', '-k']
    >>> sorted(entry_options("-i[SUFFIX], --in-place[=SUFFIX]: edit files in place"))
    ['--in-place', '-i']
    >>> sorted(entry_options("-A Select all processes. Identical to -e."))
    ['-A']
    >>> sorted(entry_options("Use -k to keep files."))
    []
    >>> sorted(entry_options("Option: Meaning\\n-q: Quiet mode\\n-v, --verbose  Verbose mode\\n-x to be ignored"))
    ['--verbose', '-q', '-v']
    """
    tag = _ENTRY_TAG.match(text)
    tags = [tag.group(1)] if tag else []
    tags += [m.group(1) for m in _LINE_TAG.finditer(text, text.find("\n") + 1 if "\n" in text else len(text))]
    return frozenset().union(*(question_options(found) for found in tags))


def with_options(state: RankingState, ranked: Ranking, query: str, weight: float) -> Ranking:
    """`ranked` with `weight` added to each passage that is the entry of an option the question names
    ("what does gzip -k do" and the entry "-k --keep: Keep ..."): in a manual the entry is the answer,
    while the model and BM25 read "-k" as a letter. The scores before it are kept as `judged`."""
    named = question_options(query) if weight > 0 else frozenset()
    if not named:
        return ranked
    return lifted(ranked, [i for i, defined in enumerate(state.defined_options) if named & defined], weight)


def lifted(ranked: Ranking, indices: list[int], weight: float) -> Ranking:
    """`ranked` with `weight` added to the passages at `indices`, the scores before it kept as `judged`
    (the first scores kept, when an earlier step lifted some already); `ranked` itself when none is."""
    if not indices:
        return ranked
    final = ranked.scores.copy()
    final[indices] += np.float32(weight)
    judged = ranked.judged if ranked.judged is not None else ranked.scores
    return Ranking(final, ranked.sentence_scores, judged=judged)


# A question that asks what something is: "what is a z score", "What are Hermitian matrices?", "define
# backtesting", "z-score definition", "meaning of DPR", "what does SUD mean" (the thing in at most four words).
_DEFINITION_QUESTION = re.compile(
    r"^\W*(?:(?:what|who)(?:'s|\s+is|\s+are)\s+(?P<a>[^?]+?)|what\s+does\s+(?P<b>[^?]+?)\s+mean|define\s+(?P<c>[^?]+?)|"
    r"(?:the\s+)?meaning\s+of\s+(?P<d>[^?]+?)|(?P<e>[^?]+?)\s+(?:definition|meaning))\s*\??\s*$",
    re.IGNORECASE,
)


def definition_subject(query: str) -> str | None:
    """What a question asks the definition of, or None.

    >>> definition_subject("what is a z score"), definition_subject("Faiss definition?")
    ('z score', 'Faiss')
    >>> definition_subject("What is the lethal dose of ketamine in humans?") is None  # five words: not a name
    True
    """
    m = _DEFINITION_QUESTION.match(query.strip())
    if m is None:
        return None
    subject = re.sub(r"^(?:an?|the)\s+", "", next(g for g in m.groups() if g), flags=re.IGNORECASE).strip()
    if not subject or len(subject.split()) > 4 or subject.startswith("-"):  # "-k" is an option's entry
        return None
    return subject


def defines(sentence: str, subject: str) -> bool:
    """Whether a sentence says what `subject` is: it, or a sentence within it that the splitter left joined
    ("... a z-score. z-score, or ..." opens in lower case), opens with it (after "the", "a", "an", and up to two
    words more: "The pyparsing module is"; an aside in commas: "z-score, or Standard Score, is") and
    goes on to class it ("is a", "are the", "is one") or with "refers to", "means", "denotes" or "stands
    for" ("orjson is only shipped as a module" says something about it, not what it is).

    >>> defines("It is a z-score. z-score, or Standard Score, is the number of standard deviations.", "z score")
    True
    >>> defines("The pyparsing module is an alternative approach.", "pyparsing")
    True
    >>> defines("We calculated the z-score by dividing.", "z score"), defines("orjson is strict about UTF-8.", "orjson")
    (False, False)
    """
    return _definition_of(subject).search(sentence) is not None


@cache
def _definition_of(subject: str) -> re.Pattern[str]:
    """`defines`'s pattern for one subject, made once for all the sentences a question looks at."""
    name = r"[\s-]?".join(re.escape(w) for w in re.split(r"[\s-]+", subject))
    return re.compile(
        rf"(?:^|(?<=[.!?:])\s+)\W*(?:(?:the|a|an)\s+)?{name}(?:e?s)?\b(?:\s+\w+){{0,2}}?\s*(?:,[^,]{{1,60}},)?\s+"
        r"(?:(?:is|are)\s+(?:a|an|the|one|any)|refers\s+to|means|denotes|stands\s+for)\b",
        re.IGNORECASE,
    )


def with_definition(state: RankingState, ranked: Ranking, query: str, weight: float) -> Ranking:
    """`ranked` with `weight` added to the passage of each article, among its best `PHRASE_CANDIDATES`,
    that first says what the question asks to be defined ("what is faiss": "Faiss is a library for ..."),
    over one that only names it ("The main authors of Faiss are:") and over a later one that says more
    about it ("NumPy is a community-driven open source project", after "NumPy is the fundamental package
    for scientific computing"). The scores before it are kept as `judged`."""
    subject = definition_subject(query) if weight > 0 else None
    if subject is None:
        return ranked
    first: dict[str, int] = {}  # each article's first passage that says what the thing is
    for i in sorted(ranked.best(PHRASE_CANDIDATES).tolist()):
        p = state.passages[i]
        if p.source not in first and any(defines(t, subject) for t in p.sentence_texts):
            first[p.source] = i
    return lifted(ranked, list(first.values()), weight)


def phrase_bonus(state: RankingState, terms: list[str], candidates: np.ndarray) -> dict[int, float]:
    """For each candidate passage that holds some of the question's adjacent term pairs side by side
    (adjacent once stop words are out), the idf-weighted share of the pairs it holds (0-1); a pair
    weighs the idf of its two terms.

    Terms scattered over a passage count for BM25 and the model alike; a phrase they hold together is
    nearer what was asked: "What future work do the authors plan?" finds the paragraph that says "As
    future work, we plan..." (("future", "work")) over the one that outlines the paper's plan."""
    pairs = list(dict.fromkeys(itertools.pairwise(terms)))
    if not pairs:
        return {}
    weights = [state.bm25.term_idf(a) + state.bm25.term_idf(b) for a, b in pairs]
    total = sum(weights) or 1.0
    out = {}
    for i in candidates.tolist():
        held = state.passage_pairs(i)
        gain = sum(w for pair, w in zip(pairs, weights, strict=True) if pair in held)
        if gain > 0:
            out[i] = gain / total
    return out


def _with_late_interaction(
    state: RankingState, first: np.ndarray, encoded: EncodedQuery, settings: RankSettings
) -> np.ndarray:
    """Blend late interaction into the first-stage scores of the best `token_candidates` passages;
    the others get the lowest candidate's token score, so they never overtake on it."""
    tokens = state.index.tokens
    assert tokens is not None and state.token_vectors is not None and state.token_idf is not None
    n = len(first)
    if n <= settings.token_candidates:
        candidates = np.arange(n)
        sims = state.token_products(encoded.tokens.vectors)
    else:
        candidates = np.argpartition(-first, settings.token_candidates)[: settings.token_candidates]
        sims = passage_products(encoded.tokens.vectors, state.token_vectors, tokens.offsets, candidates)
    counts = tokens.counts[candidates]
    if sims.shape[1] == 0:
        return first
    weights = token_weights(encoded.tokens.ids, state.token_idf, n)
    late = late_interaction(sims, weights, counts)
    out = blend(first, float(late.min()), settings.token_weight)
    out[candidates] = blend(first[candidates], late, settings.token_weight)
    return out


@dataclass(frozen=True)
class QueryTerms:
    """A query's lexical terms with their idf, and the summed idf of those each sentence of the corpus
    holds (when the state keeps sentence terms): read once for all the passages a question marks."""

    idf: dict[str, float]
    total: float
    shared: np.ndarray | None = None  # (n_sentences,)

    @classmethod
    def of(cls, query: str, state: RankingState) -> QueryTerms:
        weights = {t: state.bm25.term_idf(t) for t in set(tokenize(query))}
        shared = None
        if state.sentence_terms:
            shared = np.zeros(len(state.sentence_terms))
            postings = state.sentence_postings
            for term, weight in weights.items():
                if term in postings:
                    shared[postings[term]] += weight  # a sentence is listed once per term
        return cls(weights, sum(weights.values()), shared)


def highlight(
    state: RankingState, idx: int, query: str, sentence_scores: np.ndarray, terms: QueryTerms | None = None
) -> tuple[int, int]:
    """Source offsets of passage `idx`'s sentence that answers best (`mark_sentence`); `terms` are the
    query's terms when the caller has them already (one tokenizing for every hit)."""
    p = state.passages[idx]
    if not p.sentences:
        return p.start, p.end
    lo = int(state.index.sentence_offsets[idx])
    terms = QueryTerms.of(query, state) if terms is None else terms
    if terms.shared is not None:
        shared = terms.shared[lo : lo + len(p.sentences)]
    else:
        held = [frozenset(tokenize(state.vocabulary.rewrite_passage(s))) for s in p.sentence_texts]
        shared = np.array([sum(terms.idf[t] for t in terms.idf.keys() & s) for s in held])
    total = terms.total
    similarities = sentence_scores[lo : lo + len(p.sentences)] if len(sentence_scores) else np.zeros(len(shared))
    asks = state.asking_sentences[lo : lo + len(p.sentences)]
    return p.sentences[mark_sentence(similarities.astype(np.float64), shared, total, asks)]


def highlights(
    state: RankingState, indices: np.ndarray, query: str, sentence_scores: np.ndarray, terms: QueryTerms | None = None
) -> list[tuple[int, int]]:
    """`highlight` for each of several passages: the marking scores of all their sentences are summed in
    one go (the sums `mark_sentence` makes, so the same sentences are marked), and each passage takes
    its best; a ranked list of a hundred hits is no longer scored hit by hit."""
    terms = QueryTerms.of(query, state) if terms is None else terms
    if terms.shared is None:  # no sentence postings kept: passage by passage
        return [highlight(state, int(i), query, sentence_scores, terms) for i in indices]
    passages = [state.passages[int(i)] for i in indices]
    starts = [int(state.index.sentence_offsets[int(i)]) for i in indices]
    rows = [np.arange(lo, lo + len(p.sentences)) for lo, p in zip(starts, passages, strict=True)]
    wanted = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    similarities = sentence_scores[wanted].astype(np.float64) if len(sentence_scores) else np.zeros(len(wanted))
    score = similarities + HIGHLIGHT_LEXICAL * terms.shared[wanted] / (terms.total or 1.0)
    asks = state.asking_sentences[wanted]
    out, at = [], 0
    for p in passages:
        n = len(p.sentences)
        out.append(
            p.sentences[int(np.argmax(_not_asking(score[at : at + n], asks[at : at + n])))] if n else (p.start, p.end)
        )
        at += n
    return out
