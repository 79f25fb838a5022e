"""The splitter: verbatim offsets, headings, boilerplate, lists, unicode, empty files."""

import itertools
from pathlib import Path

import pytest

from article_qa.passages import CorpusError, Document, read_corpus, read_document, sentence_spans, split_document

from .conftest import ARTICLE


def doc(text: str, name: str = "a.txt") -> Document:
    return Document(source=name, text=text, sha256="x")


def verbatim_split(text: str, name: str):
    """The passages of a Markdown text, each checked to be the very slice of the text its offsets say."""
    passages = split_document(doc(text, name=name))
    for p in passages:
        assert text[p.start : p.end] == p.text
    return passages


@pytest.fixture(scope="module")
def article():
    d = read_document(ARTICLE)
    return d, split_document(d)


def test_offsets_are_verbatim(article):
    d, passages = article
    assert len(passages) == 24
    for p in passages:
        assert d.text[p.start : p.end] == p.text
        assert p.text == p.text.strip()
        for a, b in p.sentences:
            assert p.start <= a < b <= p.end


def test_passages_in_order_without_overlap(article):
    _, passages = article
    for a, b in itertools.pairwise(passages):
        assert a.end <= b.start
    assert [p.paragraph for p in passages] == list(range(1, 25))
    assert len({p.passage_id for p in passages}) == 24


def test_title_headings_and_boilerplate_are_not_passages(article):
    _d, passages = article
    texts = [p.text for p in passages]
    for line in ("Can Ketamine Be Used to Treat Addictions?", "Findings From Key Research", "In Conclusion",
                 "Leave a Comment"):  # fmt: skip
        assert line not in texts
    assert not any("email address" in t for t in texts)
    assert passages[0].title == "Can Ketamine Be Used to Treat Addictions?"


def test_sections_attached(article):
    _, passages = article
    by_section = {}
    for p in passages:
        by_section.setdefault(p.section, []).append(p.paragraph)
    assert by_section[None] == [1, 2, 3, 4, 5, 6]
    assert by_section["Findings From Key Research"] == list(range(7, 16))
    assert by_section["Pitfalls, Limitations, and Unanswered Questions"] == list(range(16, 22))
    assert by_section["In Conclusion"] == [22, 23, 24]
    assert passages[6].citation == "Findings From Key Research, ¶7 (ketamine-for-addiction.txt)"


def test_bullets_are_separate_passages_without_the_mark(article):
    _, passages = article
    bullets = [p for p in passages if p.section == "Pitfalls, Limitations, and Unanswered Questions"][1:]
    assert [p.text.split()[0] for p in bullets] == ["Placebo", "Ketamine", "Ketamine", "Analysis", "There"]
    assert not any(p.text.startswith("•") for p in passages)


def test_a_short_list_is_one_passage_with_the_line_that_leads_into_it():
    long_item = "Ann wrote the first version " + "and much more " * 14
    text = ("# Faiss\n\nThe main authors of Faiss are:\n\n- Ann wrote it\n- Bob tested it\n\nNext paragraph.\n\n"
            "It trades off with respect to\n\n- search time\n- memory\n\nA finished sentence.\n\n- alone\n- apart\n\n"
            f"Too long to join:\n\n- {long_item}\n- short\n\nRuns on:\n\n- an item that\ngoes on\n")  # fmt: skip
    passages = verbatim_split(text, "faiss.md")
    assert [p.text for p in passages] == [
        "The main authors of Faiss are:\n\n- Ann wrote it\n- Bob tested it",
        "Next paragraph.",
        "It trades off with respect to\n\n- search time\n- memory",  # an unfinished sentence leads in too
        "A finished sentence.", "alone", "apart",  # a list after a full stop: its items, as before
        "Too long to join:", long_item.strip(), "short",
        "Runs on:", "an item that", "goes on",
    ]  # fmt: skip
    assert passages[0].sentence_texts == ["The main authors of Faiss are:", "Ann wrote it", "Bob tested it"]
    assert [p.paragraph for p in passages[:3]] == [1, 2, 3]


def test_a_short_code_block_is_one_passage_with_the_sentence_that_leads_into_it():
    from article_qa.passages import embedded_text

    long_code = "\n".join(f"step {n}" for n in range(8))
    text = ("# HTTPX\n\n## Install\n\nInstall HTTPX using pip:\n\n```shell\n$ pip install httpx\n```\n\n"
            "A finished sentence.\n\n```\nalone\n```\n\n"
            f"Too long to join:\n\n```\n{long_code}\n```\n\nLeft open:\n\n```\nrun\n")  # fmt: skip
    passages = verbatim_split(text, "httpx.md")
    assert [(p.text, p.code) for p in passages] == [
        ("Install HTTPX using pip:\n\n```shell\n$ pip install httpx\n```", False),
        ("A finished sentence.", False), ("alone", True),  # no lead-in: the block stands alone, as before
        ("Too long to join:", False), (long_code, True),
        ("Left open:", False), ("run", True),  # a block left open runs to the end, alone
    ]  # fmt: skip
    joined = passages[0]
    assert joined.sentence_texts == ["Install HTTPX using pip:"]  # the sentence is what gets marked
    assert joined.readable == "Install HTTPX using pip:\n\n$ pip install httpx\n"  # the model reads no fences
    assert embedded_text(joined, "title+section+next", None, passages[1]).split("\n")[:5] == [
        "HTTPX", "Install", "Install HTTPX using pip:", "", "$ pip install httpx"
    ]  # fmt: skip
    assert [p.paragraph for p in passages] == [1, 2, 3, 4, 5, 6, 7]


def test_sentences_end_before_any_alphabets_capital_and_at_chinese_full_stops():
    passages = verbatim_split(
        "# 茶\n\n茶起源于中国。传说神农氏发现了茶！“好茶。”\n\nEs gibt sie. Über alles. Это так. Да.\n", "zh.md"
    )
    assert passages[0].sentence_texts == ["茶起源于中国。", "传说神农氏发现了茶！", "“好茶。”"]
    assert passages[1].sentence_texts == ["Es gibt sie.", "Über alles.", "Это так.", "Да."]


def test_ids_are_stable_across_processes():
    """Ids depend on the file alone: two interpreters with different hash seeds give the same ones."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys; from article_qa.passages import read_document, split_document; "
        "print(json.dumps([p.passage_id for p in split_document(read_document(sys.argv[1]))]))"
    )
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", code, str(ARTICLE)], capture_output=True, text=True,
                                  check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout)
        for seed in ("1", "2")
    ]  # fmt: skip
    here = [p.passage_id for p in split_document(read_document(ARTICLE))]
    assert runs[0] == runs[1] == here
    assert here == [f"ketamine-for-addiction:{n}" for n in range(1, 25)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("\n\n   \n", []),
        ("One lone sentence that is a paragraph.", ["One lone sentence that is a paragraph."]),
        ("Título Único\n\nLa ketamina reduce el ansia. ¿Funciona?\n", ["La ketamina reduce el ansia. ¿Funciona?"]),
        ("标题\n\n氯胺酮可以减少渴望。\n", ["氯胺酮可以减少渴望。"]),
        (
            "Intro para one.\nstill para one.\n\nPara two 😀 here.",
            ["Intro para one.\nstill para one.", "Para two 😀 here."],
        ),
        ("# Title\n\nText one.\n\n## Part\n\n- item a.\n- item b.\n", ["Text one.", "item a.", "item b."]),
        ("Title\r\n\r\nWindows line one.\r\n\r\nWindows two.\r\n", ["Windows line one.", "Windows two."]),
    ],
)
def test_edge_cases(text, expected):
    passages = split_document(doc(text))
    assert [p.text for p in passages] == expected
    for p in passages:
        assert text[p.start : p.end] == p.text


def test_markdown_sections():
    passages = split_document(doc("# Title\n\nText one.\n\n## Part Two\n\nText two.\n\n## Comments\n\nBy bob."))
    assert [(p.section, p.text) for p in passages] == [(None, "Text one."), ("Part Two", "Text two.")]


def test_an_indented_listing_line_is_no_heading():
    text = "# Install\n\nRun as root:\n\n    # make install\n\tmake check\n\n## After\n\nDone.\n"
    passages = split_document(doc(text, name="install.md"))
    assert [(p.section, p.text) for p in passages] == [
        (None, "Run as root:"),
        (None, "# make install\n\tmake check"),
        ("After", "Done."),
    ]


def test_sentence_spans_keep_abbreviations():
    text = "Saline was the control (Grabski et al., 2022), which matters. At 14 days, 48 p.c stayed."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Saline was the control (Grabski et al., 2022), which matters.",
        "At 14 days, 48 p.c stayed.",
    ]


def test_empty_folder_and_bad_encoding(tmp_path: Path):
    with pytest.raises(CorpusError, match=r"no \.txt or \.md"):
        read_corpus(tmp_path)
    with pytest.raises(CorpusError, match="does not exist"):
        read_corpus(tmp_path / "missing")
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 au lait\n")
    with pytest.raises(CorpusError, match=r"bad\.txt is not UTF-8"):
        read_corpus(tmp_path)


def test_bom_is_not_text(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes("\ufeffTitle\n\nBody text.".encode())
    d = read_corpus(tmp_path)[0]
    assert d.text.startswith("Title")
    assert [p.text for p in split_document(d)] == ["Body text."]
