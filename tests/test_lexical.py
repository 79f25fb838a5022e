"""BM25 and its tokeniser."""

import numpy as np

from article_qa.lexical import BM25, stem, tokenize


def test_tokenize_drops_stopwords_and_stems():
    assert tokenize("The infusions were given to patients") == ["infusion", "given", "patient"]
    assert tokenize("") == []
    assert stem("abstinence") == "abstinence"


def test_bm25_prefers_rare_matching_terms():
    bm = BM25(["ketamine for alcohol", "ketamine for cocaine use", "ketamine ketamine", "unrelated text"])
    scores = bm.scores("cocaine")
    assert int(np.argmax(scores)) == 1
    assert scores[3] == 0
    assert bm.scores("nothing matches here").sum() == 0
    assert bm.scores("ketamine cocaine")[1] > bm.scores("ketamine cocaine")[0]
