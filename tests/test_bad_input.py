"""Bad and odd input, table-driven, through the Python API and the chat service; property tests."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article_qa.passages import Document, split_document
from article_qa.ui import ChatService

MB = 1024 * 1024
# (label, question, k, expected): expected is an exception type or "hits" (a list, maybe empty)
ROWS = [
    ("empty string", "", 3, ValueError),
    ("whitespace", " \t\n ", 3, ValueError),
    ("None", None, 3, TypeError),
    ("int", 12, 3, TypeError),
    ("list", ["ketamine"], 3, TypeError),
    ("bytes", b"ketamine", 3, TypeError),
    ("1 MB question", "ketamine craving " * (MB // 17), 3, "hits"),
    ("control chars and NUL", "keta\x00mine\x07 \x1b[31mcraving", 3, "hits"),
    ("only NUL bytes", "\x00\x00", 3, ValueError),
    ("invalid surrogates", "ketamine \ud800\udfff\udc00 craving", 3, "hits"),
    ("emoji", "💊 ketamine 🍸 alcohol?", 3, "hits"),
    ("Spanish", "¿La ketamina ayuda con la adicción al alcohol?", 3, "hits"),
    ("Chinese", "氯胺酮能治疗成瘾吗？", 3, "hits"),
    ("Arabic", "هل يمكن استخدام الكيتامين لعلاج الإدمان؟", 3, "hits"),
    ("punctuation only", "?!?...;;", 3, "hits"),
    ("HTML and script", "<script>alert(1)</script><img src=x onerror=alert(1)>", 3, "hits"),
    ("Markdown and link", "**bold** [click](javascript:alert(1)) `code` # heading", 3, "hits"),
    ("k = 0", "ketamine", 0, ValueError),
    ("k negative", "ketamine", -1, ValueError),
    ("k huge", "ketamine", 10**9, "hits"),
    ("k float", "ketamine", 2.5, TypeError),
    ("k string", "ketamine", "3", TypeError),
    ("k None", "ketamine", None, TypeError),
]


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
