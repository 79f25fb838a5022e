"""The committed index/ is fresh for the shipped corpus and settings, and holds together.

The manifest checked is the one read before any test ran (`conftest.COMMITTED_MANIFEST`), and no test
writes index/, so the check holds whatever order the tests run in.
"""

from article_qa import IndexSettings, Retriever
from article_qa.embedding import DEFAULT_MODEL, SentenceTransformerEmbedder
from article_qa.index import PassageIndex, stale_reasons

from .conftest import COMMITTED_MANIFEST, CORPUS, INDEX


class NamedOnly:
    """Stands in for the default model by name and fingerprint; never asked to embed."""

    name = DEFAULT_MODEL
    dim = 384
    fingerprint = SentenceTransformerEmbedder(DEFAULT_MODEL).fingerprint  # hashes the weights, loads nothing

    def encode(self, texts, *, show_progress=False):  # pragma: no cover - must not be called
        raise AssertionError("the freshness check must not embed")


def test_committed_index_is_fresh():
    expected = Retriever(CORPUS, INDEX, embedder=NamedOnly()).expected_manifest()
    reasons = stale_reasons(COMMITTED_MANIFEST, expected)
    assert reasons == [], f"index/ is stale ({reasons}); run `make index` and commit it"
    assert COMMITTED_MANIFEST["settings"] == {
        **vars(IndexSettings()),
        "vocabulary_sha256": expected["settings"]["vocabulary_sha256"],
    }


def test_committed_index_holds_together():
    index = PassageIndex.load(INDEX)
    assert index.manifest == COMMITTED_MANIFEST
    assert index.manifest["dim"] == 384 and index.manifest["normalized"] is True
    assert len(index.passages) == index.manifest["passages"] == 24
    assert index.tokens is not None and len(index.tokens) == index.manifest["tokens"] > 0
