"""Bad and odd input, table-driven, through the Python API and the chat service; property tests."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article_qa.passages import Document, split_document
from article_qa.ui import ChatService

from .support import BAD_INPUTS

# The inputs are the benchmark's (which times them on the real model); the expectations are here.
EXPECTED = {
    "empty string": ValueError, "whitespace": ValueError, "None": TypeError, "int": TypeError, "list": TypeError,
    "bytes": TypeError, "only NUL bytes": ValueError, "k = 0": ValueError, "k negative": ValueError,
    "k float": TypeError, "k string": TypeError, "k None": TypeError,
}  # fmt: skip
ROWS = [(label, q, k, EXPECTED.get(label, "hits")) for label, q, k in BAD_INPUTS]
assert set(EXPECTED) <= {label for label, _, _ in BAD_INPUTS}


@pytest.mark.parametrize("label, question, k, expected", ROWS, ids=[r[0] for r in ROWS])
def test_api(fake_retriever, label, question, k, expected):
    if expected == "hits":
        hits = fake_retriever.search(question, k)
        assert isinstance(hits, list) and len(hits) <= min(k, 24)
        assert len(fake_retriever.search(question, k, min_score=None)) == min(k, 24)
    else:
        with pytest.raises(expected) as info:
            fake_retriever.search(question, k)
        assert len(str(info.value)) > 10  # a sentence, not a bare code


@pytest.mark.parametrize("label, question, k, expected", ROWS, ids=[r[0] for r in ROWS])
def test_chat_page(fake_retriever, label, question, k, expected):
    reply = ChatService(fake_retriever).reply(question, k)
    assert isinstance(reply, str) and reply
    assert "Traceback" not in reply and "<script" not in reply and "<img" not in reply
    if expected != "hits":
        assert reply.startswith("Please type a question")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.integers(min_value=-3, max_value=40))
def test_retrieve_raises_only_documented_errors(fake_retriever, question, k):
    try:
        hits = fake_retriever.search(question, k, min_score=None)
    except ValueError:
        assert not question.strip() or k < 1 or not "".join(c for c in question if c.isprintable()).strip()
        return
    assert len(hits) == min(k, 24)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(["\n", "\n\n", "# Heading\n", "  • item one.\n", "- item\n", "Leave a Comment\n", "\r\n"]),
        ),
        max_size=25,
    ).map("".join)
)
def test_passages_are_verbatim_ordered_and_disjoint(text):
    passages = split_document(Document("x.txt", text, "h"))
    last_end = 0
    for n, p in enumerate(passages, 1):
        assert text[p.start : p.end] == p.text and p.text.strip() == p.text and p.text
        assert p.start >= last_end and p.paragraph == n
        last_end = p.end
        for a, b in p.sentences:
            assert p.start <= a < b <= p.end


RST_PIECES = [
    "\n", "\n\n", "Title\n=====\n", "=====\nTitle\n=====\n", "* item\n", "  continued\n", "#. step\n", "term\n",
    "   definition\n", ":field: value\n", ".. note:: text\n", ".. code-block:: python\n\n", "   code\n",
    ".. include:: missing.rst\n", ".. |x| replace:: y\n", "|x| and :ref:`a <b>` ``lit`` `t <u>`_ [1]_\n",
    "+---+---+\n", "| a | b |\n", "===  ===\n", "a    b\n", ".. list-table::\n\n", "   * - a\n", "     - b\n",
    ".. csv-table::\n   :header: a, \"b\n\n", "Example::\n\n", "::\n", ">>> x\n", "| line\n", ".. [1] note\n",
    "> [!TIP]\n", "text[^1]\n", "[^1]: note\n", "\x08", "\x0c", "\\\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.sampled_from(RST_PIECES)), max_size=30).map("".join))
def test_restructuredtext_and_markdown_files_are_read_or_refused_never_raise(text):
    from article_qa.sources import SourceError, convert

    for name, kind in (("notes.rst", "rst"), ("notes.md", "markdown"), ("notes.txt", "text")):
        try:
            article = convert(text.encode("utf-8"), name, kind, name)
        except SourceError:
            continue
        assert article.markdown.startswith("# ") and "\x08" not in article.markdown


RTF_PIECES = [
    "{\\rtf1 ", "{", "}", "\\par ", "\\u-10179?", "\\u-8704?", "\\u99999999999 ", "\\'e9", "\\'zz", "\\*", "\\fonttbl ",
    "\\s1 ", "\\intbl ", "\\cell ", "\\row ", "\\ansicpg99999 ", "\\uc2 ", "\\u233 ", "\\", "{\\info{\\title X\\'e9}}",
    "{\\stylesheet{\\s1 heading 1;}}", "\\outlinelevel0 ", "\\pard ", "\\line ", "\\tab ", "{\\pict 89504e}", "\n",
]  # fmt: skip


LATEX_PIECES = [
    "\\documentclass{article}\n", "\\begin{document}\n", "\\end{document}", "\\title{", "}", "{", "\\section{",
    "\\section*[s]{", "$", "$$", "\\[", "\\]", "\\begin{equation}", "\\end{equation}", "\\begin{verbatim}",
    "\\end{verbatim}", "\\begin{figure}", "\\caption{", "\\end{figure}", "\\item[", "]", "\\cite{x}", "\\emph{",
    "\\href{u}{", "%", "\\%", "``", "''", "---", "~", "\\\\", "\\", "\n\n", "\x00", "\x01", "#", "```",
]  # fmt: skip


ORG_PIECES = [
    "#+TITLE: ", "* ", "** TODO ", "[#A] ", ":tag:", "\n", ":PROPERTIES:\n", ":END:\n", "SCHEDULED: <x>\n",
    "#+BEGIN_SRC python\n", "#+END_SRC\n", "#+BEGIN_QUOTE\n", "#+END_QUOTE\n", "[[u][d]]", "[[u]]", "*b*", "/i/",
    "=v=", "# c\n", "#+begin_example\n",
]  # fmt: skip


# A file of each kind made of random text and that kind's own marks: (its name, its kind, the marks).
MARKED_KINDS = [
    ("notes.rtf", "rtf", RTF_PIECES),
    ("paper.tex", "latex", LATEX_PIECES),
    ("notes.org", "text", ORG_PIECES),
]


@pytest.mark.parametrize(("name", "kind", "pieces"), MARKED_KINDS, ids=[k for _, k, _ in MARKED_KINDS])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rich_text_latex_and_org_files_are_read_or_refused_never_raise(name, kind, pieces, data):
    from article_qa.sources import SourceError, convert

    marks = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(pieces)), max_size=40).map("".join)
    text = data.draw(marks)
    try:
        article = convert(text.encode("utf-8", "surrogatepass"), name, kind, name)
    except SourceError:
        return
    assert article.markdown.startswith("# ")
    article.markdown.encode("utf-8")  # writable: no lone surrogate (an RTF emoji's half)
