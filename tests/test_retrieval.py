"""The retrieve() / Retriever contract on the fake embedder: hits, errors, thresholds, staleness."""

import logging
from pathlib import Path

import pytest

import article_qa
from article_qa import Hit, Retriever, Settings
from article_qa.index import PassageIndex

from .conftest import FakeEmbedder


def test_hits_are_verbatim_ranked_and_cited(fake_retriever):
    hits = fake_retriever.search("cocaine use disorder midazolam session", k=3, min_score=None)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score
    source = (fake_retriever.corpus_dir / hits[0].source).read_text("utf-8")
    for h in hits:
        assert isinstance(h, Hit)
        assert source[h.start : h.end] == h.text
        assert h.start <= h.highlight_start < h.highlight_end <= h.end
        assert h.highlight in h.text
        assert h.citation == f"{h.section or 'Introduction'}, ¶{h.paragraph} ({h.source})"
        assert h.passage_id == f"ketamine-for-addiction:{h.paragraph}"


def test_min_score_none_returns_exactly_k_or_all(fake_retriever):
    assert len(fake_retriever.search("zzzz qqqq", k=5, min_score=None)) == 5
    assert len(fake_retriever.search("ketamine", k=1000, min_score=None)) == 24


def test_threshold_can_empty_the_answer(fake_retriever):
    assert fake_retriever.search("ketamine", k=3, min_score=2.0) == []
    assert fake_retriever.search("ketamine", k=3, min_score=-1.0) != []


@pytest.mark.parametrize(
    "question, k, error, message",
    [
        (None, 3, TypeError, "question must be a str"),
        (b"bytes", 3, TypeError, "question must be a str"),
        (42, 3, TypeError, "question must be a str"),
        ("", 3, ValueError, "empty"),
        ("   \n\t", 3, ValueError, "empty"),
        ("\x00\x01", 3, ValueError, "empty"),
        ("ok", 0, ValueError, "at least 1"),
        ("ok", -2, ValueError, "at least 1"),
        ("ok", 2.5, TypeError, "whole number"),
        ("ok", "3", TypeError, "whole number"),
        ("ok", True, TypeError, "whole number"),
    ],
)
def test_bad_input_raises_documented_errors(fake_retriever, question, k, error, message):
    with pytest.raises(error, match=message):
        fake_retriever.search(question, k)


def test_retrieve_checks_input_before_loading_anything(monkeypatch):
    def must_not_load():
        raise AssertionError("the model and index were loaded for a bad question")

    monkeypatch.setattr(article_qa.retrieval, "default_retriever", must_not_load)
    with pytest.raises(TypeError):
        article_qa.retrieve(None)
    with pytest.raises(ValueError):
        article_qa.retrieve("ok", k=0)


def test_long_and_odd_questions_are_accepted(fake_retriever):
    assert len(fake_retriever.search("ketamine " * 200_000, k=2, min_score=None)) == 2
    for q in ["\ud800 lone surrogate", "¿La ketamina ayuda?", "氯胺酮有用吗", "😀", "???", "<script>x</script>"]:
        assert len(fake_retriever.search(q, k=1, min_score=None)) == 1


def test_index_is_built_once_then_reused(fake_retriever, fake_embedder, tmp_path):
    fake_retriever.search("ketamine", k=1)
    assert (tmp_path / "index" / "manifest.json").is_file()
    again = Retriever(fake_retriever.corpus_dir, tmp_path / "index", embedder=FakeEmbedder())
    again.load()
    assert again.embedder.calls == 0  # loaded from disk, nothing embedded


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda c: (c / "ketamine-for-addiction.txt").write_text(
                (c / "ketamine-for-addiction.txt").read_text("utf-8") + "\n\nA new closing paragraph.", "utf-8"
            ),
            "corpus file changed: ketamine-for-addiction.txt",
        ),
        (
            lambda c: (c / "second.md").write_text("# Second\n\nAnother article.", "utf-8"),
            "corpus file added: second.md",
        ),
        (lambda c: (c / "synonyms.solr").write_text("habit => addiction\n", "utf-8"), "vocabulary_sha256"),
    ],
)
def test_stale_index_is_rebuilt_with_a_log_line(fake_retriever, tmp_path, caplog, change, reason):
    fake_retriever.load()
    change(fake_retriever.corpus_dir)
    fresh = Retriever(fake_retriever.corpus_dir, tmp_path / "index", embedder=FakeEmbedder())
    with caplog.at_level(logging.WARNING):
        fresh.load()
    assert "stale" in caplog.text and reason in caplog.text
    assert fresh.embedder.calls > 0
    assert PassageIndex.load(tmp_path / "index").manifest["corpus"] == fresh.expected_manifest()["corpus"]


def test_other_model_or_setting_makes_the_index_stale(fake_retriever, tmp_path, caplog):
    fake_retriever.load()
    with caplog.at_level(logging.WARNING):
        Retriever(fake_retriever.corpus_dir, tmp_path / "index", embedder=FakeEmbedder("other-model")).load()
    assert "model changed: 'fake-hash-64' -> 'other-model'" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Retriever(
            fake_retriever.corpus_dir,
            tmp_path / "index",
            embedder=FakeEmbedder("other-model"),
            settings=Settings(context="none"),
        ).load()
    assert "setting context changed" in caplog.text


def test_damaged_index_is_rebuilt(fake_retriever, tmp_path, caplog):
    fake_retriever.load()
    (tmp_path / "index" / "passages.faiss").write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING):
        r = Retriever(fake_retriever.corpus_dir, tmp_path / "index", embedder=FakeEmbedder())
        assert len(r.search("ketamine", 2, min_score=None)) == 2
    assert "not a readable FAISS index" in caplog.text
    PassageIndex.load(tmp_path / "index")  # repaired on disk


def test_read_only_index_folder_serves_from_memory(corpus_copy, tmp_path, caplog, monkeypatch):
    def refuse(self, directory):
        raise PermissionError(13, "Permission denied", str(directory))

    monkeypatch.setattr(PassageIndex, "save", refuse)
    with caplog.at_level(logging.WARNING):
        r = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder())
        assert r.search("ketamine", 1, min_score=None)
    assert "serving from memory" in caplog.text


def test_unwritable_index_location_serves_from_memory(corpus_copy, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        r = Retriever(corpus_copy, blocker / "index", embedder=FakeEmbedder())
        assert r.search("ketamine", 1, min_score=None)
    assert "serving from memory" in caplog.text


def test_settings_are_checked():
    with pytest.raises(ValueError, match="context"):
        Settings(context="everything")
    with pytest.raises(ValueError, match="lexical_weight"):
        Settings(lexical_weight=2)


def test_public_names():
    assert set(article_qa.__all__) >= {"retrieve", "Retriever", "Hit", "Passage", "__version__"}
    assert Path(article_qa.__file__).parent.name == "article_qa"


def test_approximate_index_is_searched_through_faiss(corpus_copy, tmp_path, monkeypatch):
    from article_qa.index import VectorIndex

    exact = Retriever(corpus_copy, tmp_path / "exact", embedder=FakeEmbedder())
    expected = [h.passage_id for h in exact.search("cocaine midazolam session", 3, min_score=None)]
    fit = VectorIndex.fit.__func__
    monkeypatch.setattr(VectorIndex, "fit", classmethod(lambda cls, v, **kw: fit(cls, v, hnsw_threshold=5)))
    approx = Retriever(corpus_copy, tmp_path / "hnsw", embedder=FakeEmbedder())
    assert approx.load().vectors.kind == "hnsw" and approx.load().manifest["faiss_index"] == "hnsw"
    assert [h.passage_id for h in approx.search("cocaine midazolam session", 3, min_score=None)] == expected
    assert approx._loaded.vectors.size == 0  # scored through FAISS, not a full matrix product
