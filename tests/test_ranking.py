"""Each ranking stage on small hand-made arrays, then the chain on a hand-made index."""

import re

import numpy as np
import pytest

from article_qa.embedding import EncodedQuery, Tokens, normalize
from article_qa.index import PassageIndex, TokenMatrix, VectorIndex
from article_qa.lexical import idf
from article_qa.passages import Passage
from article_qa.ranking import (
    HIGHLIGHT_LEXICAL,
    MatrixProducts,
    QueryTerms,
    Ranking,
    RankingState,
    RankSettings,
    best_sentence_scores,
    blend,
    dense_scores,
    gather_rows,
    highlight,
    highlights,
    late_interaction,
    lexical_coverage,
    mark_sentence,
    passage_products,
    products,
    rank,
    token_weights,
)
from article_qa.vocabulary import Vocabulary


def unit(*rows):
    return normalize(np.array(rows, dtype=np.float32))


def test_dense_scores_are_cosines():
    v = unit([1, 0, 0], [1, 1, 0], [0, 0, 1])
    np.testing.assert_allclose(dense_scores(v, unit([1, 0, 0])[0]), [1, 2**-0.5, 0], atol=1e-6)


def test_best_sentence_per_passage_and_fallback_without_sentences():
    scores = np.array([0.2, 0.9, 0.4, 0.1], np.float32)
    offsets = np.array([0, 2, 2, 4])  # passage 0: sentences 0-1; passage 1: none; passage 2: 2-3
    got = best_sentence_scores(scores, offsets, np.array([0.5, 0.6, 0.7], np.float32))
    np.testing.assert_allclose(got, [0.9, 0.6, 0.4])
    no_sentences = best_sentence_scores(np.zeros(0, np.float32), offsets, np.array([0.5, 0.6, 0.7]))
    np.testing.assert_allclose(no_sentences, [0.5, 0.6, 0.7])


def test_lexical_coverage_is_a_clipped_share():
    np.testing.assert_allclose(lexical_coverage(np.array([0, 2, 5, 9], np.float32), 4.0), [0, 0.5, 1, 1])
    np.testing.assert_allclose(lexical_coverage(np.array([0, 0.3], np.float32), 0.0), [0, 0.3])


def test_token_weights_follow_idf_and_sum_to_one():
    token_idf = np.array([0.5, 1.5, 2.0])
    w = token_weights(np.array([0, 2, 7]), token_idf, n_docs=4)  # id 7: no passage has it
    unseen = float(idf(4, 0))
    np.testing.assert_allclose(w, np.array([0.5, 2.0, unseen]) / (2.5 + unseen), rtol=1e-6)
    assert w.dtype == np.float32 and w.sum() == pytest.approx(1.0)


def test_late_interaction_by_hand():
    q = unit([1, 0], [0, 1])
    rows = unit([1, 0], [1, 1], [0, 1], [1, 1])  # passage 0: rows 0-1, passage 1: row 2, passage 2: none, 3: row 3
    weights = np.array([0.75, 0.25], np.float32)
    got = late_interaction(products(q, rows), weights, np.array([2, 1, 0, 1]))
    half = 2**-0.5
    # passage 0: token 1 best 1.0 (row 0), token 2 best half (row 1); passage 1: 0 and 1
    np.testing.assert_allclose(got, [0.75 + 0.25 * half, 0.25, 0.0, half], atol=1e-6)
    assert late_interaction(products(q, np.zeros((0, 2), np.float32)), weights, np.array([0, 0])).tolist() == [0, 0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("block", [1, 5, 64, 10_000])
def test_products_block_by_block_equal_the_gathered_rows_at_once(dtype, block):
    """Gathering and multiplying a few rows at a time gives the same numbers as all the rows at once,
    passages of no tokens and a passage larger than a block included, in the passages' order."""
    rng = np.random.default_rng(block)
    counts = rng.integers(0, 9, 40)
    counts[3] = 0
    offsets = np.concatenate([[0], np.cumsum(counts)])
    matrix = rng.standard_normal((int(offsets[-1]), 8)).astype(dtype)
    q = rng.standard_normal((3, 8)).astype(np.float32)
    passages = rng.permutation(40)[:25]
    want = products(q, gather_rows(matrix, offsets, passages))
    got = passage_products(q, matrix, offsets, passages, block)
    assert got.shape == want.shape == (3, int(counts[passages].sum()))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert passage_products(q, matrix, offsets, passages[:0], block).shape == (3, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("prepack_rows", [0, 10_000])
def test_matrix_products_equal_numpys_laid_out_or_not(dtype, prepack_rows, monkeypatch):
    """A fixed matrix's products (laid out once for the kernels, or multiplied as it is; a float16
    matrix through `products`) equal numpy's float32 product, for one question token or many, and the
    matrix is read, never changed."""
    monkeypatch.setattr("article_qa.ranking.PREPACK_ROWS", prepack_rows)
    rng = np.random.default_rng(prepack_rows)
    matrix = rng.standard_normal((300, 16)).astype(dtype)
    kept = matrix.copy()
    m = MatrixProducts(matrix)
    assert (m._session is not None) == (dtype == np.float32)  # float32 runs on ONNX Runtime, not a fallback
    for n in (1, 7):
        q = rng.standard_normal((n, 16)).astype(np.float32)
        got = m(q)
        assert got.shape == (n, 300) and got.dtype == np.float32
        np.testing.assert_allclose(got, q @ matrix.astype(np.float32).T, rtol=1e-5, atol=1e-4)
    assert m(np.zeros((0, 16), np.float32)).shape == (0, 300)
    np.testing.assert_array_equal(matrix, kept)


def test_a_ranking_states_token_products_are_its_whole_token_matrixs(monkeypatch):
    """`RankingState.token_products` multiplies by the state's own token matrix, made once."""
    rng = np.random.default_rng(3)
    matrix = normalize(rng.standard_normal((12, 4)).astype(np.float32))
    state = RankingState.__new__(RankingState)
    state.token_vectors = matrix
    q = normalize(rng.standard_normal((2, 4)).astype(np.float32))
    np.testing.assert_allclose(state.token_products(q), q @ matrix.T, atol=1e-6)
    assert state.token_products is state.token_products


@pytest.mark.parametrize("seed", range(5))
def test_the_best_k_are_the_first_k_of_the_whole_order(seed):
    """Picking the k best and sorting only them gives the whole order's first k, ties included."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 30, 500).astype(np.float32) / 30  # many ties
    for k in (0, 1, 2, 3, 17, 100, 124, 125, 499, 500, 600):
        got = Ranking(scores, np.zeros(0)).best(k)
        assert got.tolist() == np.argsort(-scores, kind="stable")[:k].tolist(), k


def test_blend():
    np.testing.assert_allclose(blend(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.25), [0.75, 0.25])
    np.testing.assert_allclose(blend(np.array([1.0, 0.0]), 0.5, 1.0), [0.5, 0.5])


def test_mark_sentence_prefers_the_rarer_words_then_the_model():
    # a sentence holding all the question's rarer words beats a closer one that holds none
    assert mark_sentence(np.array([0.9, 0.5]), np.array([0.0, 3.0]), 3.0) == 1
    # with the same words, the model decides; with none at all, too
    assert mark_sentence(np.array([0.4, 0.6]), np.array([1.0, 1.0]), 3.0) == 1
    assert mark_sentence(np.array([0.4, 0.6, 0.1]), np.zeros(3), 0.0) == 1
    # the weight is what it says: a word share of s is worth HIGHLIGHT_LEXICAL * s of similarity
    gap = HIGHLIGHT_LEXICAL * 0.5
    assert mark_sentence(np.array([gap + 0.01, 0.0]), np.array([0.0, 1.0]), 2.0) == 0


def tiny_state(tokens: bool = True) -> RankingState:
    """Three passages on the x, y and z axes of a 3-d space, with one token each and two sentences
    for the first."""
    texts = ["Ketamine helps. Alcohol too.", "Cocaine craving fell.", "Paris is far."]
    passages, start = [], 0
    for i, text in enumerate(texts):
        spans = ((start, start + 15), (start + 16, start + 28)) if i == 0 else ((start, start + len(text)),)
        passages.append(Passage(f"t:{i + 1}", text, "t.txt", None, i + 1, start, start + len(text), sentences=spans))
        start += len(text) + 2
    vectors = unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    sentences = unit([1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1])
    matrix = TokenMatrix.concat([np.array([i], np.int32) for i in range(3)], list(vectors[:, None, :]), 3)
    index = PassageIndex(passages, VectorIndex.fit(vectors), sentences, {}, matrix if tokens else None)
    return RankingState.prepare(index, Vocabulary())


def query(vector, token_vectors, ids) -> EncodedQuery:
    return EncodedQuery(unit(vector)[0], Tokens(np.array(ids, np.int32), unit(*token_vectors)))


def test_rank_chains_the_stages_with_their_weights():
    state = tiny_state()
    q = query([1, 1, 0], [[0, 1, 0]], [1])
    settings = RankSettings(lexical_weight=0.2, sentence_weight=0.5, token_weight=0.4)
    got = rank(state, "cocaine", q, settings)
    dense = dense_scores(state.vectors, q.vector)
    best = best_sentence_scores(got.sentence_scores, state.index.sentence_offsets, dense)
    lexical = lexical_coverage(state.bm25.scores(["cocaine"]), state.bm25.best_score(["cocaine"]))
    first = blend(blend(dense, best, 0.5), lexical, 0.2)
    late = np.array([0.0, 1.0, 0.0])  # the question's one token is passage 2's token, orthogonal to the others
    np.testing.assert_allclose(got.scores, blend(first, late, 0.4), atol=1e-6)
    assert int(np.argmax(got.scores)) == 1


def state_of(texts: list[str], vectors: np.ndarray) -> RankingState:
    """A ranking state over one-sentence passages of `texts`, embedded as `vectors` (no token vectors)."""
    passages, start = [], 0
    for i, text in enumerate(texts):
        spans = ((start, start + len(text)),)
        passages.append(Passage(f"p:{i + 1}", text, "p.txt", None, i + 1, start, start + len(text), sentences=spans))
        start += len(text) + 2
    return RankingState.prepare(PassageIndex(passages, VectorIndex.fit(vectors), vectors, {}, None), Vocabulary())


def test_a_phrase_held_side_by_side_lifts_its_passage_and_the_judge_reads_the_scores_before():
    from article_qa.answerability import gather

    texts = ["The plan of the authors: lab work in the future.", "As future work, the authors plan a study.", "Paris."]
    state = state_of(texts, unit([1, 0, 0], [1, 0, 0], [0, 0, 1]))  # the two plans tie for the model
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    question = "What future work do the authors plan?"
    plain = rank(state, question, q, RankSettings(phrase_weight=0.0, token_weight=0.0))
    got = rank(state, question, q, RankSettings(phrase_weight=0.05, token_weight=0.0))
    assert int(np.argmax(got.scores)) == 1 and got.scores[1] > plain.scores[1]  # ("future", "work") side by side
    assert got.scores[0] == plain.scores[0]  # the same words apart earn nothing for that
    np.testing.assert_allclose(got.signal_scores, plain.scores)  # what the answerability signals read
    evidence = gather(state, question, question, q, got)
    assert evidence.top_score == pytest.approx(float(plain.scores[1]))
    assert evidence.margin == 0.0  # put first by the bonus alone: no lead of its own over the second


def test_a_question_the_article_asks_is_no_answer_to_the_readers():
    texts = ["How do we set the threshold? We see that later.", "The threshold is three deviations.", "Why so?"]
    passages, start = [], 0
    for i, text in enumerate(texts):
        cuts = [m.end() for m in re.finditer(r"[.?] ", text)]
        spans = tuple((start + a, start + b) for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True))
        passages.append(Passage(f"p:{i + 1}", text, "p.txt", None, i + 1, start, start + len(text), sentences=spans))
        start += len(text) + 2
    vectors = unit([1, 0.1, 0], [0.8, 0.6, 0], [0.7, 0, 0.7])
    sentences = unit([1, 0, 0], [0, 0, 1], [0.8, 0.6, 0], [0.9, 0, 0.3])  # the first sentence is the question
    state = RankingState.prepare(PassageIndex(passages, VectorIndex.fit(vectors), sentences, {}, None), Vocabulary())
    assert state.asking_sentences.tolist() == [True, False, False, True]
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    settings = RankSettings(lexical_weight=0.0, token_weight=0.0, phrase_weight=0.0)
    got = rank(state, "How do we set the threshold?", q, settings)
    assert int(np.argmax(got.scores)) == 1  # passage 1's question matched the reader's best, and answers nothing
    dense = dense_scores(state.vectors, q.vector)
    assert got.scores[0] == pytest.approx(0.5 * dense[0])  # its other sentence, orthogonal, counts instead
    assert got.scores[2] == pytest.approx(dense[2])  # a passage that only asks keeps its passage score
    np.testing.assert_allclose(got.sentence_scores, sentences @ q.vector)
    question = "How do we set the threshold?"  # marked: the sentence that does not ask, the question's words aside
    marked = highlights(state, np.array([0, 2]), question, got.sentence_scores)
    assert marked == [passages[0].sentences[1], passages[2].sentences[0]]  # the one that only asks: its question
    assert highlight(state, 0, question, got.sentence_scores) == passages[0].sentences[1]


def test_the_entry_of_an_option_the_question_names_comes_first_and_the_judge_reads_the_scores_before():
    texts = ["gzip reduces the size of the named files.", "-k --keep: Keep input files.",
             "-K --known: Another option.", "Use -k to keep files."]  # fmt: skip
    state = state_of(texts, unit([1, 0, 0], [0.9, 0.3, 0], [0.9, 0.3, 0], [0.9, 0.3, 0]))  # "gzip", not "-k"
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    question = "what does gzip -k do"
    plain = rank(state, question, q, RankSettings(option_weight=0.0, token_weight=0.0))
    got = rank(state, question, q, RankSettings(option_weight=0.3, token_weight=0.0))
    assert int(np.argmax(plain.scores)) == 0 and int(np.argmax(got.scores)) == 1
    assert got.scores[1] == pytest.approx(plain.scores[1] + 0.3)
    np.testing.assert_allclose(got.scores[[0, 2, 3]], plain.scores[[0, 2, 3]])  # "-K" is another option
    np.testing.assert_allclose(got.signal_scores, plain.scores)  # what the answerability signals read
    asked = rank(state, "what does gzip do", q, RankSettings(option_weight=0.3, token_weight=0.0))
    assert asked.judged is None and int(np.argmax(asked.scores)) == 0  # no option named, nothing moves


def test_a_passage_that_says_what_the_thing_asked_about_is_comes_first_and_the_judge_reads_the_scores_before():
    texts = ["The main authors of Faiss are: Ann and Bob.", "Faiss is a library for similarity search.",
             "Faiss is strict about input.", "Paris."]  # fmt: skip
    state = state_of(texts, unit([1, 0, 0], [0.9, 0.3, 0], [0.95, 0.2, 0], [0, 0, 1]))  # the authors' line nearest
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    settings = RankSettings(token_weight=0.0, lexical_weight=0.0, phrase_weight=0.0)
    plain = rank(state, "what is faiss", q, RankSettings(**{**vars(settings), "definition_weight": 0.0}))
    got = rank(state, "what is faiss", q, RankSettings(**{**vars(settings), "definition_weight": 0.15}))
    assert int(np.argmax(plain.scores)) == 0 and int(np.argmax(got.scores)) == 1
    assert got.scores[1] == pytest.approx(plain.scores[1] + 0.15)
    np.testing.assert_allclose(got.scores[[0, 2, 3]], plain.scores[[0, 2, 3]])  # "is strict" says no what
    np.testing.assert_allclose(got.signal_scores, plain.scores)  # what the answerability signals read
    asked = rank(state, "who wrote faiss", q, RankSettings(**{**vars(settings), "definition_weight": 0.15}))
    assert asked.judged is None and int(np.argmax(asked.scores)) == 0  # no definition asked, nothing moves
    for question in ("Faiss definition", "define faiss?", "What's Faiss?", "meaning of faiss"):
        assert int(np.argmax(rank(state, question, q, settings).scores)) == 1  # the default weight


def test_the_first_passage_of_an_article_that_says_what_the_thing_is_is_the_definition():
    texts = ["NumPy is the fundamental package for computing.", "Some text.",
             "NumPy is a community-driven project."]  # fmt: skip
    state = state_of(texts, unit([0.8, 0.6, 0], [0, 0, 1], [0.9, 0.4, 0]))  # the later one nearer the question
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    settings = RankSettings(token_weight=0.0, lexical_weight=0.0, phrase_weight=0.0, sentence_weight=0.0)
    plain = rank(state, "what is numpy", q, RankSettings(**{**vars(settings), "definition_weight": 0.0}))
    got = rank(state, "what is numpy", q, settings)
    assert int(np.argmax(plain.scores)) == 2 and int(np.argmax(got.scores)) == 0
    assert got.scores[0] == pytest.approx(plain.scores[0] + 0.15) and got.scores[2] == pytest.approx(plain.scores[2])


def test_the_phrase_step_looks_among_the_asked_articles_passages(monkeypatch):
    from article_qa import ranking

    state = tiny_state()
    q = query([1, 0, 0], [[1, 0, 0]], [0])
    settings = RankSettings(phrase_weight=0.05, token_weight=0.0)
    monkeypatch.setattr(ranking, "PHRASE_CANDIDATES", 1)  # only the best passage is looked at
    question = "cocaine craving"  # passage 2 holds the pair; passage 1 ranks first
    assert rank(state, question, q, settings).judged is None  # the best passage holds no pair
    only = np.array([False, True, False])
    got = rank(state, question, q, settings, only)
    assert got.judged is not None and got.scores[1] > got.judged[1]


def test_rank_without_token_vectors_or_weights_is_the_first_stage():
    q = query([1, 1, 0], [[0, 1, 0]], [1])
    settings = RankSettings(token_weight=0.4)
    first = rank(tiny_state(), "cocaine", q, RankSettings(token_weight=0.0)).scores
    np.testing.assert_allclose(rank(tiny_state(tokens=False), "cocaine", q, settings).scores, first, atol=1e-6)


def test_highlight_marks_the_sentence_with_the_question_words():
    state = tiny_state()
    scores = rank(state, "alcohol", query([1, 0, 0], [[1, 0, 0]], [0]), RankSettings()).sentence_scores
    p = state.passages[0]
    start, end = highlight(state, 0, "alcohol", scores)
    assert p.text[start - p.start : end - p.start] == "Alcohol too."  # words beat the closer first sentence
    start, end = highlight(state, 0, "nothing shared", scores)
    assert p.text[start - p.start : end - p.start] == "Ketamine helps."  # then the model decides


def test_query_terms_sum_each_sentences_shared_idf_as_the_sentence_by_sentence_way_does():
    state = tiny_state()
    assert state.sentence_terms  # the summed idf comes from the sentence postings
    for query_text in ("alcohol", "ketamine alcohol helps", "nothing shared", "alcohol alcohol too"):
        terms = QueryTerms.of(query_text, state)
        expected = [sum(terms.idf[t] for t in terms.idf.keys() & held) for held in state.sentence_terms]
        np.testing.assert_allclose(terms.shared, expected, atol=1e-12)
        assert terms.total == pytest.approx(sum(terms.idf.values()))
    without = RankingState(state.index, state.vocabulary, state.bm25, state.vectors)  # no sentence terms kept
    assert QueryTerms.of("alcohol", without).shared is None
    scores = rank(state, "alcohol", query([1, 0, 0], [[1, 0, 0]], [0]), RankSettings()).sentence_scores
    for i in range(len(state.passages)):  # the same sentence is marked either way
        assert highlight(without, i, "alcohol", scores) == highlight(state, i, "alcohol", scores)


@pytest.mark.parametrize(
    "question", ["Does ketamine help with cocaine addiction?", "midazolam session relapse", "PTSD in veterans"]
)
def test_marking_many_hits_at_once_marks_what_marking_each_does(fake_retriever, question):
    state = fake_retriever._ready()
    query = state.query_text(question)
    ranking = rank(state, query, fake_retriever.embedder.encode_query(query), fake_retriever.ranking)
    top, terms = ranking.order, QueryTerms.of(query, state)
    marks = highlights(state, top, query, ranking.sentence_scores, terms)
    assert marks == [highlight(state, int(i), query, ranking.sentence_scores, terms) for i in top]
    assert len(marks) == len(state.passages) and len(set(marks)) == len(marks)  # one sentence of each passage
