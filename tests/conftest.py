"""Shared fixtures: a tiny deterministic fake embedder, a small corpus, and the real model (tier 2).

The fake embedder hashes word stems and character trigrams into a 64-dimensional vector, so texts that
share words are similar; its "tokens" are the words, each hashed the same way. It needs no model and
gives the same vectors on every machine.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from article_qa.embedding import Tokens, normalize
from article_qa.lexical import tokenize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTICLE = CORPUS / "ketamine-for-addiction.txt"


class FakeEmbedder:
    """Bag of hashed stems and trigrams; deterministic across processes and machines."""

    def __init__(self, name: str = "fake-hash-64", dim: int = 64):
        self.name = name
        self.dim = dim
        self.calls = 0

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

    def encode_tokens(self, texts: list[str]) -> list[Tokens]:
        out = []
        for text in texts:
            words = tokenize(text)
            ids = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little") % 30_000
                   for w in words]  # fmt: skip
            out.append(Tokens(np.array(ids, dtype=np.int32), self._vectors(words)))
        return out

    def encode_query_tokens(self, text: str) -> Tokens:
        return self.encode_tokens([text])[0]


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
    """The shipped corpus and index with the bundled model (loads torch: tier 2)."""
    from article_qa import Retriever

    return Retriever(CORPUS, ROOT / "index")
