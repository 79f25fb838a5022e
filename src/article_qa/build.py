"""Build an index for a corpus, or load the one on disk when it still serves: the index-time stage.

- `IndexSettings`: what is embedded for each passage. All of it is recorded in the manifest, so a
  change makes the index stale; ranking weights live in `ranking.RankSettings` and never do.
- `expected_manifest`: the fingerprint an index must carry to serve a corpus, model and settings.
- `load_or_build`: the index on disk if it is whole and fresh; else a new one (with a log line
  saying why), saved atomically unless told to stay in memory.
- `index_passages`: passages -> `PassageIndex` (passage vectors, sentence vectors, token vectors).
- `encode_texts`: the one encoding loop, in chunks, each finished chunk cached on disk by the model's
  fingerprint and the chunk's texts, so a large build that stops halfway resumes where it was.
- `Known`: what an earlier index of the same model and settings already holds, by the text embedded:
  a rebuild after articles are added, edited or removed embeds only the texts that changed.

Splitting is `passages`' job, storage `index`'s, the model `embedding`'s; nothing here ranks.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import time
import zipfile
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .embedding import Embedder, cache_dir
from .index import FORMAT_VERSION, IndexFormatError, PassageIndex, TokenMatrix, VectorIndex, stale_reasons
from .passages import CONTEXTS, SPLITTER_VERSION, Document, Passage, embedded_texts, read_corpus, split_corpus
from .vocabulary import Vocabulary, load_vocabulary

log = logging.getLogger(__name__)

# Token vectors are kept for corpora up to about this many tokens (about 190 MB at dim 384, float16);
# a larger corpus is ranked without late interaction, which the build log says.
TOKEN_BUDGET = 250_000
CHUNK = 256  # texts embedded at once; each finished chunk of a multi-chunk build is cached


@dataclass(frozen=True)
class IndexSettings:
    """What is embedded for a passage; recorded in the manifest (a change makes the index stale)."""

    splitter: str = SPLITTER_VERSION  # the splitting rules (passages.SPLITTER_VERSION)
    # context embedded with a passage: none|section|title+section|title+section+previous|title+section+next
    context: str = "title+section+next"
    vocabulary: bool = True  # rewrite with corpus/synonyms.solr before embedding (and BM25)
    sentence_vectors: bool = True  # embed every sentence: the best-sentence score and the highlight
    token_vectors: bool = True  # keep the passages' content-token vectors for late interaction

    def __post_init__(self) -> None:
        if self.context not in CONTEXTS:
            raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {self.context!r}")


def corpus_vocabulary(corpus_dir: str | Path, settings: IndexSettings) -> Vocabulary:
    """The corpus's synonyms file when the settings use one, else an empty vocabulary."""
    return load_vocabulary(corpus_dir) if settings.vocabulary else Vocabulary()


def expected_manifest(corpus_dir: str | Path, embedder: Embedder, settings: IndexSettings) -> dict[str, Any]:
    """The manifest fields an index must have to serve this corpus, model and settings."""
    return _fingerprint(read_corpus(corpus_dir), corpus_vocabulary(corpus_dir, settings), embedder, settings)


def _fingerprint(
    docs: list[Document], vocab: Vocabulary, embedder: Embedder, settings: IndexSettings
) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "settings": {**asdict(settings), "vocabulary_sha256": vocab.sha256},
        "corpus": {d.source: d.sha256 for d in docs},
    }


def load_or_build(
    corpus_dir: str | Path,
    index_dir: str | Path,
    embedder: Embedder,
    settings: IndexSettings,
    *,
    save: bool = True,
    token_budget: int | None = TOKEN_BUDGET,
) -> PassageIndex:
    """The index in `index_dir` when it is whole and fresh; otherwise a new build (and the reason why
    in the log)."""
    expected = expected_manifest(corpus_dir, embedder, settings)
    previous = None
    try:
        index = PassageIndex.load(index_dir)
        reasons = stale_reasons(index.manifest, expected)
        if not reasons:
            return index
        log.warning("the index in %s is stale (%s); rebuilding", index_dir, "; ".join(reasons))
        same = ("format_version", "model", "model_fingerprint", "settings")
        if all(index.manifest.get(key) == expected.get(key) for key in same):
            previous = index  # only the corpus changed: what it holds is reused
    except IndexFormatError as exc:
        if not Path(index_dir).exists():  # a first build is no fault: said plainly, not as a warning
            log.info("building the index in %s (first use)", index_dir)
        else:
            log.warning("cannot use index %s: %s; building it", index_dir, exc)
    return build(corpus_dir, index_dir, embedder, settings, save=save, token_budget=token_budget, previous=previous)


def build(
    corpus_dir: str | Path,
    index_dir: str | Path,
    embedder: Embedder,
    settings: IndexSettings,
    *,
    save: bool = True,
    token_budget: int | None = TOKEN_BUDGET,
    previous: PassageIndex | None = None,
) -> PassageIndex:
    """Split, embed and index the corpus; save it to `index_dir` unless `save` is off. A folder that
    cannot be written is logged and the index served from memory. Texts that `previous` (an index of
    the same model and settings) already embedded are taken from it, not embedded again."""
    t0 = time.perf_counter()
    docs = read_corpus(corpus_dir)
    passages = split_corpus(docs)
    if not passages:
        raise IndexFormatError(f"the corpus {corpus_dir} has no passages to index")
    vocab = corpus_vocabulary(corpus_dir, settings)
    log.info("building index: %d files, %d passages, model %s", len(docs), len(passages), embedder.name)
    fingerprint = _fingerprint(docs, vocab, embedder, settings)
    known = Known.of(previous, vocab, settings) if previous is not None else None
    index = index_passages(passages, embedder, vocab, settings, fingerprint, token_budget=token_budget, known=known)
    if save:
        try:
            index.save(index_dir)
            log.info("saved index to %s", index_dir)
        except OSError as exc:
            log.warning("cannot write index to %s (%s); serving from memory", index_dir, exc)
    log.info(
        "built index: %d files, %d passages, %d sentences, model %s, %.1f s",
        len(docs),
        len(passages),
        len(index.sentence_vectors),
        embedder.name,
        time.perf_counter() - t0,
    )
    return index


def index_passages(
    passages: list[Passage],
    embedder: Embedder,
    vocab: Vocabulary,
    settings: IndexSettings,
    fingerprint: dict[str, Any],
    *,
    token_budget: int | None = TOKEN_BUDGET,
    known: Known | None = None,
) -> PassageIndex:
    """Embed passages as `settings` say and hold them in a `PassageIndex` (in memory).

    Passage vectors embed each passage with its context (`passages.embedded_texts`); token vectors
    read the passage alone. Where the two texts are the same (no context, as for BEIR documents) one
    model pass gives both. Texts `known` holds are not embedded again."""
    known = known or Known()
    inputs = [vocab.rewrite_passage(t) for t in embedded_texts(passages, settings.context)]
    plain = [vocab.rewrite_passage(p.readable) for p in passages]
    tokens: TokenMatrix | None = None
    if not _tokens_wanted(passages, settings, token_budget):
        vectors, _ = _encode_reusing(embedder, inputs, vectors_from=known.vectors)
    elif plain == inputs:  # one model pass gives both
        vectors, tokens = _encode_reusing(embedder, inputs, vectors_from=known.vectors, tokens_from=known.tokens)
    else:
        vectors, _ = _encode_reusing(embedder, inputs, vectors_from=known.vectors)
        _, tokens = _encode_reusing(embedder, plain, vectors_from=None, tokens_from=known.tokens)
    if settings.sentence_vectors:
        sentences = [vocab.rewrite_passage(s) for p in passages for s in p.sentence_texts]
        sentence_vectors, _ = _encode_reusing(embedder, sentences, vectors_from=known.sentences)
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


@dataclass
class Known:
    """What an earlier index holds, by the text that was embedded: passage vectors (by the passage with
    its context), token ids and vectors (by the passage alone), sentence vectors."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    tokens: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    sentences: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, index: PassageIndex, vocab: Vocabulary, settings: IndexSettings) -> Known:
        """The texts `index` embedded (built with the same model, settings and vocabulary)."""
        passages = index.passages
        inputs = [vocab.rewrite_passage(t) for t in embedded_texts(passages, settings.context)]
        plain = [vocab.rewrite_passage(p.readable) for p in passages]
        vectors = index.vectors.reconstruct_all()
        known = cls(vectors=dict(zip(inputs, vectors, strict=True)))
        if index.tokens is not None:
            known.tokens = {text: index.tokens.passage(i) for i, text in enumerate(plain)}
        if len(index.sentence_vectors):
            texts = [vocab.rewrite_passage(s) for p in passages for s in p.sentence_texts]
            known.sentences = dict(zip(texts, index.sentence_vectors, strict=True))
        return known


def _encode_reusing(
    embedder: Embedder,
    texts: list[str],
    *,
    vectors_from: dict[str, np.ndarray] | None,
    tokens_from: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, TokenMatrix | None]:
    """`encode_texts` for the texts not already known; the others taken from `vectors_from` (their
    vectors; None when only tokens are wanted, and reused rows are then zeros) and `tokens_from`
    (their token ids and vectors; None when no tokens are wanted)."""
    wanted = [d for d in (vectors_from, tokens_from) if d is not None]
    missing = [i for i, t in enumerate(texts) if not all(t in d for d in wanted)]
    if len(missing) == len(texts):
        return encode_texts(embedder, texts, tokens=tokens_from is not None)
    log.info("reusing %d of %d embedded texts from the previous index", len(texts) - len(missing), len(texts))
    new_vectors, new_tokens = None, None
    if missing:
        new_vectors, new_tokens = encode_texts(embedder, [texts[i] for i in missing], tokens=tokens_from is not None)
    if new_vectors is not None:
        dim = int(new_vectors.shape[1])
    elif vectors_from:
        dim = int(next(iter(vectors_from.values())).shape[0])
    else:
        dim = int(next(iter(tokens_from.values()))[1].shape[1])  # type: ignore[union-attr]
    out = np.zeros((len(texts), dim), dtype=np.float32)
    ids: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    fresh = {i: j for j, i in enumerate(missing)}
    for i, text in enumerate(texts):
        if i in fresh:
            assert new_vectors is not None
            out[i] = new_vectors[fresh[i]]
            if new_tokens is not None:
                new_ids, new_rows = new_tokens.passage(fresh[i])
                ids.append(new_ids)
                rows.append(new_rows)
            continue
        if vectors_from is not None:
            out[i] = vectors_from[text]
        if tokens_from is not None:
            ids.append(tokens_from[text][0])
            rows.append(tokens_from[text][1])
    return out, TokenMatrix.concat(ids, rows, dim) if tokens_from is not None else None


def _tokens_wanted(passages: list[Passage], settings: IndexSettings, token_budget: int | None) -> bool:
    """Whether to keep token vectors: asked for, and a corpus within the token budget (else the log
    says late interaction is off)."""
    if not settings.token_vectors:
        return False
    estimate = sum(len(p.text) for p in passages) // 4  # about four characters a word piece
    if token_budget is not None and estimate > token_budget:
        log.info("late interaction off: about %d tokens, more than the %d kept", estimate, token_budget)
        return False
    return True


def encode_texts(
    embedder: Embedder, texts: list[str], *, tokens: bool, chunk: int = CHUNK, cache: Path | None = None
) -> tuple[np.ndarray, TokenMatrix | None]:
    """The texts' vectors and, with `tokens`, their token matrix (float16), `chunk` texts at a time.

    When there is more than one chunk, each finished chunk is saved under `cache` (default
    ``$ARTICLE_QA_CACHE/embeddings``), keyed by the model's fingerprint and the chunk's texts, and read
    back by a later build: a build that stops halfway resumes where it was, and new weights behind an
    unchanged model name never reuse old vectors. Memory stays at one chunk of model work plus the
    output."""
    from tqdm.auto import tqdm

    starts = range(0, len(texts), chunk)
    folder = None
    if len(starts) > 1:
        folder = (cache or cache_dir() / "embeddings") / _digest(embedder.fingerprint)[:16]
        folder.mkdir(parents=True, exist_ok=True)
    vectors, ids, token_vectors = [], [], []
    for lo in tqdm(starts, desc="embedding", unit="chunk", disable=len(starts) < 2):
        part = texts[lo : lo + chunk]
        path = (
            folder / f"{_digest(('tokens' if tokens else 'vectors') + chr(30) + chr(31).join(part))}.npz"
            if folder
            else None
        )
        got = _read_chunk(path, len(part), tokens) if path is not None else None
        if got is None:
            if tokens:
                v, per_text = embedder.encode_with_tokens(part)
                got = (v, [t.ids for t in per_text], [t.vectors.astype(np.float16) for t in per_text])
            else:
                got = (embedder.encode(part, show_progress=len(starts) < 2), [], [])
            if path is not None:
                _write_chunk(path, *got)
        vectors.append(got[0])
        ids += got[1]
        token_vectors += got[2]
    dim = int(vectors[0].shape[1]) if vectors else embedder.dim
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32)
    return matrix, TokenMatrix.concat(ids, token_vectors, dim) if tokens else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _write_chunk(path: Path, vectors: np.ndarray, ids: list[np.ndarray], token_vectors: list[np.ndarray]) -> None:
    counts = np.array([len(i) for i in ids], dtype=np.int64)
    flat_ids = np.concatenate([np.zeros(0, np.int32), *ids])
    flat = np.concatenate([np.zeros((0, vectors.shape[1]), np.float16), *token_vectors])
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")
    with open(tmp, "wb") as f:
        np.savez(f, vectors=vectors, ids=flat_ids, token_vectors=flat, counts=counts)
    os.replace(tmp, path)


def _read_chunk(path: Path, n: int, tokens: bool) -> tuple[np.ndarray, list, list] | None:
    """A cached chunk, or None when it is missing or does not fit (then it is embedded again)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            vectors, ids, flat, counts = npz["vectors"], npz["ids"], npz["token_vectors"], npz["counts"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if len(vectors) != n or (tokens and len(counts) != n):
        return None
    if not tokens:
        return vectors, [], []
    bounds = list(pairwise(np.concatenate([[0], np.cumsum(counts)])))
    return vectors, [ids[a:b] for a, b in bounds], [flat[a:b] for a, b in bounds]


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"article_qa": __version__, "python": platform.python_version()}
    for pkg in ("sentence-transformers", "torch", "transformers", "faiss-cpu", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
