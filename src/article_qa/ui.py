"""The Gradio chat page over a `Retriever`, and its two named API endpoints.

- The page: a reader asks in plain words; the reply quotes the best passages verbatim, the answering
  sentence in bold, each with its citation (section, paragraph, file) and a relevance label. When
  nothing clears the threshold it says so and names the nearest sections.
- ``/chat``: message -> the same reply as Markdown.
- ``/retrieve``: question, k -> the hits as JSON objects with the `Hit` fields.

Article text and user input are escaped before they reach Markdown, so nothing in them is rendered
as markup. Errors reach readers as a short message, never a traceback. Analytics are off and no share
link is opened unless asked. Ranking lives in `retrieval`; this module only presents.
"""

from __future__ import annotations

import html
import logging
import os
import re
from typing import Any

from .retrieval import Hit, Retriever, check_k, clean_question

log = logging.getLogger(__name__)

TITLE = "Ketamine & addiction: ask the article"
DESCRIPTION = (
    "Ask a question about the article *Can Ketamine Be Used to Treat Addictions?* The answer is the "
    "article's own words: the passages that answer it, quoted verbatim with where they stand. Nothing is "
    "generated, and nothing here is medical advice."
)
EXAMPLES = [
    "Does ketamine help with cocaine addiction?",
    "Which drug did the control group get in the cocaine study?",
    "What are the side effects of ketamine infusions?",
    "How long did the benefits last for heroin users?",
    "Is ketamine FDA approved for depression?",
]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


def escape_markdown(text: str) -> str:
    """Text shown as itself in Markdown: HTML and Markdown syntax escaped.

    >>> escape_markdown("<b>*hi*</b> [x](y)")
    '&lt;b&gt;\\\\*hi\\\\*&lt;/b&gt; \\\\[x\\\\]\\\\(y\\\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def relevance_label(score: float) -> str:
    """A relevance people can read, from the fused score."""
    if score >= 0.45:
        return "strong match"
    if score >= 0.3:
        return "good match"
    return "possible match"


def format_hit(hit: Hit) -> str:
    """One cited passage as a Markdown quotation, the answering sentence in bold."""
    before = hit.text[: hit.highlight_start - hit.start]
    after = hit.text[hit.highlight_end - hit.start :]
    body = " ".join(
        part
        for part in (escape_markdown(before), f"**{escape_markdown(hit.highlight)}**", escape_markdown(after))
        if part
    )
    where = f"{escape_markdown(hit.section or 'Introduction')}, ¶{hit.paragraph} · {escape_markdown(hit.source)}"
    return f"> {body}\n\n<sub>[{hit.rank}] {where} · {relevance_label(hit.score)} ({hit.score:.2f})</sub>"


def format_reply(hits: list[Hit], nearest: list[str] | None = None) -> str:
    """The whole reply in Markdown; `nearest` section names are shown when there is no hit."""
    if not hits:
        reply = "The article doesn't cover that, so there is nothing to quote."
        if nearest:
            reply += " The nearest sections are: " + ", ".join(f"*{escape_markdown(s)}*" for s in nearest) + "."
        return reply
    lead = "From the article:" if len(hits) == 1 else f"From the article ({len(hits)} passages, best first):"
    return lead + "\n\n" + "\n\n".join(format_hit(h) for h in hits)


class ChatService:
    """What the page and the API call: input checks, retrieval, formatting, friendly errors."""

    def __init__(self, retriever: Retriever):
        self.retriever = retriever

    def reply(self, message: Any, k: Any = 3) -> str:
        try:
            question = clean_question(message)
            k = check_k(int(k) if isinstance(k, float) and k.is_integer() else k)
            hits = self.retriever.search(question, min(k, 10))
            nearest = [] if hits else self.nearest_sections(question)
            return format_reply(hits, nearest)
        except (TypeError, ValueError) as exc:
            return f"Please type a question about the article ({escape_markdown(str(exc))})."
        except Exception:
            log.exception("failed to answer %r", message)
            return "Sorry, something went wrong while searching the article. Please try again."

    def nearest_sections(self, question: str, n: int = 3) -> list[str]:
        sections: list[str] = []
        for hit in self.retriever.search(question, 10, min_score=None):
            name = hit.section or "Introduction"
            if name not in sections:
                sections.append(name)
        return sections[:n]

    def retrieve(self, question: str, k: int = 3) -> list[dict[str, Any]]:
        """Hits as JSON objects; bad input raises a readable error for the API client."""
        import gradio as gr

        try:
            k = check_k(int(k) if isinstance(k, float) and k.is_integer() else k)
            return [h.to_dict() for h in self.retriever.search(question, min(k, 100))]
        except (TypeError, ValueError) as exc:
            raise gr.Error(str(exc)) from None


def build_app(retriever: Retriever):
    """The Gradio Blocks app: the chat page plus the `/chat` and `/retrieve` endpoints."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    service = ChatService(retriever)
    retriever.warm()  # load (or build) the index and the model before the first reader waits

    def chat_api(message: str) -> str:
        """The reply to a question about the article, as Markdown."""
        return service.reply(message)

    def retrieve_api(question: str, k: int = 3) -> list[dict]:
        """The passages that answer a question, as JSON objects with the Hit fields."""
        return service.retrieve(question, k)

    def respond(message: str, history: list[dict], k: float):
        history = list(history or [])
        if not (message or "").strip():
            return "", history
        history.append({"role": "user", "content": escape_markdown(message[:2000])})
        history.append({"role": "assistant", "content": service.reply(message, k)})
        return "", history

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}\n{DESCRIPTION}")
        chatbot = gr.Chatbot(label="Answers quoted from the article", height=520, sanitize_html=True)
        with gr.Row():
            box = gr.Textbox(
                placeholder="Ask about ketamine and addiction, e.g. does it help with alcohol use?",
                show_label=False,
                scale=8,
                max_length=2000,
                autofocus=True,
            )
            send = gr.Button("Ask", variant="primary", scale=1)
        with gr.Row():
            k = gr.Slider(1, 5, value=3, step=1, label="Passages to show (top-k)", scale=3)
            clear = gr.ClearButton([box, chatbot], value="Clear", scale=1)
        gr.Examples(EXAMPLES, inputs=box, label="Try one")
        send.click(respond, [box, chatbot, k], [box, chatbot], api_visibility="private")
        box.submit(respond, [box, chatbot, k], [box, chatbot], api_visibility="private")
        del clear
        gr.api(chat_api, api_name="chat")
        gr.api(retrieve_api, api_name="retrieve")
    app.queue(default_concurrency_limit=4, max_size=64)
    return app


def launch(retriever: Retriever, host: str | None = None, port: int | None = None, share: bool = False) -> None:
    """Serve the chat page (127.0.0.1:7860 unless told otherwise)."""
    host = host or os.environ.get("ARTICLE_QA_HOST") or "127.0.0.1"
    port = int(port or os.environ.get("ARTICLE_QA_PORT") or 7860)
    app = build_app(retriever)
    log.info("serving the chat page on http://%s:%d", host, port)
    app.launch(server_name=host, server_port=port, share=share, show_error=False, footer_links=["api"])
