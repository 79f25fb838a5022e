"""Building an index on the fake embedder: the one-pass build, the chunk cache, the BEIR path."""

import numpy as np
import pytest

from article_qa import IndexSettings, RankSettings, Retriever
from article_qa.build import encode_texts
from article_qa.evaluation import beir_passages, beir_settings, evaluate_beir

from .conftest import FakeEmbedder
from .support import BEIR_DOCS, BEIR_QUERIES, write_beir


class CountingEmbedder(FakeEmbedder):
    """The fake, counting which of its passage methods a build calls and with how many texts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = {"encode": 0, "encode_with_tokens": 0}

    def encode(self, texts, *, show_progress=False):
        self.texts["encode"] += len(texts)
        return super().encode(texts, show_progress=show_progress)

    def encode_with_tokens(self, texts):
        self.texts["encode_with_tokens"] += len(texts)
        return super().encode_with_tokens(texts)


def test_documents_without_context_are_embedded_once_for_vectors_and_tokens(tmp_path):
    passages = beir_passages(write_beir(tmp_path / "beir"))
    embedder = CountingEmbedder()
    r = Retriever.from_passages(passages, embedder, *beir_settings())
    assert embedder.texts == {"encode": 0, "encode_with_tokens": len(BEIR_DOCS)}  # one pass gives both
    assert r.load().tokens is not None and len(r.load().tokens.counts) == len(BEIR_DOCS)
    assert len(r.load().sentence_vectors) == 0  # no sentence vectors asked for


def test_passages_with_context_embed_vectors_and_tokens_from_their_own_texts(corpus_copy, tmp_path):
    embedder = CountingEmbedder()
    index = Retriever(corpus_copy, tmp_path / "index", embedder=embedder).load()
    n_sentences = sum(len(p.sentences) for p in index.passages)
    # passages with context (vectors), passages alone (tokens), and every sentence (vectors)
    assert embedder.texts == {"encode": 24 + n_sentences, "encode_with_tokens": 24}


def test_encode_texts_resumes_from_its_cache_for_vectors_and_tokens(tmp_path):
    texts = [f"text number {i} about ketamine" for i in range(50)]
    for tokens in (False, True):
        first = FakeEmbedder()
        a, ta = encode_texts(first, texts, tokens=tokens, chunk=8, cache=tmp_path)
        assert first.calls == 7 and a.shape == (50, 64)
        files = sorted(tmp_path.rglob("*.npz"), key=lambda p: p.stat().st_mtime)
        for f in files[3:]:  # as if the build had stopped after three chunks
            f.unlink()
        again = FakeEmbedder()
        b, tb = encode_texts(again, texts, tokens=tokens, chunk=8, cache=tmp_path)
        assert again.calls == 4 and np.array_equal(a, b)
        if tokens:
            assert np.array_equal(ta.ids, tb.ids) and np.array_equal(ta.vectors, tb.vectors)
            assert ta.counts.tolist() == [len(t.split()) - 1 for t in texts]  # "about" is a stop word
        for f in tmp_path.rglob("*.npz"):
            f.unlink()


def test_new_weights_behind_the_same_name_never_reuse_cached_vectors(tmp_path):
    texts = [f"text number {i}" for i in range(20)]
    encode_texts(FakeEmbedder(weights="v1"), texts, tokens=False, chunk=8, cache=tmp_path)
    retrained = FakeEmbedder(weights="v2")  # same name, other weights
    encode_texts(retrained, texts, tokens=False, chunk=8, cache=tmp_path)
    assert retrained.calls == 3  # every chunk embedded again


def test_beir_evaluation_on_a_tiny_folder(tmp_path):
    m = evaluate_beir(write_beir(tmp_path / "beir"), FakeEmbedder())
    assert m["documents"] == len(BEIR_DOCS) and m["queries"] == len(BEIR_QUERIES)
    assert m["recall@100"] == 1.0  # five documents: every relevant one is within the first 100
    assert 0.8 <= m["ndcg@10"] <= 1.0  # each query's words are its relevant document's own


def test_settings_for_beir():
    index, ranking = beir_settings(lexical_weight=0.5, token_weight=0.0)
    assert index == IndexSettings(context="none", vocabulary=False, sentence_vectors=False, token_vectors=False)
    assert ranking == RankSettings(lexical_weight=0.5, sentence_weight=0.0, token_weight=0.0, spelling=False)


@pytest.mark.parametrize("budget, kept", [(None, True), (10, False)])
def test_token_budget(tmp_path, budget, kept):
    r = Retriever.from_passages(beir_passages(write_beir(tmp_path / "beir")), FakeEmbedder(), token_budget=budget)
    assert (r.load().tokens is not None) is kept


def test_adding_an_article_embeds_only_its_texts(corpus_copy, tmp_path, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="article_qa")
    first = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder())
    before = first.load()
    (corpus_copy / "coffee.md").write_text(
        "# Coffee and Sleep\n\n## Findings\n\nCaffeine late in the day delays sleep. It lasts hours.\n\n"
        "Decaffeinated tea is better in the evening.\n",
        "utf-8",
    )
    embedder = CountingEmbedder()
    after = Retriever(corpus_copy, tmp_path / "index", embedder=embedder).load()
    new = [p for p in after.passages if p.source == "coffee.md"]
    sentences = sum(len(p.sentences) for p in new)
    # the new article's passages with context, its passages alone (tokens), its sentences; nothing else
    assert embedder.texts == {"encode": len(new) + sentences, "encode_with_tokens": len(new)}
    scratch = Retriever(corpus_copy, tmp_path / "scratch", embedder=FakeEmbedder()).load()
    np.testing.assert_allclose(after.vectors.reconstruct_all(), scratch.vectors.reconstruct_all(), atol=1e-6)
    np.testing.assert_allclose(after.sentence_vectors, scratch.sentence_vectors, atol=1e-6)
    assert after.tokens.ids.tolist() == scratch.tokens.ids.tolist()
    np.testing.assert_array_equal(after.tokens.vectors, scratch.tokens.vectors)
    assert [p.passage_id for p in after.passages if p.source != "coffee.md"] == [p.passage_id for p in before.passages]
    assert "reusing 24 of 26 embedded texts from the previous index" in caplog.text  # 2 new passages
