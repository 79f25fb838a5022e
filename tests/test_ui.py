"""The chat page: reply formatting and escaping, and the app served in-process, called by gradio_client."""

import pytest

from article_qa.retrieval import Answer, Hit
from article_qa.ui import ChatService, build_app, escape_markdown, format_answer, is_follow_up, server_options


def make_hit(text="Alpha beta. Gamma *delta* [x](y) <img src=x onerror=alert(1)>.", **kw) -> Hit:
    fields = dict(passage_id="a:1", text=text, score=0.5, rank=1, source="a.txt", section="Findings", paragraph=1,
                  start=10, end=10 + len(text), citation="Findings, ¶1 (a.txt)", highlight_start=22,
                  highlight_end=10 + len(text))  # fmt: skip
    fields.update(kw)
    return Hit(**fields)


def answer(hits, answered=True, confidence=0.93, missing=()):
    return Answer("q", answered, confidence, list(missing), hits)


def test_markup_in_passages_is_escaped():
    reply = format_answer(answer([make_hit()]))
    assert "<img" not in reply and "&lt;img" in reply
    assert "\\*delta\\*" in reply and "\\[x\\]\\(y\\)" in reply
    assert "<mark>Gamma" in reply  # the answering sentence is marked
    assert "<details><summary>More sources" not in reply  # one hit: nothing folded
    assert "Findings, ¶1 · a.txt · likely the answer" in reply and "93%" not in reply  # an estimate, not a rate


def test_a_code_block_is_shown_with_its_lines_as_they_stand():
    code = "$ pip install httpx\n>>> r = httpx.get(url)  # *not* markup\n    r.status_code\n```"
    reply = format_answer(answer([make_hit(text=code, code=True, highlight_start=10)]))
    fenced = ["> ````", "> $ pip install httpx", "> >>> r = httpx.get(url)  # *not* markup", ">     r.status_code"]
    assert "\n".join([*fenced, "> ```", "> ````"]) in reply
    assert "<mark>" not in reply.split("<sub>")[0]  # nothing inserted into the code
    prose = format_answer(answer([make_hit(text="Install it:\n  pip install httpx")]))
    assert "> Install it: <mark>pip install httpx</mark>" in prose  # prose is reflowed, as before


def test_a_sentence_and_the_code_it_leads_into_are_shown_as_prose_then_code():
    text = "Install *HTTPX* using pip:\n\n```shell\n$ pip install httpx\n  --pre\n```"
    reply = format_answer(answer([make_hit(text=text, highlight_start=10, highlight_end=36)]))
    assert reply.startswith(
        "> <mark>Install \\*HTTPX\\* using pip:</mark>\n>\n> ```\n> $ pip install httpx\n>   --pre\n> ```"
    )
    assert "shell" not in reply  # the fence's language tag is no text of the passage's to show


def test_more_sources_are_folded_under_the_answer():
    reply = format_answer(answer([make_hit(), make_hit(rank=2, passage_id="a:2")], confidence=0.75))
    assert reply.index("possibly the answer") < reply.index("<details><summary>More sources (1)</summary>")
    assert "a weak match" in format_answer(answer([make_hit()], confidence=0.35))


def test_a_message_of_several_questions_shows_each_ones_first_passage():
    hits = [make_hit(text=f"Passage number {n} says something.", rank=n, passage_id=f"a:{n}", highlight_start=10)
            for n in (1, 2, 3)]  # fmt: skip
    asked = "How is ketamine given to patients? Does ketamine help with alcohol use disorder?"
    reply = format_answer(Answer(asked, True, 0.93, [], hits))
    folded = reply.index("<details><summary>More sources (1)</summary>")
    assert reply.index("Passage number 1") < reply.index("Passage number 2") < folded < reply.index("Passage number 3")
    one = format_answer(Answer("How is ketamine given to patients?", True, 0.93, [], hits))
    assert one.index("<details><summary>More sources (2)</summary>") < one.index("Passage number 2")
    two = "Does ketamine help with alcohol? Is it approved for PTSD?"
    partly = format_answer(Answer(two, True, 0.9, ["PTSD"], hits))  # the second question declined alone
    assert partly.startswith("**The article doesn't mention PTSD**, so this may answer only part of the question.")


def test_no_answer_says_what_is_missing_first_and_folds_related_passages():
    reply = format_answer(answer([make_hit(), make_hit(rank=2)], answered=False, confidence=0.1, missing=["PTSD"]))
    assert reply.startswith("**The article doesn't mention PTSD**")
    assert "<details><summary>Related, but not an answer (2)</summary>" in reply
    assert not any(label in reply for label in ("likely the answer", "possibly the answer", "a weak match"))
    two = format_answer(answer([make_hit()], answered=False, missing=["cost", "insurance"]))
    assert two.startswith("**The article doesn't mention cost or insurance**")
    nothing_named = format_answer(answer([make_hit()], answered=False))
    assert (
        nothing_named.startswith("**The article doesn't answer that.**")
        and "Related, but not an answer" in nothing_named
    )


def test_an_answer_to_part_of_the_question_says_which_part_the_article_lacks():
    def partly(question, missing):
        return format_answer(Answer(question, True, 0.93, missing, [make_hit()]))

    reply = partly("What are the side effects of ketamine, and how much does it cost?", ["cost"])
    assert reply.startswith("**The article doesn't mention cost**, so this may answer only part of the question.")
    assert "<mark>Gamma" in reply and "likely the answer" in reply  # the quote still follows
    ptsd = partly("Is it approved for depression and for PTSD?", ["PTSD"])
    assert ptsd.startswith("**The article doesn't mention PTSD**")
    assert partly("Does it work for cocaine? Is it legal in Canada?", ["legal", "Canada"]).startswith(
        "**The article doesn't mention legal or Canada**"
    )
    # no part wholly missing, a single part, nouns joined by "and", or a situation told first: a plain answer
    for question, missing in [
        ("How many people were in the 96-person trial, and how often?", ["96"]),
        ("What kind of drug is ketamine originally?", ["originally"]),
        ("Does ketamine help with alcohol and gambling addiction?", ["gambling"]),
        ("My brother gambles and drinks. Does ketamine help with alcohol?", ["gambles"]),
    ]:
        assert partly(question, missing).startswith("> "), question


def test_off_topic_names_the_nearest_sections():
    reply = format_answer(answer([make_hit()], answered=False, missing=["France"]), ["Findings", "In Conclusion"])
    assert reply.startswith("**The article doesn't cover that**")
    assert "doesn't cover" in reply and "*Findings*" in reply and "*In Conclusion*" in reply
    assert "<blockquote" not in reply and "> " not in reply


def test_escape_markdown_keeps_plain_text():
    assert escape_markdown("Plain words, 48 p.c") == "Plain words, 48 p.c"


def test_service_turns_errors_into_friendly_messages(fake_retriever):
    service = ChatService(fake_retriever)
    assert service.reply("   ").startswith("Please type a question")
    assert service.reply(None).startswith("Please type a question")

    class Broken:
        def ask(self, *a, **k):
            raise RuntimeError("boom")

    assert "something went wrong" in ChatService(Broken()).reply("ketamine")


def test_follow_ups_are_read_with_the_previous_question(fake_retriever):
    service = ChatService(fake_retriever)
    reply, *_ = service.answer("and for cocaine?", 3, previous="Does ketamine help alcohol use disorder?")
    assert "Read as a follow-up" in reply and "Does ketamine help alcohol use disorder? and for cocaine?" in reply
    reply, *_ = service.answer("Is ketamine safe for heroin users?", 3, previous="Does ketamine help alcohol?")
    assert "Read as a follow-up" not in reply
    assert (
        is_follow_up("what about side effects?") and is_follow_up("cocaine") and not is_follow_up("Is it FDA approved?")
    )


def test_a_question_in_another_language_than_the_article_gets_a_note(fake_retriever, tmp_path, fake_embedder):
    from article_qa import Retriever

    service = ChatService(fake_retriever)
    assert "reads as" not in service.reply("What is the best dose of ketamine for the treatment of alcohol?")
    note = service.reply("Quelle est la dose de kétamine pour le traitement de l'alcool ?")
    assert "The question reads as French and the article is written in English" in note
    assert "reads as" not in service.reply("ketamine dose alcohol")  # a query of terms: no language told
    french = tmp_path / "fr"
    french.mkdir()
    (french / "article.txt").write_text(
        "Résumés de logs\n\nLes résumés sont calculés pour chaque session. Le système est rapide et il "
        "donne des résultats que les administrateurs peuvent lire dans le tableau de bord.\n", "utf-8")  # fmt: skip
    service = ChatService(Retriever(french, tmp_path / "fr-index", embedder=fake_embedder))
    assert "asking in French may find more" in service.reply("How fast is the system and what does it give?")
    assert "reads as" not in service.reply("Comment les résumés sont-ils calculés pour chaque session ?")


def test_context_marks_the_passage_among_its_neighbours(fake_retriever):
    service = ChatService(fake_retriever)
    near = service.context("ketamine-for-addiction:10")
    assert near.count("<mark>") == 1 and "¶9" in near and "¶10" in near and "¶11" in near and "¶12" not in near
    assert "**Findings From Key Research**" in near
    whole = service.context("ketamine-for-addiction:10", radius=None)
    assert "¶1<" in whole and "¶24<" in whole and whole.count("<mark>") == 1
    assert "no longer" in service.context("missing:1")


def test_context_shows_code_blocks_with_their_lines(tmp_path, fake_embedder):
    from article_qa import Retriever

    corpus = tmp_path / "docs"
    corpus.mkdir()
    listing = "\n".join(f"step {n}" for n in range(8))
    (corpus / "httpx.md").write_text(
        "# HTTPX\n\nHTTPX is an HTTP client.\n\nInstall it with pip:\n\n```shell\n$ pip install httpx\n```\n\n"
        f"A listing:\n\n```\n{listing}\n```\n\nThe end.\n",
        encoding="utf-8",
    )
    service = ChatService(Retriever(corpus, tmp_path / "index", embedder=fake_embedder))
    shown = service.context("httpx:2", radius=None)  # the sentence and its command
    assert "<mark>Install it with pip:</mark>\n\n```\n$ pip install httpx\n```\n\n<sub>¶2</sub>" in shown
    assert "```\nstep 0\nstep 1\n" in shown and "shell" not in shown and "\\`" not in shown
    code = service.context("httpx:4", radius=0)  # a listing alone: its number marked
    assert "```\nstep 0\n" in code and "<sub><mark>¶4</mark></sub>" in code


@pytest.fixture
def served(fake_retriever):
    app = build_app(fake_retriever)
    options = server_options(port=None) | {"server_port": None, "prevent_thread_lock": True, "quiet": True}
    _, url, _ = app.launch(**options)
    yield url
    app.close()


def test_endpoints_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/chat", "/retrieve", "/ask"} <= set(endpoints)
    reply = client.predict("cocaine midazolam session", api_name="/chat")
    assert isinstance(reply, str) and (reply.startswith("> ") or "doesn't cover" in reply)
    hits = client.predict("cocaine midazolam session", 2, api_name="/retrieve")
    assert isinstance(hits, list) and len(hits) == 2
    for h in hits:
        assert {"passage_id", "text", "score", "rank", "citation", "start", "end"} <= set(h)
    assert client.predict("  ", api_name="/chat").startswith("Please type a question")
    got = client.predict("cocaine midazolam session", 2, api_name="/ask")
    assert {"question", "answered", "confidence", "missing", "hits"} <= set(got)
    assert isinstance(got["answered"], bool) and 0 <= got["confidence"] <= 1 and len(got["hits"]) >= 1
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", 2, api_name="/ask")


def test_a_flood_past_the_queue_is_refused_at_once_not_left_hanging(fake_retriever):
    """One search at a time, two waiting: with searches held, the surplus is refused as busy, and the rest
    are answered once searches run again. Deterministic: the first search is running (and blocked on
    an event) before the other seven are sent, so exactly two of them find room in the queue."""
    import threading
    import time

    from gradio_client import Client

    gate, entered = threading.Event(), threading.Event()
    ask = fake_retriever.ask

    def held_ask(*args, **kwargs):
        entered.set()
        gate.wait(timeout=60)
        return ask(*args, **kwargs)

    fake_retriever.warm()
    fake_retriever.ask = held_ask
    app = build_app(fake_retriever, concurrency=1, max_queue=2)
    options = server_options(port=None) | {"server_port": None, "prevent_thread_lock": True, "quiet": True}
    _, url, _ = app.launch(**options)
    try:
        client = Client(url, verbose=False)
        jobs = [client.submit("cocaine midazolam session", api_name="/chat")]
        assert entered.wait(timeout=30)  # the first search is running (and held): the queue is empty
        jobs += [client.submit("cocaine midazolam session", api_name="/chat") for _ in range(7)]
        deadline = time.monotonic() + 30
        while sum(job.done() for job in jobs) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        refused_while_held = sum(job.done() for job in jobs)
        gate.set()
        outcomes = []
        for job in jobs:
            try:
                outcomes.append("answered" if job.result(timeout=30) else "empty")
            except Exception as exc:  # noqa: BLE001 - the refusal is what is being counted
                outcomes.append("refused" if "queue is full" in str(exc).lower() else repr(exc))
        # one search running and two waiting; the other five are refused at once, before any search ends
        assert refused_while_held == 5
        assert sorted(outcomes) == ["answered"] * 3 + ["refused"] * 5, outcomes
    finally:
        gate.set()
        app.close()


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=pyproject.toml",
        "/gradio_api/file=../pyproject.toml",
        "/gradio_api/file/pyproject.toml",
        "/gradio_api/file=https://example.com/x.png",
        "/file=/etc/passwd",
        "/gradio_api/upload",
    ],
)
def test_no_files_outside_the_page_are_served(served, path):
    import httpx

    r = httpx.get(served.rstrip("/") + path, timeout=10)
    assert r.status_code in (403, 404, 405), (path, r.status_code)
    assert "root:" not in r.text and "[project]" not in r.text


def test_the_page_describes_its_corpus(tmp_path, fake_retriever):
    from article_qa.passages import Passage
    from article_qa.ui import page_text

    one = [
        Passage("a:1", "x", "a.txt", "Results", 1, 0, 1, "Alpha Study"),
        Passage("a:2", "y", "a.txt", "Methods", 2, 2, 3, "Alpha Study"),
    ]
    text = page_text(tmp_path, one)
    assert text.title == "Alpha Study: ask the article" and "*Alpha Study*" in text.description
    assert text.examples == ("Results", "Methods")
    two = [*one, Passage("b:1", "z", "b.txt", None, 1, 0, 1, "Beta Notes")]
    assert page_text(tmp_path, two).title == "Ask the articles" and "2 articles" in page_text(tmp_path, two).description
    (tmp_path / "page.json").write_text('{"title": "Own title", "examples": ["Why?"]}')
    own = page_text(tmp_path, one)
    assert own.title == "Own title" and own.examples == ("Why?",) and "*Alpha Study*" in own.description
    (tmp_path / "page.json").write_text("{not json")
    assert page_text(tmp_path, one).title == "Alpha Study: ask the article"  # a broken file is logged, not fatal
    shipped = page_text(fake_retriever.corpus_dir, fake_retriever.passages)  # the shipped corpus keeps its look
    assert shipped.title == "Ketamine & addiction: ask the article" and len(shipped.examples) == 5


def test_hits_carry_the_article_title(fake_retriever):
    hit = fake_retriever.search("cocaine midazolam session", 1, min_score=None)[0]
    assert hit.title == "Can Ketamine Be Used to Treat Addictions?"


def test_the_json_api_answers_refuses_bad_input_and_says_busy(fake_retriever):
    from article_qa.ui import ChatService, JsonApi

    api = JsonApi(ChatService(fake_retriever), concurrency=1, max_waiting=1)
    status, body = api.handle({"question": "Does ketamine help with alcohol use disorder?", "k": 2})
    assert status == 200 and set(body) == {"question", "answered", "confidence", "missing", "hits"}
    assert len(body["hits"]) <= 2
    assert api.handle({"question": "   "})[0] == 400 and "empty" in api.handle({"question": ""})[1]["error"]
    assert api.handle(["not", "an", "object"])[0] == 400
    assert api.handle({"question": "x", "limit": 3}) == (400, {"error": "unknown field(s): limit"})
    assert api.handle({"question": "ketamine", "article": "No Such Article"})[0] == 400
    api.waiting = 2  # one answering and one waiting already
    assert api.handle({"question": "ketamine"}) == (503, {"error": "busy, try again in a moment"})


def test_waiting_readers_hear_their_place_on_a_clock_not_at_every_answer(fake_retriever):
    """Gradio's default re-sends every waiting reader's place each time a search starts (64 messages
    an answer with 64 waiting); the page sends them once a second instead."""
    from article_qa.ui import QUEUE_STATUS_SECONDS

    queue = build_app(fake_retriever)._queue
    assert queue.live_updates is False
    assert queue.update_intervals == QUEUE_STATUS_SECONDS == 1.0


def test_the_queue_keeps_few_past_events_and_summarises_them_rarely(fake_retriever, monkeypatch):
    """Gradio's per-event pandas summary of its past events (for a monitoring page the app does not
    serve) is kept small and rare; a setting the user made is left as it is."""
    monkeypatch.delenv("GRADIO_ANALYTICS_MAX_EVENTS", raising=False)
    monkeypatch.delenv("GRADIO_ANALYTICS_CACHE_FREQUENCY", raising=False)
    app = build_app(fake_retriever)
    assert app._queue.ANALYTICS_MAX_EVENTS == 100 and app._queue.ANAYLTICS_CACHE_FREQUENCY == 1000
    monkeypatch.setenv("GRADIO_ANALYTICS_CACHE_FREQUENCY", "7")
    assert build_app(fake_retriever)._queue.ANAYLTICS_CACHE_FREQUENCY == 7
