"""The Gradio chat page over a `Retriever`, and its two named API endpoints.

- The page: a reader asks in plain words. The reply quotes the best passage verbatim with the
  answering sentence marked, its citation (section, paragraph, file) and how likely it is to answer,
  in words; the next passages are folded under "More sources". Each cited passage can be opened in
  the article (its neighbouring paragraphs, or the whole article with it marked) in a side panel.
  When the article does not answer, the reply says so first and names what it does not mention
  ("The article doesn't mention PTSD."), with the nearest passages folded under "Related, but not an
  answer"; an off-topic question gets the nearest section headings. A short follow-up ("and for
  cocaine?") is read together with the previous question. A question clearly in another language
  than its article's gets a note that asking in the article's language may find more.
- ``/chat``: message -> the reply as Markdown.  ``/retrieve``: question, k -> hits as JSON objects.
  ``/ask``: question, k -> the `Answer` as a JSON object.

Article text and user input are escaped before they reach Markdown, so nothing in them is rendered as
markup. Readers never see a traceback. Analytics are off, no share link is opened unless asked, and
routes the page does not need (uploads, fetching URLs through ``file=``, run history) are refused.
The page's title, description and examples come from the corpus (its article titles and section
headings) or from an optional ``page.json`` beside the articles; nothing here is about one article.
Ranking lives in `retrieval`; this module only presents.
"""

import html
import json
import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

from .answerability import unanswered_part
from .language import language_of
from .lexical import tokenize
from .passages import Passage, split_code
from .questions_log import Entry, QuestionLog, open_log
from .retrieval import Answer, Hit, Retriever, check_k, clean_question, separate_questions

log = logging.getLogger(__name__)

ALL = "All articles"  # the page's choice of every article of the corpus
PAGE_FILE = "page.json"  # optional, in the corpus folder: {"title": ..., "description": ..., "examples": [...]}
NOTE = (
    "Every answer is the article's own words: the passages that answer it, quoted verbatim with where "
    "they stand, the best sentence marked. Nothing is generated."
)
MAX_CONCURRENT = int(os.environ.get("ARTICLE_QA_CONCURRENCY") or 2)  # searches at once; see the README
MAX_QUEUE = int(os.environ.get("ARTICLE_QA_QUEUE") or 64)  # beyond this: refused at once ("Queue is full")
# Waiting readers hear their place in the queue every this many seconds. Gradio's default ("auto") tells
# every waiting reader again each time a search starts: with 64 waiting, 64 event-stream messages per
# answer, which halved what the server could answer.
QUEUE_STATUS_SECONDS = 1.0
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")
_FOLLOW_UP_START = re.compile(r"^(and|or|but|also|what about|how about|and what about|same for|then)\b", re.I)


@dataclass(frozen=True)
class PageText:
    """What the page says about its corpus: a title, a description (Markdown) and example questions."""

    title: str
    description: str
    examples: tuple[str, ...]


def page_text(corpus_dir: str | Path, passages: list[Passage]) -> PageText:
    """The page's text: from ``page.json`` in the corpus folder when there is one (any of its keys may
    be left out), else from the corpus itself: the article titles and their section headings.

    >>> p = Passage("a:1", "Text.", "a.txt", "Findings", 1, 0, 5, "Can Ketamine Help?")
    >>> page_text("/nowhere", [p]).title
    'Can Ketamine Help?: ask the article'
    """
    titles = list(dict.fromkeys(p.title or Path(p.source).stem for p in passages))
    sections = example_headings(passages)
    if len(titles) == 1:
        derived = PageText(
            f"{titles[0]}: ask the article",
            f"Ask a question about the article *{escape_markdown(titles[0])}*. {NOTE}",
            tuple(sections),
        )
    else:
        listed = ", ".join(f"*{escape_markdown(t)}*" for t in titles[:8]) + (" and more" if len(titles) > 8 else "")
        derived = PageText("Ask the articles", f"Ask a question about {len(titles)} articles: {listed}. {NOTE}",
                           tuple(sections))  # fmt: skip
    path = Path(corpus_dir) / PAGE_FILE
    if not path.is_file():
        return derived
    try:
        data = json.loads(path.read_text("utf-8"))
        examples = data.get("examples", list(derived.examples))
        if not isinstance(data, dict) or not all(isinstance(e, str) for e in examples):
            raise ValueError("expected an object with a title, a description and a list of example questions")
        return PageText(str(data.get("title", derived.title)), str(data.get("description", derived.description)),
                        tuple(examples))  # fmt: skip
    except (OSError, ValueError) as exc:
        log.warning("cannot use %s (%s); the page describes the corpus itself", path, exc)
        return derived


_NOT_AN_EXAMPLE = re.compile(
    r"^(page \d+|slide \d+|abstract|introduction|references?|r[ée]f[ée]rences|bibliography|notes|footnotes|see also|"
    r"external links|further reading|acknowledge?ments?.*|appendix.*|contents|table of contents|comments?|"
    r"related( posts| articles)?|share this.*|about the author|summary|r[ée]sum[ée]|"
    r"copyright.*|licen[cs]es?( .*)?|legal( notices?)?|credits|authors?|index|conventions|name|synopsis)$",
    re.IGNORECASE,
)


# A heading's numbering, taken off for an example: "3.1 ", "IV. ", "B ", a slide's "Slide 2: ".
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-H]\.?|Slide \d+:)\s+")


def example_headings(passages: list[Passage], most: int = 5) -> list[str]:
    """Example questions from the corpus's real section headings: numbering taken off ("3.1 "), and no
    "Page 2", "References", "See also" or other headings nobody asks about, nor one that leads into what
    follows ("'make' fails with this:"), nor a manual's "Copyright" or man-page "NAME"; headings that ask
    (an FAQ's questions) first, then those of several words ("Running your program under Memcheck"
    before "Linking"); none when there are none.

    >>> ps = [Passage(f"a:{i}", "T.", "a.md", s, i, 0, 2) for i, s in enumerate(["Page 1", "3.1 Dosing", "References"])]
    >>> example_headings(ps)
    ['Dosing']
    >>> deck = [Passage(f"d:{i}", "T.", "d.md", s, i, 0, 2) for i, s in enumerate(["Slide 2: Why?", "Slide 3"])]
    >>> example_headings(deck)
    ['Why?']
    >>> faq = ["2.2. The build fails with this:", "Background", "1.1. How do you say it?"]
    >>> example_headings([Passage(f"f:{i}", "T.", "f.md", s, i, 0, 2) for i, s in enumerate(faq)])
    ['How do you say it?', 'Background']
    >>> manual = ["Copyright © 2000-2022 AUTHORS", "Linking", "2.1. NAME", "Running your program under Memcheck"]
    >>> example_headings([Passage(f"m:{i}", "T.", "m.md", s, i, 0, 2) for i, s in enumerate(manual)])
    ['Running your program under Memcheck', 'Linking']
    """
    out: list[str] = []
    for p in passages:
        heading = _NUMBERING.sub("", p.section or "").strip()
        if 3 <= len(heading) <= 70 and not _NOT_AN_EXAMPLE.match(heading) and re.search(r"[^\W\d_]{3}", heading):
            if heading not in out and not heading.endswith(":"):
                out.append(heading)
    return sorted(out, key=lambda h: (not h.endswith("?"), len(h.split()) < 2))[:most]


def escape_markdown(text: str) -> str:
    """Text shown as itself in Markdown: HTML and Markdown syntax escaped, white space folded.

    >>> escape_markdown("<b>*hi*</b> [x](y)")
    '&lt;b&gt;\\\\*hi\\\\*&lt;/b&gt; \\\\[x\\\\]\\\\(y\\\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def confidence_label(confidence: float) -> str:
    """How likely the first passage answers, in words that hold on articles the judge never saw (the
    README's reliability table: "likely" was right 67-93% of the time by set, "possibly" 29-65%, "a weak
    match" 0-50%). The number itself is the judge's estimate, fitted on one article, so the page does not
    show it.

    >>> [confidence_label(p) for p in (0.97, 0.8, 0.4)]
    ['likely the answer', 'possibly the answer', 'a weak match']
    """
    if confidence >= 0.9:
        return "likely the answer"
    if confidence >= 0.5:
        return "possibly the answer"
    return "a weak match"


def marked_text(hit: Hit, end: int | None = None) -> str:
    """The passage (its first `end` characters when given), escaped, with the answering sentence inside
    <mark>."""
    end = len(hit.text) if end is None else end
    a, b = (min(end, max(0, x - hit.start)) for x in (hit.highlight_start, hit.highlight_end))
    parts = [
        escape_markdown(hit.text[:a]),
        f"<mark>{escape_markdown(hit.text[a:b])}</mark>",
        escape_markdown(hit.text[b:end]),
    ]
    return " ".join(p for p in parts if p and p != "<mark></mark>")


def format_citation(hit: Hit, note: str = "", titled: bool = False) -> str:
    where = f"{escape_markdown(hit.where)} · {escape_markdown(hit.source)}"
    if titled and hit.title:
        where = f"*{escape_markdown(hit.title)}* · {where}"
    return f"<sub>[{hit.rank}] {where}{' · ' + note if note else ''}</sub>"


def fenced(text: str) -> list[str]:
    """A code block's lines, as they stand, between fences longer than any run of backticks in the code
    (so none of it closes the block early)."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return [fence, *text.split("\n"), fence]


def quoted_code(text: str) -> str:
    """A code block's lines, as they stand, fenced inside a Markdown quotation.

    >>> print(quoted_code("$ pip install httpx\\n  --upgrade"))
    > ```
    > $ pip install httpx
    >   --upgrade
    > ```
    """
    return "\n".join(f"> {line}".rstrip() for line in fenced(text))


def code_part(hit: Hit) -> tuple[int, str] | None:
    """Where a passage's code block opens and its lines, for a sentence joined to the short block that
    follows it; None for a passage without one (or all code)."""
    prose, block = split_code(hit.text, hit.code)
    return (len(prose), block) if block is not None and not hit.code else None


def format_hit(hit: Hit, note: str = "", titled: bool = False) -> str:
    """One cited passage as a Markdown quotation with its citation line (led by the article's title
    when `titled`, for a corpus of several articles); a code block keeps its lines."""
    if hit.code:
        quoted = quoted_code(hit.text)
    elif (part := code_part(hit)) is not None:
        quoted = f"> {marked_text(hit, part[0])}\n>\n{quoted_code(part[1])}"
    else:
        quoted = f"> {marked_text(hit)}"
    return f"{quoted}\n\n{format_citation(hit, note, titled)}"


def plain_list(words: list[str]) -> str:
    """Words joined as a reader writes them.

    >>> plain_list(["PTSD"]), plain_list(["cost", "insurance"]), plain_list(["a", "b", "c"])
    ('PTSD', 'cost or insurance', 'a, b or c')
    """
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def format_answer(
    answer: Answer,
    nearest: list[str] | None = None,
    read_as: str | None = None,
    titled: bool = False,
    languages: tuple[str, str] | None = None,
) -> str:
    """The whole reply in Markdown. Answered: the best passage first, with how likely it answers, the
    rest folded under "More sources". Not answered: that first, with what the article does not
    mention, then the nearest passages folded as related reading (or, when `nearest` section names
    are given for an off-topic question, those). `languages` (the question's, the article's), when
    they differ, open the reply with a note that asking in the article's language may find more."""
    note = f"<sub>Read as a follow-up: “{escape_markdown(read_as)}”</sub>\n\n" if read_as else ""
    if languages is not None and languages[0] != languages[1]:
        asked, written = languages
        note += (
            f"<sub>The question reads as {asked} and the article is written in {written}: the passages are "
            f"matched best in one language, so asking in {written} may find more.</sub>\n\n"
        )
    hits = answer.hits
    if answer.answered and hits:
        label = confidence_label(answer.confidence)
        several = separate_questions(answer.question)
        # Of several questions, what is missing is what the unanswered ones lack (`merged_answer`).
        lacking = answer.missing if several else unanswered_part(answer.question, answer.missing)
        if lacking:
            note += (
                f"**The article doesn't mention {escape_markdown(plain_list(lacking))}**, so this may answer only "
                "part of the question.\n\n"
            )
        reply = note + format_hit(hits[0], label, titled)
        # A message of several questions: the first passage of each in view, taken in turn.
        shown = max(1, len(several))
        for hit in hits[1:shown]:
            reply += "\n\n" + format_hit(hit, titled=titled)
        if len(hits) > shown:
            more = "\n\n".join(format_hit(h, titled=titled) for h in hits[shown:])
            reply += f"\n\n<details><summary>More sources ({len(hits) - shown})</summary>\n\n{more}\n\n</details>"
        return reply
    if nearest is not None or not hits:
        reply = "**The article doesn't cover that**, so there is nothing to quote."
    elif answer.missing:
        reply = (
            f"**The article doesn't mention {escape_markdown(plain_list(answer.missing))}**, so it can't answer that."
        )
    else:
        reply = "**The article doesn't answer that.** It has passages on the subject, but none that answers it."
    if nearest:
        return (
            note + reply + " The nearest sections are: " + ", ".join(f"*{escape_markdown(s)}*" for s in nearest) + "."
        )
    if hits:
        related = "\n\n".join(format_hit(h, titled=titled) for h in hits)
        reply += f"\n\n<details><summary>Related, but not an answer ({len(hits)})</summary>\n\n{related}\n\n</details>"
    return note + reply


def page_k(k: Any) -> int:
    """`k` as the page and the endpoints send it (the slider gives 3.0), checked like the API's.

    >>> page_k(3.0), page_k(2)
    (3, 2)
    """
    return check_k(int(k) if isinstance(k, float) and k.is_integer() else k)


def is_follow_up(message: str) -> bool:
    """A message too short to stand alone, or one that starts like a follow-up.

    >>> is_follow_up("and for cocaine?"), is_follow_up("What about side effects?"), is_follow_up("Is it FDA approved?")
    (True, True, False)
    """
    return bool(_FOLLOW_UP_START.match(message.strip())) or len(tokenize(message)) <= 1


class Reply(NamedTuple):
    """What the page shows for a message: the reply in Markdown, the passages it quotes, and the
    question's row in the owner's log (None when nothing is logged)."""

    markdown: str
    hits: list[Hit]
    log_id: str | None = None


class ChatService:
    """What the page and the API call: input checks, follow-ups, retrieval, formatting, friendly errors,
    and a row in the owner's question log for every question answered (when there is a log)."""

    def __init__(self, retriever: Retriever, question_log: QuestionLog | None = None):
        self.retriever = retriever
        self.question_log = question_log
        self._article_languages: dict[str, str | None] = {}  # an article's source file -> its language

    def answer(
        self, message: Any, k: Any = 3, previous: str | None = None, article: str | None = None, endpoint: str = "page"
    ) -> Reply:
        """The reply in Markdown and the passages it shows; bad input gets a friendly reply, not an error."""
        started = time.perf_counter()
        try:
            question = clean_question(message)
            k = min(page_k(k), 10)
        except (TypeError, ValueError) as exc:
            return Reply(f"Please type a question about the article ({escape_markdown(str(exc))}).", [])
        read_as = None
        if previous and is_follow_up(question):
            read_as = f"{previous} {question}"
        try:
            answer = self.retriever.ask(read_as or question, k, article=article or None)
            off_topic = not answer.answered and (not answer.hits or answer.hits[0].score < self.min_score)
            nearest = self.nearest_sections(answer.hits) if off_topic else None
            shown = [] if off_topic else answer.hits
            titled = len(self.retriever.articles) > 1
            log_id = self.record(answer, shown, started, endpoint, article)
            languages = self.languages(question, answer)
            return Reply(format_answer(answer, nearest, read_as, titled, languages), shown, log_id)
        except Exception:
            log.exception("failed to answer %r", message)
            return Reply("Sorry, something went wrong while searching the article. Please try again.", [])

    def languages(self, question: str, answer: Answer) -> tuple[str, str] | None:
        """The question's language and its first passage's article's, when both can be told."""
        if not answer.hits:
            return None
        asked = language_of(question)
        if asked is None:
            return None
        source = answer.hits[0].source
        if source not in self._article_languages:
            text = " ".join(p.text for p in self.retriever.passages if p.source == source)
            self._article_languages[source] = language_of(text)
        written = self._article_languages[source]
        return (asked, written) if written is not None else None

    def record(
        self, answer: Answer, shown: list[Hit], started: float, endpoint: str, article: str | None
    ) -> str | None:
        """The question's row in the owner's log, queued (answering never waits on it); its id."""
        if self.question_log is None:
            return None
        entry = Entry(
            question=answer.question[:2000],
            answered=answer.answered,
            confidence=round(float(answer.confidence), 4),
            missing=list(answer.missing),
            passages=[h.passage_id for h in shown],
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            endpoint=endpoint,
            article=article or None,
        )
        return self.question_log.record(entry)

    def rate(self, log_id: str | None, liked: Any) -> None:
        """A reader's thumbs up (True, "Like") or down (False, "Dislike") on an answer; anything else
        takes the rating back."""
        if self.question_log is None or not log_id:
            return
        rating = 1 if liked is True or liked == "Like" else -1 if liked is False or liked == "Dislike" else None
        self.question_log.rate(log_id, rating)

    @property
    def min_score(self) -> float:
        return self.retriever.ranking.min_score

    def reply(self, message: Any, k: Any = 3, previous: str | None = None, endpoint: str = "page") -> str:
        return self.answer(message, k, previous, endpoint=endpoint).markdown

    @staticmethod
    def nearest_sections(hits: list[Hit], n: int = 3) -> list[str]:
        sections: list[str] = []
        for hit in hits:
            name = hit.section or "Introduction"
            if name not in sections:
                sections.append(name)
        return sections[:n]

    def retrieve(self, question: Any, k: Any = 3, article: str | None = None) -> list[dict[str, Any]]:
        """Hits as JSON objects ([] when the article does not answer: `Retriever.search`); bad input raises
        ValueError/TypeError with a readable message."""
        started = time.perf_counter()
        k = page_k(k)
        answer = self.retriever.ask(question, min(k, 100), article=article or None)
        hits = answer.hits if answer.answered else []
        self.record(answer, hits, started, "retrieve", article)
        return [h.to_dict() for h in hits]

    def ask(self, question: Any, k: Any = 3, article: str | None = None, endpoint: str = "ask") -> dict[str, Any]:
        """The `Answer` as a JSON object; bad input raises ValueError/TypeError with a readable message."""
        started = time.perf_counter()
        k = page_k(k)
        answer = self.retriever.ask(question, min(k, 100), article=article or None)
        self.record(answer, answer.hits, started, endpoint, article)
        return answer.to_dict()

    def context(self, passage_id: str, radius: int | None = 1) -> str:
        """A passage in its place: `radius` paragraphs either side (None: the whole file), it marked."""
        passages = self.retriever.passages
        i = next((n for n, p in enumerate(passages) if p.passage_id == passage_id), None)
        if i is None:
            return "That passage is no longer in the article."
        p = passages[i]
        same = [n for n, q in enumerate(passages) if q.source == p.source]
        lo, hi = (same[0], same[-1]) if radius is None else (max(same[0], i - radius), min(same[-1], i + radius))
        out = [f"### {escape_markdown(p.title or p.source)}"]
        section = object()
        for n in range(lo, hi + 1):
            q = passages[n]
            if q.section != section:
                section = q.section
                out.append(f"**{escape_markdown(q.section or 'Introduction')}**")
            prose, block = split_code(q.text, q.code)
            body = escape_markdown(prose)
            body = f"<mark>{body}</mark>" if n == i and body else body
            number = f"<sub><mark>¶{q.paragraph}</mark></sub>" if n == i and not body else f"<sub>¶{q.paragraph}</sub>"
            if block is None:
                out.append(f"{body} {number}")
            else:  # a code block keeps its lines; its paragraph number follows it
                out.append("\n\n".join([*([body] if body else []), "\n".join(fenced(block)), number]))
        return "\n\n".join(out)


class JsonApi:
    """``POST /api/ask`` for programs: ``{"question": ..., "k": 3, "article": null}`` in, the `Answer` as
    JSON out, without Gradio's queue. At most `concurrency` questions are answered at once and at most
    `max_waiting` wait; past that the reply is 503 at once ("busy, try again"), never a hang. Bad input is
    400 with a readable message."""

    def __init__(self, service: ChatService, concurrency: int | None = None, max_waiting: int | None = None):
        self.service = service
        self.concurrency = concurrency or MAX_CONCURRENT
        self.gate = threading.BoundedSemaphore(self.concurrency)
        self.max_waiting = max_waiting or MAX_QUEUE
        self.waiting = 0
        self.lock = threading.Lock()

    def handle(self, payload: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for one request's parsed body."""
        if not isinstance(payload, dict):
            return 400, {"error": 'send a JSON object: {"question": "...", "k": 3, "article": null}'}
        unknown = set(payload) - {"question", "k", "article"}
        if unknown:
            return 400, {"error": f"unknown field(s): {', '.join(sorted(unknown))}"}
        article = payload.get("article")
        if article is not None and not isinstance(article, str):
            return 400, {"error": "article must be a title or file name (a string) or null"}
        with self.lock:
            if self.waiting >= self.max_waiting + self.concurrency:
                return 503, {"error": "busy, try again in a moment"}
            self.waiting += 1
        try:
            with self.gate:
                return 200, self.service.ask(payload.get("question"), payload.get("k", 3), article, endpoint="api")
        except (TypeError, ValueError) as exc:
            return 400, {"error": str(exc)}
        finally:
            with self.lock:
                self.waiting -= 1

    def routes(self) -> list[Any]:
        """The FastAPI route, for the server's `app_kwargs`."""
        from fastapi import Request
        from fastapi.responses import JSONResponse
        from fastapi.routing import APIRoute

        async def read(request: Request) -> Any:
            try:
                return await request.json()
            except ValueError:
                return None

        async def ask_endpoint(request: Request) -> JSONResponse:
            import anyio

            payload = await read(request)
            status, body = await anyio.to_thread.run_sync(self.handle, payload)
            return JSONResponse(body, status_code=status)

        return [APIRoute("/api/ask", ask_endpoint, methods=["POST"], include_in_schema=False)]


class RouteGuard:
    """ASGI middleware refusing routes the page never needs: uploads, fetching URLs via ``file=``,
    run history and the proxy. What remains serves the page and its two endpoints."""

    BLOCKED = ("/gradio_api/upload", "/gradio_api/run-history", "/gradio_api/proxy=")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = unquote(scope.get("path", ""))
            is_file = path.startswith(("/gradio_api/file=", "/gradio_api/file/"))
            if path.startswith(self.BLOCKED) or (is_file and "://" in path):
                await send(
                    {"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]}
                )
                await send({"type": "http.response.body", "body": b"Not Found"})
                return
        await self.app(scope, receive, send)


def build_app(
    retriever: Retriever,
    concurrency: int | None = None,
    max_queue: int | None = None,
    question_log: QuestionLog | None = None,
    service: ChatService | None = None,
):
    """The Gradio Blocks app: the chat page plus the `/chat`, `/retrieve` and `/ask` endpoints.

    At most `concurrency` searches run at once (default `ARTICLE_QA_CONCURRENCY`, 2) and at most
    `max_queue` requests wait (default `ARTICLE_QA_QUEUE`, 64); past that a request is refused at once
    with "Queue is full", so a flood gets a quick answer instead of a hang. With a `question_log`, every
    question asked on the page or the endpoints is logged, and the page's thumbs rate its answer."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # Gradio's queue summarises its past events with pandas after every event, for a monitoring page
    # this app does not serve: 5 ms an event at first, 17 ms once its 10,000 are kept. Keep few, and
    # summarise once in a thousand events.
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "100")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    import gradio as gr

    service = service or ChatService(retriever, question_log)
    retriever.warm()  # load (or build) the index and the model before the first reader waits

    def chat_api(message: str) -> str:
        """The reply to a question about the article, as Markdown."""
        return service.reply(message, endpoint="chat")

    def retrieve_api(question: str, k: int = 3, article: str = "") -> list[dict]:
        """The passages that answer a question, as JSON objects with the Hit fields; [] when the
        article does not answer."""
        try:
            return service.retrieve(question, k, article)
        except (TypeError, ValueError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def ask_api(question: str, k: int = 3, article: str = "") -> dict:
        """Whether the article answers a question: answered, confidence, missing, and the hits (the
        answer, or related reading when there is none)."""
        try:
            return service.ask(question, k, article)
        except (TypeError, ValueError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def respond(message: str, history: list[dict], k: float, last_question: str, cited: dict, article: str = ""):
        history, cited = list(history or []), dict(cited or {})
        if not (message or "").strip():
            return "", history, last_question, cited
        reply, hits, log_id = service.answer(message, k, last_question or None, None if article == ALL else article)
        history.append({"role": "user", "content": escape_markdown(message[:2000])})
        if log_id:
            cited[f"log:{len(history)}"] = log_id  # the reply's row in the owner's log, for its thumbs
        entry: dict[str, Any] = {"role": "assistant", "content": reply}
        if hits:
            entry["options"] = [{"label": f"Show [{h.rank}] in the article", "value": h.passage_id} for h in hits]
            cited[str(len(history))] = [h.passage_id for h in hits]
            last_question = message if not is_follow_up(message) or not last_question else last_question
        history.append(entry)
        return "", history, last_question, cited

    def show_context(passage_id: str):
        return service.context(passage_id), passage_id, gr.Sidebar(open=True)

    def on_option(evt: gr.SelectData):
        return show_context(str(evt.value))

    def on_select(evt: gr.SelectData, cited: dict):
        ids = (cited or {}).get(str(evt.index[0] if isinstance(evt.index, list) else evt.index))
        return show_context(ids[0]) if ids else (gr.skip(), gr.skip(), gr.skip())

    def on_like(data: gr.LikeData, cited: dict):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        service.rate((cited or {}).get(f"log:{index}"), data.liked)

    def whole_article(passage_id: str):
        return service.context(passage_id, radius=None) if passage_id else gr.skip()

    text = page_text(retriever.corpus_dir, retriever.passages)
    with gr.Blocks(title=text.title, analytics_enabled=False) as app:
        last_question = gr.State("")
        cited = gr.State({})
        current = gr.State("")
        with gr.Sidebar(open=False, position="right", width=460) as side:
            context = gr.Markdown("Choose *Show in the article* under an answer.", sanitize_html=True)
            whole = gr.Button("Whole article", size="sm")
        gr.Markdown(f"# {escape_markdown(text.title)}\n{text.description}")
        chatbot = gr.Chatbot(label="Answers quoted from the article", height=560, sanitize_html=True, elem_id="answers")
        with gr.Row():
            box = gr.Textbox(
                placeholder="Ask a question about the article…",
                show_label=False,
                scale=8,
                max_length=2000,
                autofocus=True,
                elem_id="question",
            )
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        with gr.Row():
            k = gr.Slider(1, 5, value=3, step=1, label="Passages to show (top-k)", scale=3)
            articles = retriever.articles
            which = gr.Dropdown([ALL, *articles], value=ALL, label="Ask", scale=3, visible=len(articles) > 1)
            gr.ClearButton([box, chatbot, last_question, cited], value="Clear", scale=1)
        if text.examples:
            gr.Examples(list(text.examples), inputs=box, label="Try one")
        inputs, outputs = [box, chatbot, k, last_question, cited, which], [box, chatbot, last_question, cited]
        search = {"concurrency_limit": concurrency or MAX_CONCURRENT, "concurrency_id": "search"}
        send.click(respond, inputs, outputs, api_visibility="private", **search)
        box.submit(respond, inputs, outputs, api_visibility="private", **search)
        chatbot.option_select(on_option, None, [context, current, side], api_visibility="private", queue=False)
        chatbot.select(on_select, [cited], [context, current, side], api_visibility="private", queue=False)
        whole.click(whole_article, [current], [context], api_visibility="private", queue=False)
        chatbot.like(on_like, [cited], None, api_visibility="private", queue=False)
        gr.api(chat_api, api_name="chat", **search)
        gr.api(retrieve_api, api_name="retrieve", **search)
        gr.api(ask_api, api_name="ask", **search)
    app.queue(max_size=max_queue or MAX_QUEUE, status_update_rate=QUEUE_STATUS_SECONDS)
    return app


def server_options(host: str | None = None, port: int | None = None, share: bool = False) -> dict[str, Any]:
    """The `launch()` arguments of the page: loopback by default, no share link, no analytics or run
    history, and the route guard."""
    from starlette.middleware import Middleware

    return {
        "server_name": host or os.environ.get("ARTICLE_QA_HOST") or "127.0.0.1",
        "server_port": int(port or os.environ.get("ARTICLE_QA_PORT") or 7860),
        "share": share,
        "show_error": False,
        "footer_links": ["api"],
        "run_history": False,
        "app_kwargs": {"middleware": [Middleware(RouteGuard)]},
    }


def launch(retriever: Retriever, host: str | None = None, port: int | None = None, share: bool = False) -> None:
    """Serve the chat page (127.0.0.1:7860 unless told otherwise), logging questions to the corpus's
    question log unless ``ARTICLE_QA_LOG=off``."""
    options = server_options(host, port, share)
    question_log = open_log(retriever.index_dir)
    service = ChatService(retriever, question_log)
    app = build_app(retriever, question_log=question_log, service=service)
    options["app_kwargs"]["routes"] = JsonApi(service).routes()  # POST /api/ask for programs
    where = question_log.path if question_log else "nowhere (ARTICLE_QA_LOG=off)"
    log.info("serving the chat page on http://%s:%d; questions logged to %s", options["server_name"],
             options["server_port"], where)  # fmt: skip
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop runs the `finally` below: the log is flushed
    try:
        app.launch(**options)
    finally:
        if question_log is not None:
            question_log.close()
