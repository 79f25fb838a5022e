"""Shared fixtures: a tiny deterministic fake embedder, a small corpus, and the real model (tier 2).

The fake embedder implements the whole `Embedder` protocol, so the fast tests run the production path
(the one-pass build, the query path). It hashes word stems and character trigrams into a
64-dimensional vector, so texts that share words are similar; its "tokens" are the words, each hashed
the same way. It needs no model and gives the same vectors on every machine.

No test writes the project's `index/`: for the whole session ARTICLE_QA_INDEX points at a copy (so
`python app.py`, `retrieve()` and the benchmarks started by tests use that), the real-model retriever
never saves, and the session fails if `index/` changed. `COMMITTED_MANIFEST` is `index/manifest.json`
as it was before any test ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from article_qa.embedding import EncodedQuery, Tokens, normalize
from article_qa.lexical import tokenize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTICLE = CORPUS / "ketamine-for-addiction.txt"
INDEX = ROOT / "index"


def _index_files() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(INDEX.glob("*")) if p.is_file()}


COMMITTED_MANIFEST = json.loads((INDEX / "manifest.json").read_text("utf-8"))
_INDEX_AT_START = _index_files()


@pytest.fixture(scope="session", autouse=True)
def project_index_is_never_written(tmp_path_factory):
    """Point ARTICLE_QA_INDEX at a copy of index/ for the session; fail it if index/ was written."""
    copy = tmp_path_factory.mktemp("project") / "index"
    shutil.copytree(INDEX, copy)
    before = os.environ.get("ARTICLE_QA_INDEX")
    os.environ["ARTICLE_QA_INDEX"] = str(copy)
    yield copy
    if before is None:
        os.environ.pop("ARTICLE_QA_INDEX", None)
    else:
        os.environ["ARTICLE_QA_INDEX"] = before
    assert _index_files() == _INDEX_AT_START, "a test wrote the project's index/"


class FakeEmbedder:
    """Bag of hashed stems and trigrams; deterministic across processes and machines. `calls` counts
    passage encodings (model passes a build makes), `query_calls` questions encoded."""

    def __init__(self, name: str = "fake-hash-64", dim: int = 64, weights: str = "v1"):
        self.name = name
        self.dim = dim
        self.fingerprint = f"{name}@{weights}"
        self.calls = 0
        self.query_calls = 0

    def _features(self, text: str) -> list[str]:
        words = tokenize(text)
        grams = [w[i : i + 3] for w in words for i in range(max(1, len(w) - 2))]
        return words + grams

    def _vectors(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return normalize(out)

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        self.calls += 1
        return self._vectors(texts)

    def _tokens(self, text: str) -> Tokens:
        words = tokenize(text)
        ids = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little") % 30_000 for w in words]
        return Tokens(np.array(ids, dtype=np.int32), self._vectors(words))

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[Tokens]]:
        self.calls += 1
        return self._vectors(texts), [self._tokens(t) for t in texts]

    def encode_query(self, text: str) -> EncodedQuery:
        self.query_calls += 1
        return EncodedQuery(self._vectors([text])[0], self._tokens(text), tuple(tokenize(text)))


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus folder."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def fake_retriever(corpus_copy: Path, tmp_path: Path, fake_embedder: FakeEmbedder):
    from article_qa import Retriever

    return Retriever(corpus_copy, tmp_path / "index", embedder=fake_embedder)


@pytest.fixture(scope="session")
def real_retriever():
    """The shipped corpus and index with the bundled model (tier 2); it never saves an index."""
    from article_qa import Retriever

    return Retriever(CORPUS, INDEX, save=False)
