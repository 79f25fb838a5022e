"""The synonyms file: parsing, whole-word rewriting, longest match, one pass, index vs query rules."""

import pytest

from article_qa.vocabulary import VocabularyError, load_vocabulary, parse_synonyms

from .conftest import CORPUS


def test_explicit_rules_rewrite_passages_only():
    v = parse_synonyms("remedy => therapy\ntherapy => treatment\n")
    assert v.rewrite_passage("Mindfulness remedy and despair therapy") == "Mindfulness therapy and despair treatment"
    assert v.rewrite_query("mindfulness therapy") == "mindfulness therapy"


def test_groups_fold_both_sides_to_the_first_term():
    v = parse_synonyms("hypertension, high blood pressure  # a comment\n")
    assert v.rewrite_query("Does it cause HIGH  blood pressure?") == "Does it cause hypertension?"
    assert v.rewrite_passage("high blood pressure was seen") == "hypertension was seen"


def test_whole_words_longest_first_and_dots():
    v = parse_synonyms("ache => pain\nache treatment => pain medication\np.c => percent\n")
    assert v.rewrite_passage("Ache treatment; headache; 48 p.c; pcs") == "pain medication; headache; 48 percent; pcs"


@pytest.mark.parametrize("line", ["=> x", "a =>", "lonely", "a => b => c"])
def test_bad_lines_are_errors_with_the_line_number(line):
    with pytest.raises(VocabularyError, match="line 2"):
        parse_synonyms("# ok\n" + line)


def test_shipped_file_bridges_the_article_wording():
    v = load_vocabulary(CORPUS)
    assert v.sha256
    out = v.rewrite_passage("Ache and despair can gasoline extra substance use, 48 p.c of individuals")
    assert out == "pain and depression can fuel more substance use, 48 percent of people"
