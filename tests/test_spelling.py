"""Typo correction as a question meets it: through a real corpus folder's ranking state."""

from pathlib import Path

from article_qa import Retriever
from article_qa.spelling import english_words

from .conftest import FakeEmbedder


def _state(tmp_path: Path, text: str):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.md").write_text(text, "utf-8")
    return Retriever(folder, tmp_path / "index", embedder=FakeEmbedder())._ready()


def test_an_english_word_is_never_turned_into_another_corpus_word(tmp_path):
    state = _state(
        tmp_path,
        "# Alerts\n\nThe alerts go to the stack trace viewer. In each case the month is approved and compared.\n",
    )
    # "Slack" a letter from "stack", "cause" from "case", "mouth" from "month": what the reader meant.
    assert state.query_text("How can I send the alerts to Slack?") == "How can I send the alerts to Slack?"
    assert state.query_text("what could cause a sore mouth") == "what could cause a sore mouth"
    # A form of the reader's own word still meets the corpus's, and real typos are still corrected.
    assert state.query_text("who must approve it, and compare it") == "who must approved it, and compared it"
    assert state.query_text("the alrets from the stakc") == "the alerts from the stack"


def test_the_english_words_are_the_bundled_models_whole_words():
    found = english_words()
    assert len(found) > 15_000
    assert {"slack", "cause", "mouth", "language"} <= found
    assert not {"alchohol", "ketamin", "heorin", "recieve"} & found
