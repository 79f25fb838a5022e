"""The committed index/ is fresh for the shipped corpus and settings, and holds together."""

from article_qa import Retriever
from article_qa.embedding import DEFAULT_MODEL
from article_qa.index import PassageIndex, stale_reasons

from .conftest import CORPUS, ROOT


class NamedOnly:
    """Stands in for the default model by name; never asked to embed."""

    name = DEFAULT_MODEL
    dim = 384

    def encode(self, texts, *, show_progress=False):  # pragma: no cover - must not be called
        raise AssertionError("the freshness check must not embed")


def test_committed_index_is_fresh():
    index = PassageIndex.load(ROOT / "index")
    expected = Retriever(CORPUS, ROOT / "index", embedder=NamedOnly()).expected_manifest()
    reasons = stale_reasons(index.manifest, expected)
    assert reasons == [], f"index/ is stale ({reasons}); run `make index` and commit it"
    assert index.manifest["dim"] == 384 and index.manifest["normalized"] is True
    assert len(index.passages) == index.manifest["passages"] == 24
