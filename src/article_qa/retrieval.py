"""Answer questions with the article's own passages: `Retriever`, `Hit` and `retrieve()`.

A `Retriever` loads the index for its corpus, model and settings, or builds it when it is missing or
stale (with a log line saying why), then ranks passages for a question by a fusion of

- dense similarity of the question to each passage as embedded (context + plain-words rewrite),
- the best similarity to one of the passage's sentences (off by default),
- BM25 over the rewritten passages, scaled by how much of the question it covers, and
- late interaction: each content token of the question, as the model reads it in context, takes its
  best match among the passage's tokens; the matches are averaged, weighted by the token's rarity
  in the corpus (BM25 idf). The same model, so word swaps the synonyms file does not know
  ("painkillers" for "pain medication") still meet halfway,

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
from .index import FORMAT_VERSION, IndexFormatError, PassageIndex, TokenMatrix, VectorIndex, stale_reasons
from .lexical import BM25, Speller, tokenize, words
from .passages import Passage, read_corpus, split_corpus
from .vocabulary import Vocabulary, load_vocabulary

log = logging.getLogger(__name__)

# Calibrated on the development questions (eval/dev.jsonl): see the README's evaluation table.
DEFAULT_MIN_SCORE = 0.22
MAX_QUESTION_CHARS = 2000  # the model reads 256 word pieces at most; more text only costs time
_DEFAULT = object()
# Weight of the question's rarer words in choosing the sentence to mark; the model's similarity breaks
# ties and decides when no word is shared. highlight@1 on the four question sets: 0.771 / 0.788 /
# 0.667 / 0.733 at 0.3, 0.844 / 0.848 / 0.750 / 0.783 at 2.0, no better above.
HIGHLIGHT_LEXICAL = 2.0
CONTEXTS = ("none", "section", "title+section", "title+section+previous", "title+section+next")
# Token vectors are kept for corpora up to about this many tokens (about 190 MB at dim 384, float16);
# a larger corpus is ranked without late interaction, which the build log says.
TOKEN_BUDGET = 250_000
TOKEN_CANDIDATES = 100  # passages given a late-interaction score, the best of the first stage
TOKEN_CHUNK = 256  # passages embedded at once when token vectors are kept


@dataclass(frozen=True)
class Settings:
    """How passages are embedded and ranked; all of it is recorded in the index manifest."""

    splitter: str = "paragraph-v1"
    # context embedded with a passage: none|section|title+section|title+section+previous|title+section+next
    context: str = "title+section+next"
    vocabulary: bool = True  # rewrite with corpus/synonyms.solr before embedding and BM25
    lexical_weight: float = 0.2  # share of BM25 in the first-stage score
    sentence_weight: float = 0.5  # share of the best sentence in the dense score
    token_weight: float = 0.4  # share of late interaction (question tokens vs passage tokens) in the score
    spelling: bool = True  # correct a question's typos to corpus words one edit away
    highlight: bool = True  # embed every sentence, to mark the one that answers best

    def __post_init__(self) -> None:
        if self.context not in CONTEXTS:
            raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {self.context!r}")
        for name in ("lexical_weight", "sentence_weight", "token_weight"):
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
    token_vectors: np.ndarray | None = None  # the index's token vectors, float32 when small
    token_idf: np.ndarray | None = None  # BM25 idf of every word-piece id seen in the passages


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
        token_budget: int | None = TOKEN_BUDGET,
    ):
        default_corpus, default_index = default_paths()
        self.corpus_dir = Path(corpus_dir) if corpus_dir is not None else default_corpus
        self.index_dir = Path(index_dir) if index_dir is not None else default_index
        self.embedder = embedder if embedder is not None else load_embedder(model)
        self.settings = settings or Settings()
        self.save = save
        self.token_budget = token_budget  # None: keep token vectors whatever the corpus size
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
    def from_passages(
        cls,
        passages: list[Passage],
        embedder: Embedder,
        settings: Settings | None = None,
        token_budget: int | None = TOKEN_BUDGET,
    ) -> Retriever:
        """A retriever over passages made elsewhere (e.g. a benchmark's documents), held in memory."""
        r = cls(
            corpus_dir="", index_dir="", embedder=embedder, settings=settings, save=False, token_budget=token_budget
        )
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
        around = [None, *passages, None]
        inputs = [self.passage_input(p, vocab, around[i], around[i + 2]) for i, p in enumerate(passages)]
        token_texts = [vocab.rewrite_passage(p.text) for p in passages] if self._tokens_wanted(passages) else None
        if token_texts == inputs and hasattr(self.embedder, "encode_with_tokens"):
            vectors, tokens = self._encode_tokens(inputs, with_vectors=True)  # one model pass gives both
        else:
            vectors = encode_in_chunks(self.embedder, inputs)
            tokens = self._encode_tokens(token_texts, int(vectors.shape[1]))[1] if token_texts is not None else None
        if self.settings.sentence_weight > 0 or self.settings.highlight:
            sentence_vectors = encode_in_chunks(
                self.embedder, [vocab.rewrite_passage(s) for p in passages for s in _sentence_texts(p)]
            )
        else:  # no sentence vectors (highlights then go by the question's words)
            sentence_vectors = np.zeros((0, vectors.shape[1]), dtype=np.float32)
        manifest = {
            **fingerprint,
            "dim": int(vectors.shape[1]),
            "normalized": True,
            "metric": "inner_product",
            "passages": len(passages),
            "sentences": len(sentence_vectors),
            "tokens": len(tokens) if tokens is not None else 0,
            "versions": _versions(),
        }
        index = PassageIndex(passages, VectorIndex.fit(vectors), sentence_vectors, manifest, tokens)
        manifest["faiss_index"] = index.vectors.kind
        return index

    def _tokens_wanted(self, passages: list[Passage]) -> bool:
        """Whether to keep token vectors: token scoring on, a model that gives them, and a corpus
        within the token budget (else the log says late interaction is off)."""
        if self.settings.token_weight <= 0 or not hasattr(self.embedder, "encode_tokens"):
            return False
        estimate = sum(len(p.text) for p in passages) // 4  # about four characters a word piece
        if self.token_budget is not None and estimate > self.token_budget:
            log.info("late interaction off: about %d tokens, more than the %d kept", estimate, self.token_budget)
            return False
        return True

    def _encode_tokens(
        self, texts: list[str], dim: int | None = None, with_vectors: bool = False
    ) -> tuple[np.ndarray, TokenMatrix]:
        """The texts' token matrix, in chunks, float16 as it goes (a float32 batch is twice the size);
        with `with_vectors`, their vectors too, from the same model pass (else an empty array).
        `dim` is needed only without vectors; with them it is read off the vectors."""
        from tqdm.auto import tqdm

        parts, ids, vectors = [], [], []
        chunks = range(0, len(texts), TOKEN_CHUNK)
        for lo in tqdm(chunks, desc="embedding", unit="chunk", disable=len(chunks) < 2):
            chunk = texts[lo : lo + TOKEN_CHUNK]
            if with_vectors:
                v, tokens = self.embedder.encode_with_tokens(chunk)  # type: ignore[attr-defined]
                parts.append(v)
            else:
                tokens = self.embedder.encode_tokens(chunk)  # type: ignore[attr-defined]
            for t in tokens:
                ids.append(t.ids)
                vectors.append(t.vectors.astype(np.float16))
        matrix = np.concatenate(parts) if parts else np.zeros((0, dim or 0), np.float32)
        return matrix, TokenMatrix.concat(ids, vectors, dim or int(matrix.shape[1]))

    def passage_input(
        self, passage: Passage, vocab: Vocabulary, previous: Passage | None = None, following: Passage | None = None
    ) -> str:
        """The text embedded for a passage: its context and the passage itself, in plain words.

        With ``title+section+previous`` the first sentence of the passage before it (same file and
        section) goes first, so that a paragraph continuing a study ("These in the ketamine group ...")
        carries what the study was. With ``title+section+next`` the passage after it (same file and
        section) follows, so that a study's opening paragraph carries its results and vice versa.
        """
        context = self.settings.context
        parts = []
        if context.startswith("title") and passage.title:
            parts.append(passage.title)
        if context != "none" and passage.section:
            parts.append(passage.section)
        if context.endswith("previous") and _same_section(previous, passage):
            parts.append(_sentence_texts(previous)[0])  # type: ignore[arg-type]
        parts.append(passage.text)
        if context.endswith("next") and _same_section(following, passage):
            parts.append(following.text)  # type: ignore[union-attr]
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
        token_vectors = token_idf = None
        if index.tokens is not None and len(index.tokens):
            t = index.tokens
            # Keep float32 while small (a plain matrix product); larger ones are converted per question.
            token_vectors = t.vectors.astype(np.float32) if len(t) <= 100_000 else t.vectors
            firsts = np.concatenate([np.unique(t.ids[a:b]) for a, b in zip(t.offsets[:-1], t.offsets[1:], strict=True)])
            df = np.bincount(firsts, minlength=int(t.ids.max()) + 1).astype(np.float64)
            n = len(index.passages)
            token_idf = np.log1p((n - df + 0.5) / (df + 0.5))
        return _Loaded(
            index, vocab, bm25, vectors, speller, max_idf=max_idf, sentence_terms=terms,
            token_vectors=token_vectors, token_idf=token_idf,
        )  # fmt: skip

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
        encode_tokens = getattr(self.embedder, "encode_query_tokens", None)
        if s.token_weight > 0 and loaded.token_vectors is not None and encode_tokens is not None:
            fused = self._late_interaction(fused, encode_tokens(query), loaded)
        return fused.astype(np.float32), query, sent_scores

    def _late_interaction(self, first: np.ndarray, tokens: Any, loaded: _Loaded) -> np.ndarray:
        """Blend the first-stage scores with late interaction over the best `TOKEN_CANDIDATES` passages:
        for each content token of the question, its best cosine among a passage's tokens, averaged
        with BM25 idf weights. Passages outside the candidates keep the lowest candidate's token score."""
        w = self.settings.token_weight
        if len(tokens.ids) == 0:
            return first
        idf = loaded.token_idf
        assert idf is not None and loaded.token_vectors is not None and loaded.index.tokens is not None
        unseen = math.log1p((len(first) + 0.5) / 0.5)  # a word piece no passage has: the rarest
        weights = np.where(tokens.ids < len(idf), idf[np.minimum(tokens.ids, len(idf) - 1)], unseen)
        weights = (weights / weights.sum()).astype(np.float32)
        offsets = loaded.index.tokens.offsets
        n = len(first)
        if n <= TOKEN_CANDIDATES:
            candidates = np.arange(n)
            rows = loaded.token_vectors
        else:
            candidates = np.argpartition(-first, TOKEN_CANDIDATES)[:TOKEN_CANDIDATES]
            rows = loaded.token_vectors[np.concatenate([np.arange(offsets[c], offsets[c + 1]) for c in candidates])]
        counts = loaded.index.tokens.counts[candidates]
        if len(rows) == 0:
            return first
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        sims = tokens.vectors @ np.asarray(rows, dtype=np.float32).T  # (question tokens, passage tokens)
        best = np.maximum.reduceat(sims, np.minimum(starts, sims.shape[1] - 1), axis=1)  # (q tokens, candidates)
        late = np.where(counts > 0, weights @ best, 0.0)
        out = (1 - w) * first + w * float(late.min())
        out[candidates] = (1 - w) * first[candidates] + w * late
        return out

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


def _same_section(other: Passage | None, passage: Passage) -> bool:
    return other is not None and (other.source, other.section) == (passage.source, passage.section)


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
