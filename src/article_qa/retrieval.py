"""Answer questions with the article's own passages: `Retriever`, `Hit` and `retrieve()`.

A `Retriever` loads the index for its corpus, model and settings, or builds it when it is missing or
stale (with a log line saying why), then ranks passages for a question by a fusion of

- dense similarity of the question to each passage as embedded (context + plain-words rewrite),
- the best similarity to one of the passage's sentences, and
- BM25 over the rewritten passages, scaled by how much of the question it covers,

keeps those that clear `min_score`, and marks the sentence that answers best. It never generates text:
every `Hit.text` is a verbatim slice of a corpus file.

Embedding is delegated to `embedding`, splitting to `passages`, storage to `index`, the vocabulary
bridge to `vocabulary` and BM25 to `lexical`. The chat page and the CLI are built on this module.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import threading
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .embedding import Embedder, encode_in_chunks, load_embedder
from .index import FORMAT_VERSION, IndexFormatError, PassageIndex, VectorIndex, stale_reasons
from .lexical import BM25, Speller, tokenize, words
from .passages import Passage, read_corpus, split_corpus
from .vocabulary import Vocabulary, load_vocabulary

log = logging.getLogger(__name__)

# Calibrated on the development questions (eval/dev.jsonl): see the README's evaluation table.
DEFAULT_MIN_SCORE = 0.15
MAX_QUESTION_CHARS = 2000  # the model reads 256 word pieces at most; more text only costs time
_DEFAULT = object()
HIGHLIGHT_LEXICAL = 0.3  # weight of the question's words in choosing the sentence to mark
CONTEXTS = ("none", "section", "title+section", "title+section+previous")


@dataclass(frozen=True)
class Settings:
    """How passages are embedded and ranked; all of it is recorded in the index manifest."""

    splitter: str = "paragraph-v1"
    # what goes before the passage when embedded: none|section|title+section|title+section+previous
    context: str = "title+section+previous"
    vocabulary: bool = True  # rewrite with corpus/synonyms.solr before embedding and BM25
    lexical_weight: float = 0.3  # share of BM25 in the fused score
    sentence_weight: float = 0.3  # share of the best sentence in the dense score
    spelling: bool = True  # correct a question's typos to corpus words one edit away

    def __post_init__(self) -> None:
        if self.context not in CONTEXTS:
            raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {self.context!r}")
        for name in ("lexical_weight", "sentence_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")


@dataclass(frozen=True)
class Hit:
    """One passage that answers a question, verbatim, with where it stands in the article."""

    passage_id: str
    text: str
    score: float
    rank: int
    source: str
    section: str | None
    paragraph: int
    start: int
    end: int
    citation: str
    highlight_start: int
    highlight_end: int

    @property
    def highlight(self) -> str:
        """The sentence that answers best, verbatim."""
        return self.text[self.highlight_start - self.start : self.highlight_end - self.start]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_question(question: object) -> str:
    """Check a question and make it safe to embed; raises TypeError or ValueError.

    >>> clean_question("  Does it\\x00 help? ")
    'Does it help?'
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a str, not {type(question).__name__}")
    text = question[: MAX_QUESTION_CHARS * 4].encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = " ".join(text.split())[:MAX_QUESTION_CHARS]
    if not text:
        raise ValueError("the question is empty: type a question about the article")
    return text


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be a whole number, not {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return int(k)


def default_paths() -> tuple[Path, Path]:
    """Corpus and index folders from ARTICLE_QA_CORPUS / ARTICLE_QA_INDEX, else ./corpus and ./index;
    when the working folder has no corpus/, those of the project this package is installed from."""
    here = Path("corpus")
    project = Path(__file__).resolve().parents[2]
    base = project if not here.is_dir() and (project / "corpus").is_dir() else Path()
    return (
        Path(os.environ.get("ARTICLE_QA_CORPUS") or base / "corpus"),
        Path(os.environ.get("ARTICLE_QA_INDEX") or base / "index"),
    )


@dataclass
class _Loaded:
    index: PassageIndex
    vocabulary: Vocabulary
    bm25: BM25
    vectors: np.ndarray  # passage vectors, (n, dim), for exact scoring of FAISS candidates
    speller: Speller | None = None
    max_idf: float = field(default=0.0)
    sentence_terms: list[frozenset[str]] = field(default_factory=list)  # lexical terms of each sentence


class Retriever:
    """Passages for questions over one corpus, index and model."""

    def __init__(
        self,
        corpus_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        model: str | None = None,
        *,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        save: bool = True,
    ):
        default_corpus, default_index = default_paths()
        self.corpus_dir = Path(corpus_dir) if corpus_dir is not None else default_corpus
        self.index_dir = Path(index_dir) if index_dir is not None else default_index
        self.embedder = embedder if embedder is not None else load_embedder(model)
        self.settings = settings or Settings()
        self.save = save
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    # ----- building and loading -------------------------------------------------------------
    def expected_manifest(self) -> dict[str, Any]:
        """The manifest fields an index must have to serve this corpus, model and settings."""
        docs = read_corpus(self.corpus_dir)
        vocab = load_vocabulary(self.corpus_dir) if self.settings.vocabulary else Vocabulary()
        return {
            "format_version": FORMAT_VERSION,
            "model": self.embedder.name,
            "settings": {**asdict(self.settings), "vocabulary_sha256": vocab.sha256},
            "corpus": {d.source: d.sha256 for d in docs},
        }

    def load(self) -> PassageIndex:
        """The index, loaded once; built (and saved) when missing, damaged or stale."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_or_build()
            return self._loaded.index

    def _load_or_build(self) -> _Loaded:
        expected = self.expected_manifest()
        index = None
        try:
            index = PassageIndex.load(self.index_dir)
            reasons = stale_reasons(index.manifest, expected)
            if reasons:
                log.warning("the index in %s is stale (%s); rebuilding", self.index_dir, "; ".join(reasons))
                index = None
        except IndexFormatError as exc:
            log.warning("cannot use index %s: %s; building it", self.index_dir, exc)
        if index is None:
            index = self.build()
        return self._prepare(index)

    @classmethod
    def from_passages(cls, passages: list[Passage], embedder: Embedder, settings: Settings | None = None) -> Retriever:
        """A retriever over passages made elsewhere (e.g. a benchmark's documents), held in memory."""
        r = cls(corpus_dir="", index_dir="", embedder=embedder, settings=settings, save=False)
        index = r._index_passages(passages, Vocabulary(), {"passages_given": len(passages)})
        r._loaded = r._prepare(index, Vocabulary())
        return r

    def build(self) -> PassageIndex:
        """Split, embed and index the corpus; save it unless this retriever serves from memory."""
        t0 = time.perf_counter()
        docs = read_corpus(self.corpus_dir)
        passages = split_corpus(docs)
        if not passages:
            raise IndexFormatError(f"the corpus {self.corpus_dir} has no passages to index")
        vocab = load_vocabulary(self.corpus_dir) if self.settings.vocabulary else Vocabulary()
        log.info("building index: %d files, %d passages, model %s", len(docs), len(passages), self.embedder.name)
        index = self._index_passages(passages, vocab, self.expected_manifest())
        seconds = time.perf_counter() - t0
        if self.save:
            try:
                index.save(self.index_dir)
                log.info("saved index to %s", self.index_dir)
            except OSError as exc:
                log.warning("cannot write index to %s (%s); serving from memory", self.index_dir, exc)
        log.info(
            "built index: %d files, %d passages, %d sentences, model %s, %.1f s",
            len(docs),
            len(passages),
            len(index.sentence_vectors),
            self.embedder.name,
            seconds,
        )
        return index

    def _index_passages(self, passages: list[Passage], vocab: Vocabulary, fingerprint: dict) -> PassageIndex:
        inputs = [self.passage_input(p, vocab, passages[i - 1] if i else None) for i, p in enumerate(passages)]
        vectors = encode_in_chunks(self.embedder, inputs)
        if self.settings.sentence_weight > 0:
            sentence_vectors = encode_in_chunks(
                self.embedder, [vocab.rewrite_passage(s) for p in passages for s in _sentence_texts(p)]
            )
        else:  # sentence scoring off: no sentence vectors (highlights then go by the question's words)
            sentence_vectors = np.zeros((0, vectors.shape[1]), dtype=np.float32)
        manifest = {
            **fingerprint,
            "dim": int(vectors.shape[1]),
            "normalized": True,
            "metric": "inner_product",
            "passages": len(passages),
            "sentences": len(sentence_vectors),
            "versions": _versions(),
        }
        index = PassageIndex(passages, VectorIndex.fit(vectors), sentence_vectors, manifest)
        manifest["faiss_index"] = index.vectors.kind
        return index

    def passage_input(self, passage: Passage, vocab: Vocabulary, previous: Passage | None = None) -> str:
        """The text embedded for a passage: its context, then the passage itself, in plain words.

        With ``title+section+previous`` the first sentence of the passage before it (same file and
        section) is added, so that a paragraph continuing a study ("These in the ketamine group ...")
        carries what the study was.
        """
        context = self.settings.context
        parts = []
        if context.startswith("title") and passage.title:
            parts.append(passage.title)
        if context != "none" and passage.section:
            parts.append(passage.section)
        if (
            context.endswith("previous")
            and previous is not None
            and (previous.source, previous.section) == (passage.source, passage.section)
        ):
            parts.append(_sentence_texts(previous)[0])
        parts.append(passage.text)
        return vocab.rewrite_passage("\n".join(parts))

    def _prepare(self, index: PassageIndex, vocab: Vocabulary | None = None) -> _Loaded:
        if vocab is None:
            vocab = load_vocabulary(self.corpus_dir) if self.settings.vocabulary else Vocabulary()
        texts = [vocab.rewrite_passage(p.text) for p in index.passages]
        bm25 = BM25(texts)
        speller = None
        if self.settings.spelling:
            # Targets: the passages' words and the readers' synonyms; the article's own odd words
            # (what the explicit rules rewrite) are left alone but never suggested.
            targets = [w for t in texts for w in words(t)]
            targets += [w for rule in vocab.query_rules for term in rule for w in words(term)]
            known = [w for rule in vocab.corpus_rules for term in rule for w in words(term)]
            speller = Speller(targets, known)
        # An exact index is scored as one matrix product; an approximate one through FAISS (see _score).
        vectors = index.vectors.reconstruct_all() if index.vectors.kind == "flat" else np.zeros((0, 0), np.float32)
        if len(index.passages) <= 200_000:
            terms = [frozenset(tokenize(vocab.rewrite_passage(t))) for p in index.passages for t in _sentence_texts(p)]
        else:
            terms = []  # computed per hit instead: a large corpus would hold millions
        max_idf = math.log(1 + (bm25.n_docs + 0.5) / 0.5)
        return _Loaded(index, vocab, bm25, vectors, speller, max_idf=max_idf, sentence_terms=terms)

    def warm(self) -> None:
        """Load the index and the model now, so that the first reader does not wait for them."""
        self.load()
        encode_query = getattr(self.embedder, "encode_query", None)
        if encode_query is not None:
            encode_query("warm up")
            getattr(self.embedder, "_cache", {}).pop("warm up", None)
        else:
            self.embedder.encode(["warm up"])

    @property
    def passages(self) -> list[Passage]:
        return self.load().passages

    # ----- searching ---------------------------------------------------------------------------
    def search(self, question: str, k: int = 3, *, min_score: float | None = _DEFAULT) -> list[Hit]:  # type: ignore[assignment]
        """Up to `k` passages that answer `question`, best first; [] when none clears `min_score`.

        Parameters
        ----------
        question: what the reader asks, in plain words.
        k: the most hits to return (>= 1).
        min_score: the relevance a hit must reach; None turns the cut off and returns exactly
            min(k, number of passages) hits. Defaults to the calibrated `DEFAULT_MIN_SCORE`.
        """
        text = clean_question(question)
        k = check_k(k)
        if min_score is _DEFAULT:
            min_score = DEFAULT_MIN_SCORE
        if min_score is not None and not isinstance(min_score, (int, float)):
            raise TypeError(f"min_score must be a number or None, not {type(min_score).__name__}")
        self.load()
        loaded = self._loaded
        assert loaded is not None
        scores, query, sent_scores = self._score(text, loaded)
        order = np.argsort(-scores, kind="stable")[:k]
        hits = []
        for idx in order:
            score = float(scores[idx])
            if min_score is not None and score < min_score:
                break
            p = loaded.index.passages[idx]
            hs, he = self._highlight(idx, query, sent_scores, loaded)
            hits.append(
                Hit(
                    passage_id=p.passage_id,
                    text=p.text,
                    score=round(score, 4),
                    rank=len(hits) + 1,
                    source=p.source,
                    section=p.section,
                    paragraph=p.paragraph,
                    start=p.start,
                    end=p.end,
                    citation=p.citation,
                    highlight_start=hs,
                    highlight_end=he,
                )
            )
        return hits

    def _score(self, text: str, loaded: _Loaded) -> tuple[np.ndarray, str, np.ndarray]:
        """Fused score of every passage, the query as scored, and the score of every sentence."""
        s = self.settings
        index = loaded.index
        if loaded.speller is not None:
            text = loaded.speller.correct(text)
        query = loaded.vocabulary.rewrite_query(text)
        encode_query = getattr(self.embedder, "encode_query", None)
        q = encode_query(query) if encode_query else self.embedder.encode([query])[0]
        n = len(index.passages)
        if len(loaded.vectors):
            dense = loaded.vectors @ q
        else:  # a large index: exact scores for the approximate top candidates only
            d, ids = index.vectors.search(q[None, :], min(n, 1000))
            dense = np.full(n, -1.0, dtype=np.float32)
            dense[ids[0]] = d[0]
        sent_scores = index.sentence_vectors @ q
        offs = index.sentence_offsets
        has = offs[1:] > offs[:-1]
        sentence_max = dense
        if len(sent_scores) and s.sentence_weight > 0:
            maxes = np.maximum.reduceat(sent_scores, np.minimum(offs[:-1], len(sent_scores) - 1))
            sentence_max = np.where(has, maxes, dense)
        fused = (1 - s.sentence_weight) * dense + s.sentence_weight * sentence_max
        if s.lexical_weight > 0:
            lexical = loaded.bm25.scores(query)
            terms = set(tokenize(query))
            possible = sum(loaded.bm25.idf.get(t, loaded.max_idf) for t in terms) * (loaded.bm25.k1 + 1)
            coverage = lexical / possible if possible > 0 else lexical
            fused = (1 - s.lexical_weight) * fused + s.lexical_weight * np.clip(coverage, 0, 1)
        return fused.astype(np.float32), query, sent_scores

    def _highlight(self, idx: int, query: str, sent_scores: np.ndarray, loaded: _Loaded) -> tuple[int, int]:
        """Offsets of the passage's sentence that answers best: its similarity to the question, plus a
        share of the question's rarer words it contains (so a numbers question marks the number)."""
        p = loaded.index.passages[idx]
        if not p.sentences:
            return p.start, p.end
        lo = loaded.index.sentence_offsets[idx]
        terms = set(tokenize(query))
        idf = loaded.bm25.idf
        total = sum(idf.get(t, loaded.max_idf) for t in terms) or 1.0
        best, best_score = 0, -np.inf
        for j, sentence in enumerate(_sentence_texts(p)):
            if loaded.sentence_terms:
                found = terms & loaded.sentence_terms[lo + j]
            else:
                found = terms & set(tokenize(loaded.vocabulary.rewrite_passage(sentence)))
            similarity = float(sent_scores[lo + j]) if len(sent_scores) else 0.0
            score = similarity + HIGHLIGHT_LEXICAL * sum(idf.get(t, 0.0) for t in found) / total
            if score > best_score:
                best, best_score = j, score
        return p.sentences[best]


def _sentence_texts(p: Passage) -> list[str]:
    return [p.text[a - p.start : b - p.start] for a, b in p.sentences]


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"article_qa": __version__, "python": platform.python_version()}
    for pkg in ("sentence-transformers", "torch", "transformers", "faiss-cpu", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


_default: Retriever | None = None
_default_lock = threading.Lock()


def default_retriever() -> Retriever:
    """The process-wide retriever behind `retrieve()`, configured from the environment."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Retriever()
        return _default


def retrieve(question: str, k: int = 3, *, min_score: float | None = _DEFAULT) -> list[Hit]:  # type: ignore[assignment]
    """The article's passages that answer `question`, best first; [] when nothing does.

    The first call loads the model and the index (building it when missing or stale); later calls
    reuse them. Configure with ARTICLE_QA_MODEL / ARTICLE_QA_CORPUS / ARTICLE_QA_INDEX, or use a
    `Retriever` directly.
    """
    clean_question(question)  # errors before any model is loaded
    check_k(k)
    return default_retriever().search(question, k, min_score=min_score)


__all__ = ["DEFAULT_MIN_SCORE", "Hit", "Retriever", "Settings", "retrieve"]
