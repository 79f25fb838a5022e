"""The chat page in a real browser (headless Chromium driven by Playwright), on the real model.

Marked `browser`: skipped where Chromium or Playwright is missing (`make test` installs both).
"""

import pytest

from .browser import ask, browser_available, chromium, serve_app

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser_available(), reason="needs /usr/bin/chromium and playwright (make test installs)"),
]


@pytest.fixture(scope="module")
def url():
    with serve_app() as u:
        yield u


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, url):
    p = browser.new_page(viewport={"width": 1200, "height": 1000})
    p.goto(url)
    p.locator("#question textarea").wait_for()
    yield p
    p.close()


def test_question_gets_the_cited_passage(page):
    ask(page, "Which drug did the control group get in the cocaine study?")
    reply = page.locator("#answers .message.bot").last
    assert "fifty-five individuals acquired both a single IV ketamine or midazolam session" in reply.inner_text()
    assert reply.get_by_text("Findings From Key Research, ¶10 · ketamine-for-addiction.txt").is_visible()
    assert reply.locator("blockquote").first.locator("mark").count() == 1  # the answering sentence is marked
    assert reply.get_by_text("More sources (2)").is_visible()


def test_clicking_an_example_asks_it(page):
    page.get_by_role("button", name="What are the side effects of ketamine infusions?").click()
    expect(page.locator("#question textarea")).to_have_value("What are the side effects of ketamine infusions?")
    page.locator("#ask").click()
    reply = page.locator("#answers .message.bot").first
    reply.wait_for(timeout=60_000)
    assert "There are dangers and negative effects related to ketamine infusions" in reply.inner_text()


def test_markup_typed_by_a_reader_is_shown_as_text(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, "<img src=x onerror=alert(1)>")
    page.wait_for_timeout(500)
    assert dialogs == []
    user = page.locator("#answers .message.user").last
    assert "<img src=x onerror=alert(1)>" in user.inner_text()
    assert page.locator("#answers img[src='x']").count() == 0


def test_passage_opens_in_the_article(page):
    ask(page, "What percent of the ketamine group stayed abstinent at 14 days?")
    page.get_by_role("button", name="Show [1] in the article").click()
    marked = page.locator("mark", has_text="48 p.c of individuals").last
    marked.wait_for(timeout=10_000)
    page.get_by_role("button", name="Whole article").click()
    page.get_by_text("However, for issues for which we now have few pharmacologic remedies").wait_for(timeout=10_000)


def test_off_topic_question_says_so(page):
    ask(page, "What is the capital of France?")
    assert "doesn't cover that" in page.locator("#answers .message.bot").last.inner_text()


def test_the_page_loads_nothing_from_outside(browser, url):
    from urllib.parse import urlparse

    page = browser.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url)
    ask(page, "Does ketamine help with cocaine addiction?")
    page.close()
    outside = [u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]  # fmt: skip
    assert requested and outside == []


def test_absent_question_says_what_is_missing_and_folds_related_passages(page):
    ask(page, "Can ketamine treat PTSD?")
    reply = page.locator("#answers .message.bot").last
    assert reply.inner_text().startswith("The article doesn't mention PTSD")
    assert reply.get_by_text("Related, but not an answer (3)").is_visible()
    assert reply.locator("blockquote").first.is_hidden()  # folded until opened


def test_a_folder_of_your_own_serves_only_your_pdf(browser):
    from .browser import own_pdf_app

    with own_pdf_app() as own:
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(own)
        page.locator("#question textarea").wait_for()
        text = page.locator("body").inner_text()
        assert "Riverside Community Garden: Water Use in 2026" in text and "etamine" not in text
        example = page.get_by_role("button", name="Drip lines")  # examples from real headings
        example.wait_for(state="visible", timeout=15_000)  # the examples may render after the question box
        assert example.is_visible()
        assert page.get_by_role("button", name="Page 1").count() == 0
        ask(page, "How much did the drip lines cost?")
        reply = page.locator("#answers .message.bot").last
        assert "1,850 euros" in reply.inner_text()
        assert reply.get_by_text(
            "2.1 Drip lines, page 1, ¶2 · riverside-community-garden-water-use-in-2026.md"
        ).is_visible()
        page.close()


def test_thumbs_down_is_stored_against_the_question(page):
    import os
    import time
    from pathlib import Path

    from article_qa.questions_log import entries

    db = Path(os.environ["ARTICLE_QA_INDEX"]).parent / "questions.sqlite"  # the served index's log
    question = "How long did the alcohol study follow its participants?"
    ask(page, question)
    page.locator("#answers").get_by_role("button", name="Dislike").last.click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = [e for e in entries(db) if e.question == question]
        if rows and rows[-1].rating == -1:
            break
        time.sleep(0.2)
    assert rows and rows[-1].rating == -1 and rows[-1].endpoint == "page" and rows[-1].passages
