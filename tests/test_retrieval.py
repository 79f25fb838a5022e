"""The retrieve() / Retriever contract on the fake embedder: hits, errors, thresholds, staleness."""

import json
import logging
from pathlib import Path

import pytest

import article_qa
from article_qa import Hit, IndexSettings, RankSettings, Retriever
from article_qa.embedding import Embedder
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


def test_a_ranked_list_does_not_read_the_answerability_signals(fake_retriever, monkeypatch):
    import article_qa.retrieval as retrieval

    judged = fake_retriever.search("cocaine midazolam session", k=3)
    calls = []
    monkeypatch.setattr(retrieval, "gather", lambda *a: calls.append(a) or pytest.fail("signals read"))
    ranked = fake_retriever.search("cocaine midazolam session", k=3, min_score=None)
    assert not calls and [h.passage_id for h in ranked][: len(judged)] == [h.passage_id for h in judged]
    with pytest.raises(pytest.fail.Exception, match="signals read"):
        fake_retriever.ask("cocaine midazolam session", 3)  # a judged answer does read them


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
    if "changed" not in reason:  # the edit lands after the comment form: no passage changes, none is embedded
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
            settings=IndexSettings(context="none"),
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
        IndexSettings(context="everything")
    with pytest.raises(ValueError, match="lexical_weight"):
        RankSettings(lexical_weight=2)
    with pytest.raises(ValueError, match="token_weight"):
        RankSettings(token_weight=-0.1)
    with pytest.raises(ValueError, match="token_candidates"):
        RankSettings(token_candidates=0)


def test_changing_a_ranking_setting_rebuilds_nothing(fake_retriever, tmp_path, caplog):
    fake_retriever.load()
    before = (tmp_path / "index" / "manifest.json").read_bytes()
    embedder = FakeEmbedder()
    other = RankSettings(lexical_weight=0.0, sentence_weight=0.1, token_weight=0.9, spelling=False, min_score=0.5)
    with caplog.at_level(logging.WARNING):
        r = Retriever(fake_retriever.corpus_dir, tmp_path / "index", embedder=embedder, ranking=other)
        r.search("cocaine midazolam session", 3, min_score=None)
    assert embedder.calls == 0 and "stale" not in caplog.text
    assert (tmp_path / "index" / "manifest.json").read_bytes() == before
    assert "lexical_weight" not in json.loads(before)["settings"]


def test_fake_embedder_implements_the_whole_protocol(fake_embedder):
    assert isinstance(fake_embedder, Embedder)


def test_fast_tier_runs_the_query_path_and_the_build(fake_retriever, fake_embedder):
    fake_retriever.search("cocaine midazolam session", 3)
    assert fake_embedder.query_calls == 1  # the question went through encode_query
    assert fake_retriever.load().tokens is not None  # token vectors were built through encode_with_tokens


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
    assert approx._ready().vectors.size == 0  # scored through FAISS, not a full matrix product


def test_late_interaction_scores_each_question_token_by_its_best_match(corpus_copy, tmp_path):
    """With only late interaction, a passage's score is the idf-weighted mean, over the question's
    tokens, of each token's best cosine among the passage's tokens, computed here by hand."""
    import numpy as np

    ranking = RankSettings(lexical_weight=0.0, sentence_weight=0.0, token_weight=1.0, phrase_weight=0.0, spelling=False)
    r = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), ranking=ranking)
    question = "midazolam session cocaine abstinent"
    hits = r.search(question, k=24, min_score=None)
    index, q = r.load(), r.embedder.encode_query(r._ready().vocabulary.rewrite_query(question)).tokens
    t, n = index.tokens, len(index.passages)
    df = {
        i: sum(i in set(t.ids[a:b].tolist()) for a, b in zip(t.offsets[:-1], t.offsets[1:], strict=True)) for i in q.ids
    }
    w = np.array([np.log1p((n - df[i] + 0.5) / (df[i] + 0.5)) for i in q.ids.tolist()])
    w = w / w.sum()
    for h in hits:
        j = index.passages.index(next(p for p in index.passages if p.passage_id == h.passage_id))
        rows = t.vectors[t.offsets[j] : t.offsets[j + 1]].astype(np.float32)
        assert h.score == pytest.approx(float(w @ (q.vectors @ rows.T).max(1)), abs=1e-3)
    assert "midazolam" in hits[0].text and "cocaine" in hits[0].text


def test_late_interaction_on_candidates_matches_scoring_them_all(corpus_copy, tmp_path):
    import numpy as np

    from article_qa.ranking import rank

    r = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder())
    state = r._ready()
    query = state.query_text("did the ketamine group drink less at six months")
    encoded = r.embedder.encode_query(query)
    everything = rank(state, query, encoded, RankSettings()).scores
    candidates = rank(state, query, encoded, RankSettings(token_candidates=6)).scores
    same = np.isclose(everything, candidates, atol=1e-6)
    assert same.sum() >= 6  # the six candidates are scored exactly as before
    assert not same.all()  # the others are not: they keep the lowest candidate's token score
    assert candidates[~same].max() <= candidates[same].min() + 1e-6
    assert int(np.argmax(candidates)) == int(np.argmax(everything))


def test_token_budget_turns_late_interaction_off_with_a_log_line(corpus_copy, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="article_qa")
    r = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), token_budget=100)
    assert r.load().tokens is None and r.load().manifest["tokens"] == 0
    assert not (tmp_path / "index" / "tokens.npz").exists()
    assert "late interaction off" in caplog.text
    assert r.search("cocaine midazolam session", 3)  # still answers, on the first stage alone


def test_next_passage_context_stays_in_its_section(fake_retriever):
    from article_qa.passages import embedded_text

    ps = fake_retriever.passages
    by = {p.paragraph: p for p in ps}
    ten = embedded_text(by[10], "title+section+next", by[9], by[11])
    assert by[10].text in ten and by[11].text in ten and by[9].text not in ten
    assert ten.startswith(by[10].title) and by[10].section in ten
    last = embedded_text(by[15], "title+section+next", by[14], by[16])  # ¶16 opens the next section
    assert by[16].text not in last and last.endswith(by[15].text)


def test_one_article_of_several_can_be_asked(corpus_copy, tmp_path):
    (corpus_copy / "coffee.md").write_text(
        "# Coffee and Sleep\n\n## Findings\n\nCaffeine late in the day delays sleep by about forty minutes.\n\n"
        "Cocaine is not caffeine, and this article is about coffee.\n",
        "utf-8",
    )
    r = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder())
    assert r.articles == ["Coffee and Sleep", "Can Ketamine Be Used to Treat Addictions?"]  # in file order
    everywhere = r.search("cocaine", 30, min_score=None)
    assert {h.source for h in everywhere} == {"coffee.md", "ketamine-for-addiction.txt"}
    coffee = r.search("cocaine", 30, min_score=None, article="coffee and sleep")
    assert {h.source for h in coffee} == {"coffee.md"} and len(coffee) == 2
    assert coffee[0].title == "Coffee and Sleep"
    by_file = r.ask("cocaine", 3, article="ketamine-for-addiction.txt")
    assert {h.source for h in by_file.hits} == {"ketamine-for-addiction.txt"}
    with pytest.raises(ValueError, match=r"no article .tea. in the corpus; it holds: Coffee and Sleep"):
        r.search("cocaine", 3, article="tea")


def test_a_first_build_is_not_a_warning_but_a_damaged_index_is(corpus_copy, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="article_qa"):
        Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder()).load()
    first = [r for r in caplog.records if "index" in r.getMessage()]
    assert any("first use" in r.getMessage() and r.levelno == logging.INFO for r in first)
    assert not any(r.levelno >= logging.WARNING for r in first)
    caplog.clear()
    (tmp_path / "index" / "manifest.json").write_text("{not json", "utf-8")
    with caplog.at_level(logging.INFO, logger="article_qa"):
        Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder()).load()
    assert any(r.levelno == logging.WARNING and "cannot use index" in r.getMessage() for r in caplog.records)


def test_a_greeting_and_thanks_around_a_question_change_nothing(fake_retriever):
    plain = fake_retriever.search("Does ketamine help with alcohol use disorder?", 3, min_score=None)
    for polite in ("Hi there! Does ketamine help with alcohol use disorder? Thanks in advance.",
                   "hello, Does ketamine help with alcohol use disorder? please"):  # fmt: skip
        assert [(h.passage_id, h.score) for h in fake_retriever.search(polite, 3, min_score=None)] == [
            (h.passage_id, h.score) for h in plain
        ]
    assert fake_retriever.ask("Thanks!", 3).question == "Thanks!"  # nothing else: read as it is


def test_a_message_of_several_questions_gets_each_ones_first_passage_in_turn(fake_retriever):
    first = "How is ketamine given to patients, orally or by injection?"
    second = "Does ketamine help people with alcohol use disorder?"
    alone = [fake_retriever.search(q, 3, min_score=None) for q in (first, second)]
    assert alone[0][0].passage_id != alone[1][0].passage_id  # two questions with answers of their own
    both = fake_retriever.search(f"{first} {second}", 3, min_score=None)
    assert [h.passage_id for h in both[:2]] == [alone[0][0].passage_id, alone[1][0].passage_id]  # as asked
    assert [h.rank for h in both] == [1, 2, 3] and len({h.passage_id for h in both}) == 3
    answer = fake_retriever.ask(f"{first} {second}", 3)
    assert {h.passage_id for h in answer.hits[:2]} == {alone[0][0].passage_id, alone[1][0].passage_id}
