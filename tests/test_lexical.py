"""BM25 and its tokeniser."""

import numpy as np
import pytest

from article_qa.lexical import BM25, idf, stem, tokenize


def test_tokenize_drops_stopwords_and_stems():
    assert tokenize("The infusions were given to patients") == ["infusion", "given", "patient"]
    assert tokenize("") == []
    assert stem("abstinence") == "abstinence"


def test_bm25_prefers_rare_matching_terms():
    bm = BM25(["ketamine for alcohol", "ketamine for cocaine use", "ketamine ketamine", "unrelated text"])
    scores = bm.scores(tokenize("cocaine"))
    assert int(np.argmax(scores)) == 1
    assert scores[3] == 0
    assert bm.scores(tokenize("nothing matches here")).sum() == 0
    assert bm.scores(["ketamine", "cocaine"])[1] > bm.scores(["ketamine", "cocaine"])[0]
    assert bm.term_idf("never-seen") == max(bm.term_idf(t) for t in ("ketamine", "cocaine", "never-seen"))
    assert bm.scores(["cocaine"]).max() <= bm.best_score(["cocaine"])


def test_bm25_matches_the_textbook_formula():
    """Each score against Okapi BM25 written out term by term (Lucene's idf, k1 1.2, b 0.75)."""
    docs = ["ketamine for alcohol use", "ketamine for cocaine use cocaine", "ketamine ketamine", "unrelated text here"]
    bm = BM25(docs)
    tokens = [tokenize(d) for d in docs]
    avg = sum(map(len, tokens)) / len(tokens)
    for query in (["cocaine"], ["ketamine", "cocaine"], ["alcohol", "use", "unrelated"]):
        for i, doc in enumerate(tokens):
            want = 0.0
            for term in set(query):
                tf, df = doc.count(term), sum(term in d for d in tokens)
                if tf:
                    want += float(idf(len(docs), df)) * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(doc) / avg))
            assert bm.scores(query)[i] == pytest.approx(want, rel=1e-5), (query, i)


def test_tokenize_reads_every_alphabet_and_folds_latin_accents():
    """Words with accents are whole words, typed with or without them; French elision and ligatures
    are read as the word; Chinese and Japanese characters are tokens of their own."""
    asked = "Sur quelles données porte l'exemple jouet ?"
    assert tokenize(asked) == tokenize("sur quelles donnees porte exemple jouet")
    assert "donnee" in tokenize("données") and "exemple" in tokenize("l’exemple")
    assert tokenize("régénération des données") == ["regeneration", "des", "donnee"]
    assert tokenize("Maßnahmen") == tokenize("MASSNAHMEN") == ["massnahmen"]
    assert tokenize("the ﬁnal deﬁnition") == ["final", "definition"]
    assert tokenize("Привет мир") == ["привет", "мир"]
    assert tokenize("日本語") == ["日", "本", "語"]
    assert tokenize("Ketamine's 48 p.c, don't") == ["ketamine's", "48", "p.c", "don't"]


def test_bm25_finds_an_accented_word_typed_without_accents():
    bm = BM25(["Les tests ont été réalisés sur un Core 2 Duo", "La régénération des données", "Autre chose"])
    assert int(np.argmax(bm.scores(tokenize("regeneration donnees")))) == 1
    assert bm.scores(tokenize("réalisés")).argmax() == 0 and bm.scores(tokenize("realises"))[0] > 0
