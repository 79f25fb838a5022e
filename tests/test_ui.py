"""The chat page: reply formatting and escaping, and the app served in-process, called by gradio_client."""

import pytest

from article_qa.retrieval import Hit
from article_qa.ui import ChatService, build_app, escape_markdown, format_reply


def make_hit(text="Alpha beta. Gamma *delta* [x](y) <img src=x onerror=alert(1)>.", **kw) -> Hit:
    fields = dict(passage_id="a:1", text=text, score=0.5, rank=1, source="a.txt", section="Findings", paragraph=1,
                  start=10, end=10 + len(text), citation="Findings, ¶1 (a.txt)", highlight_start=22,
                  highlight_end=10 + len(text))  # fmt: skip
    fields.update(kw)
    return Hit(**fields)


def test_markup_in_passages_is_escaped():
    reply = format_reply([make_hit()])
    assert "<img" not in reply and "&lt;img" in reply
    assert "\\*delta\\*" in reply and "\\[x\\]\\(y\\)" in reply
    assert "**Gamma" in reply  # the answering sentence is marked
    assert "Findings, ¶1 · a.txt" in reply and "strong match (0.50)" in reply


def test_no_answer_names_the_nearest_sections():
    reply = format_reply([], ["Findings", "In Conclusion"])
    assert "doesn't cover" in reply and "*Findings*" in reply and "*In Conclusion*" in reply


def test_escape_markdown_keeps_plain_text():
    assert escape_markdown("Plain words, 48 p.c") == "Plain words, 48 p.c"


def test_service_turns_errors_into_friendly_messages(fake_retriever):
    service = ChatService(fake_retriever)
    assert service.reply("   ").startswith("Please type a question")
    assert service.reply(None).startswith("Please type a question")

    class Broken:
        def search(self, *a, **k):
            raise RuntimeError("boom")

    assert "something went wrong" in ChatService(Broken()).reply("ketamine")


@pytest.fixture
def served(fake_retriever):
    app = build_app(fake_retriever)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield url
    app.close()


def test_endpoints_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/chat", "/retrieve"} <= set(endpoints)
    reply = client.predict("cocaine midazolam session", api_name="/chat")
    assert isinstance(reply, str) and ("From the article" in reply or "doesn't cover" in reply)
    hits = client.predict("cocaine midazolam session", 2, api_name="/retrieve")
    assert isinstance(hits, list) and len(hits) <= 2
    for h in hits:
        assert {"passage_id", "text", "score", "rank", "citation", "start", "end"} <= set(h)
    assert client.predict("  ", api_name="/chat").startswith("Please type a question")
