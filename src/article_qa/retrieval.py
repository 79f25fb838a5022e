"""Answer questions with the article's own passages: `Retriever`, `Hit`, `Answer`, `retrieve()`, `ask()`.

A `Retriever` ties one corpus, index folder and model together. For a question it:

1. validates it (`clean_question`, `check_k`): a `TypeError` or `ValueError` a person can read;
2. loads the index once (`build.load_or_build`: built when missing or stale) and prepares the ranking
   state (`ranking.RankingState`);
3. corrects typos and folds synonym groups, then encodes the question (vector and tokens, one run);
4. ranks every passage (`ranking.rank`) and marks in each hit the sentence that answers best;
5. judges whether the first passage answers (`answerability`): `ask` returns an `Answer` that says
   so, with its confidence and the key words the article never addresses; `search` and `retrieve`
   return the `Hit`s that answer, or none.

It never generates text: every `Hit.text` is a verbatim slice of a corpus file. The chat page and the
CLI are built on this module.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .answerability import Evidence, Judge, gather, is_key
from .build import (
    TOKEN_BUDGET,
    IndexSettings,
    build,
    corpus_vocabulary,
    expected_manifest,
    index_passages,
    load_or_build,
)
from .embedding import Embedder, load_embedder
from .index import PassageIndex
from .passages import Passage
from .questions_log import Entry, QuestionLog
from .ranking import QueryTerms, RankingState, RankSettings, highlights, rank
from .vocabulary import Vocabulary

DEFAULT_MIN_SCORE = RankSettings.min_score
MAX_QUESTION_CHARS = 2000  # the model reads 256 word pieces at most; more text only costs time
_DEFAULT: Any = object()


@dataclass(frozen=True)
class Hit:
    """One passage that answers a question, verbatim, with where it stands in the article."""

    passage_id: str
    text: str
    score: float
    rank: int
    source: str
    section: str | None
    paragraph: int
    start: int
    end: int
    citation: str
    highlight_start: int
    highlight_end: int
    title: str | None = None  # the article's title (several articles may share a corpus)
    page: int | None = None  # the page the passage starts on (PDFs)
    code: bool = False  # a code block, verbatim: its lines are shown as they stand

    @property
    def where(self) -> str:
        """Section, page and paragraph, for people: "3.1 Hydrographic, page 14, ¶2"."""
        return self.citation.rsplit(" (", 1)[0]

    @property
    def highlight(self) -> str:
        """The sentence that answers best, verbatim."""
        return self.text[self.highlight_start - self.start : self.highlight_end - self.start]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, p: Passage, score: float, rank: int, marked: tuple[int, int]) -> Hit:
        return cls(
            passage_id=p.passage_id,
            text=p.text,
            score=round(score, 4),
            rank=rank,
            source=p.source,
            section=p.section,
            paragraph=p.paragraph,
            start=p.start,
            end=p.end,
            citation=p.citation,
            highlight_start=marked[0],
            highlight_end=marked[1],
            title=p.title,
            page=p.page,
            code=p.code,
        )


@dataclass(frozen=True)
class Answer:
    """What the article says to a question: whether it answers, how sure that is, what it lacks.

    `confidence` is the estimated probability that the first passage answers. When `answered`, `hits`
    are the passages that answer, best first; when not, `hits` are the nearest passages, offered as
    related reading and never as an answer, and `missing` names the question's key words the article
    never addresses (it may be empty: the words are there, the answer is not)."""

    question: str
    answered: bool
    confidence: float
    missing: list[str]
    hits: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hits": [h.to_dict() for h in self.hits]}


def clean_question(question: object) -> str:
    """Check a question and make it safe to embed; raises TypeError or ValueError.

    >>> clean_question("  Does it\\x00 help? ")
    'Does it help?'
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a str, not {type(question).__name__}")
    text = question[: MAX_QUESTION_CHARS * 4].encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = " ".join(text.split())[:MAX_QUESTION_CHARS]
    if not text:
        raise ValueError("the question is empty: type a question about the article")
    return text


_ASKING = (
    "how|what|when|where|who|whom|whose|why|which|can|could|do|does|did|is|are|was|were|will|would|should|shall|"
    "may|might|must|am|have|has|had|if|any|is|isn't|can't|won't"
)
# Where a sentence starts: after . ! ? (or a line break), or where a capitalised question word follows a
# word without punctuation, as a message typed as "...look after them permanently How long will it take?".
_SENTENCE_START = re.compile(rf"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+|\n+|(?<=[a-z0-9,)])\s+(?=(?:{_ASKING.title()})\b)")
_KEY = re.compile(r"[^\W\d_][\w'-]*")


_GREETING = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening))(?: there| all| everyone)?[\s,!.:;-]+)+",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"[\s,.;:!-]*\b(?:(?:many |great )?thanks?(?: you)?(?: (?:so|very) much)?(?: in advance)?"
    r"|thx|ty|cheers|please|pls|plz)[\s.!]*$",
    re.IGNORECASE,
)


def without_courtesies(text: str) -> str:
    """A message without the greeting before it and the thanks after it, which say nothing of what is
    asked and only pull the search away from it; the message as it is when nothing else would be left.

    >>> without_courtesies("Hi there! Does ketamine help with alcohol? Thanks in advance.")
    'Does ketamine help with alcohol?'
    >>> without_courtesies("hello, ketamine dose please"), without_courtesies("Thanks!")
    ('ketamine dose', 'Thanks!')
    """
    core = _THANKS.sub("", _GREETING.sub("", text))
    core = _THANKS.sub("", core)  # "..., please. Thanks!"
    return core if len(core.split()) >= 2 else text


def _sentence_starts(text: str) -> list[int]:
    """Where each sentence of a message starts (see `_SENTENCE_START`), 0 first."""
    return [0] + [m.end() for m in _SENTENCE_START.finditer(text) if 0 < m.end() < len(text)]


def situation_and_question(text: str) -> tuple[str, str]:
    """A message cut into the situation it describes and the question it asks: the question is its last
    sentence when that asks (ends with "?" or opens with a question word), else its last sentence that
    ends with "?" (a question asked first, the circumstances after it), with the sentence before it when
    the question alone is too short to say what it is about ("Is that possible?"); the situation is what
    comes before and after. A message of one sentence, or with no sentence that asks, is all question.

    >>> situation_and_question("My brother drinks a lot and his doctor mentioned ketamine. Does it help with alcohol?")
    ('My brother drinks a lot and his doctor mentioned ketamine.', 'Does it help with alcohol?')
    >>> situation_and_question("I look after my sister's children How long will the court take?")
    ("I look after my sister's children", 'How long will the court take?')
    >>> situation_and_question("Does ketamine help with cocaine addiction?")
    ('', 'Does ketamine help with cocaine addiction?')
    >>> situation_and_question("I was given ketamine for depression. I want to stop drinking. Is that possible?")
    ('I was given ketamine for depression.', 'I want to stop drinking. Is that possible?')
    >>> situation_and_question("Does ketamine help with alcohol? My uncle drinks. His GP mentioned it.")
    ('My uncle drinks. His GP mentioned it.', 'Does ketamine help with alcohol?')
    """
    starts = _sentence_starts(text)
    if len(starts) < 2:
        return "", text
    bounds = [*starts, len(text)]
    sentences = [text[a:b].strip() for a, b in itertools.pairwise(bounds)]
    last = sentences[-1]
    if last.endswith("?") or re.match(rf"(?:{_ASKING})\b", last, re.IGNORECASE):
        asking = len(sentences) - 1
    else:
        asked = [i for i, sentence in enumerate(sentences) if sentence.rstrip("\"'”’)").endswith("?")]
        if not asked:
            return "", text
        asking = asked[-1]
    first = asking
    if len(_KEY.findall(sentences[asking])) < 5 and asking > 0 and len(sentences) > 2:  # "Is that possible?"
        first = asking - 1  # the sentence before says what
    situation = " ".join(part for part in (text[: bounds[first]].strip(), text[bounds[asking + 1] :].strip()) if part)
    return situation, text[bounds[first] : bounds[asking + 1]].strip()


def separate_questions(text: str) -> list[str]:
    """The questions of a message that asks several, each about a subject of its own ("How is ketamine
    given? Does it help with alcohol addiction?"), to be searched one by one; [] for a message that asks
    one question, describes a situation too, or asks a follow-up that needs the question before it
    ("What about alcohol?"). Greetings and thanks around the questions are left out first. At most three.

    >>> separate_questions("What is ketamine? How is it given to patients?")
    ['What is ketamine?', 'How is it given to patients?']
    >>> separate_questions("Does ketamine help with cocaine addiction? What about alcohol?")
    []
    >>> separate_questions("My son drinks. Does ketamine help with addiction? Is it safe for teenagers?")
    []
    """
    text = without_courtesies(text)
    starts = _sentence_starts(text)
    if not 2 <= len(starts) <= 3:
        return []
    parts = [text[a:b].strip() for a, b in itertools.pairwise([*starts, len(text)])]
    for part in parts:
        if not part.rstrip("\"'”’)").endswith("?") or _FOLLOW_UP.match(part):
            return []
        if not any(is_key(w.lower()) for w in _KEY.findall(part)):
            return []  # "Is that so?": about the question before it
    return parts


# A question that leans on the one before it: "What about alcohol?", "And for PTSD?", "How about teens?"
_FOLLOW_UP = re.compile(
    r"(?:and|or|but)?\s*(?:(?:what|how)\s+about\b|(?:and|or|but)\s+(?:for|with|in|on|of)?\s*\S+\?)", re.IGNORECASE
)


def what_is_asked(asked: str) -> str:
    """The words of a question part that the answerability signals weigh: its last sentence when that
    names a subject of its own (a key word: "Can he be compensated?"), so that the sentence before it,
    which `situation_and_question` keeps for the search, counts as situation; the whole part when the
    last sentence only asks ("Is that possible?" is about the sentence before).

    >>> what_is_asked("He lost income during the trial. Can he be compensated?")
    'Can he be compensated?'
    >>> what_is_asked("I want to stop drinking. Is that possible?")
    'I want to stop drinking. Is that possible?'
    """
    starts = _sentence_starts(asked)
    last = asked[starts[-1] :].strip()
    if len(starts) > 1 and any(is_key(w) for w in re.findall(r"\w+", last.lower())):
        return last
    return asked


def question_first(text: str) -> tuple[str, str | None]:
    """The text a message is scored as, and its question part: the question first, then the situation
    (the model reads at most 256 word pieces, and a long situation would push the question out of
    them), or the message itself, with no separate question part, when it is all question.

    >>> question_first("My son drinks. Does ketamine help?")
    ('Does ketamine help? My son drinks.', 'Does ketamine help?')
    >>> question_first("Does ketamine help?")
    ('Does ketamine help?', None)
    """
    situation, asked = situation_and_question(text)
    return (f"{asked} {situation}", asked) if situation else (text, None)


def one_blas_thread() -> None:
    """Let numpy's BLAS run one thread from now on (ARTICLE_QA_BLAS_THREADS sets another number, or
    "keep" leaves it alone). A question's matrix products are small; with a BLAS thread pool beside
    the model runtime's own threads, the two pools' idle threads take the cores from each other
    (measured: a 70-word question's p50 38 -> 33 ms, p99 54 -> 42 ms)."""
    wanted = os.environ.get("ARTICLE_QA_BLAS_THREADS", "1").strip().lower()
    if wanted == "keep":
        return
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(max(1, int(wanted)), user_api="blas")
    except (ImportError, ValueError) as e:  # a missing package or a bad number: keep the defaults
        import logging

        logging.getLogger(__name__).warning("BLAS threads left as they are: %s", e)


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be a whole number, not {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return int(k)


def project_corpus() -> Path | None:
    """The shipped corpus folder of the project this package is installed from, when there is one."""
    folder = Path(__file__).resolve().parents[2] / "corpus"
    return folder if folder.is_dir() else None


def index_for(corpus_dir: str | Path) -> Path:
    """The index folder that belongs to a corpus folder: ``index/`` beside a folder named ``corpus``
    (this project's layout), else ``.index/`` inside the folder, so that a folder of your own carries
    its own index and never writes another's.

    >>> str(index_for("corpus")), str(index_for("my-docs"))
    ('index', 'my-docs/.index')
    """
    folder = Path(corpus_dir)
    return folder.parent / "index" if folder.name == "corpus" else folder / ".index"


def default_paths() -> tuple[Path, Path]:
    """Corpus and index folders from ARTICLE_QA_CORPUS / ARTICLE_QA_INDEX, else ./corpus and its index;
    when the working folder has no corpus/, those of the project this package is installed from. The
    index defaults to the one that belongs to the corpus (`index_for`)."""
    here = Path("corpus")
    shipped = project_corpus()
    corpus = Path(os.environ.get("ARTICLE_QA_CORPUS") or (shipped if not here.is_dir() and shipped else here))
    return corpus, Path(os.environ.get("ARTICLE_QA_INDEX") or index_for(corpus))


class Retriever:
    """Passages for questions over one corpus, index and model.

    `settings` say what is embedded (a change rebuilds the index); `ranking` how passages are ranked
    (a change rebuilds nothing). `save=False` keeps a build in memory; `token_budget` caps the token
    vectors kept for late interaction (None: no cap)."""

    def __init__(
        self,
        corpus_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        model: str | None = None,
        *,
        embedder: Embedder | None = None,
        settings: IndexSettings | None = None,
        ranking: RankSettings | None = None,
        save: bool = True,
        token_budget: int | None = TOKEN_BUDGET,
        judge: Judge | None = None,
    ):
        default_corpus, default_index = default_paths()
        self.corpus_dir = Path(corpus_dir) if corpus_dir is not None else default_corpus
        if index_dir is not None:
            self.index_dir = Path(index_dir)
        elif corpus_dir is not None:
            self.index_dir = index_for(self.corpus_dir)  # a corpus given here keeps its own index
        else:
            self.index_dir = default_index
        self.embedder = embedder if embedder is not None else load_embedder(model)
        self.settings = settings or IndexSettings()
        self.ranking = ranking or RankSettings()
        self.save = save
        self.token_budget = token_budget
        self._state: RankingState | None = None
        self._lock = threading.Lock()
        self._judge = judge

    @classmethod
    def from_passages(
        cls,
        passages: list[Passage],
        embedder: Embedder,
        settings: IndexSettings | None = None,
        ranking: RankSettings | None = None,
        token_budget: int | None = TOKEN_BUDGET,
    ) -> Retriever:
        """A retriever over passages made elsewhere (e.g. a benchmark's documents), held in memory."""
        r = cls(corpus_dir="", index_dir="", embedder=embedder, settings=settings, ranking=ranking, save=False)
        fingerprint = {"passages_given": len(passages)}
        index = index_passages(passages, embedder, Vocabulary(), r.settings, fingerprint, token_budget=token_budget)
        r._state = RankingState.prepare(index, Vocabulary())
        one_blas_thread()
        return r

    # ----- the index ----------------------------------------------------------------------------
    def expected_manifest(self) -> dict[str, Any]:
        """The manifest fields an index must have to serve this corpus, model and settings."""
        return expected_manifest(self.corpus_dir, self.embedder, self.settings)

    def load(self) -> PassageIndex:
        """The index, loaded once; built (and saved) when missing, damaged or stale."""
        return self._ready().index

    def build(self) -> PassageIndex:
        """Build the index anew (and save it unless this retriever serves from memory)."""
        state = self._load_or_build(force=True)
        with self._lock:
            self._state = state
        return state.index

    def _ready(self) -> RankingState:
        with self._lock:
            if self._state is None:
                self._state = self._load_or_build()
                one_blas_thread()
            return self._state

    def _load_or_build(self, force: bool = False) -> RankingState:
        args = (self.corpus_dir, self.index_dir, self.embedder, self.settings)
        options = {"save": self.save, "token_budget": self.token_budget}
        index = build(*args, **options) if force else load_or_build(*args, **options)
        return RankingState.prepare(index, corpus_vocabulary(self.corpus_dir, self.settings))

    def warm(self) -> None:
        """Load the index and the model now, so that the first reader does not wait for them."""
        self._ready()
        self.embedder.encode_query("warm up")

    @property
    def passages(self) -> list[Passage]:
        return self.load().passages

    # ----- questions ----------------------------------------------------------------------------
    @property
    def judge(self) -> Judge:
        """The fitted answerability model (the one shipped with the package unless given)."""
        if self._judge is None:
            self._judge = Judge.load()
        return self._judge

    def ask(self, question: str, k: int = 3, *, article: str | None = None) -> Answer:
        """Whether the article answers `question`, with the passages that do (or, when it does not,
        the nearest ones as related reading). Same input errors as `search`; `article` as there."""
        text, k, only = clean_question(question), check_k(k), self._only(article)
        return self._answer(text, k, self.ranking.min_score, only)

    @property
    def articles(self) -> list[str]:
        """The titles of the corpus's articles (a file without a title goes by its name), in order."""
        return list(dict.fromkeys(p.title or p.source for p in self.passages))

    def _only(self, article: str | None) -> np.ndarray | None:
        """Which passages belong to `article` (its title or file name, any case); None for all."""
        if article is None or not str(article).strip():
            return None
        name = str(article).strip().lower()
        mask = np.array([name in ((p.title or "").lower(), p.source.lower()) for p in self.passages])
        if not mask.any():
            raise ValueError(f"no article {article!r} in the corpus; it holds: {', '.join(self.articles)}")
        return mask

    def search(
        self, question: str, k: int = 3, *, min_score: float | None = _DEFAULT, article: str | None = None
    ) -> list[Hit]:
        """Up to `k` passages that answer `question`, best first; [] when the article does not answer.

        Parameters
        ----------
        question: what the reader asks, in plain words.
        k: the most hits to return (>= 1).
        min_score: the relevance a hit must reach (default: the ranking settings' calibrated cut), on
            top of the answerability judgement. None turns both off and returns exactly
            min(k, number of passages) hits, ranked.
        article: ask only this article of the corpus (its title or file name); None asks them all.
        """
        text, k, only = clean_question(question), check_k(k), self._only(article)
        if min_score is None:  # ranked only: the answerability signals are not read
            parts = separate_questions(text) or [text]
            return interleaved([self._ranked(part, k, only)[0] for part in parts], k)
        if min_score is _DEFAULT:
            min_score = self.ranking.min_score
        if not isinstance(min_score, (int, float)):
            raise TypeError(f"min_score must be a number or None, not {type(min_score).__name__}")
        answer = self._answer(text, k, float(min_score), only)
        return answer.hits if answer.answered else []

    def _answer(self, text: str, k: int, cut: float, only: np.ndarray | None = None) -> Answer:
        parts = separate_questions(text)
        if parts:  # several questions: each searched and judged alone, their passages taken in turn
            return merged_answer(text, [self._answer(part, k, cut, only) for part in parts], k)
        hits, evidence = self._rank(text, k, only)
        judged = self.ranking.answerability
        confidence = self.judge.probability(evidence) if judged else 1.0
        answered = evidence.top_score >= cut and (not judged or confidence >= self.judge.threshold)
        if evidence.unlisted:  # "what does -Q do" of a page whose options have no -Q: it is not there
            answered, confidence = False, 0.0
        if answered:
            hits = [h for h in hits if h.score >= cut]
        return Answer(text, answered, round(confidence, 4), list(evidence.missing), hits)

    def _rank(self, text: str, k: int, only: np.ndarray | None = None) -> tuple[list[Hit], Evidence]:
        """The best `k` passages for a cleaned question (among the `only` ones when given), and the
        evidence on whether the first answers."""
        hits, evidence = self._ranked(text, k, only)
        return hits, evidence()

    def _ranked(self, text: str, k: int, only: np.ndarray | None = None) -> tuple[list[Hit], Callable[[], Evidence]]:
        """The best `k` passages, and how to read the answerability evidence: only a caller that judges
        the answer pays for its signals (a ranked list, `min_score=None`, does not)."""
        state = self._ready()
        scored, asked = question_first(without_courtesies(text))  # the situation still narrows the search
        query = state.query_text(scored, spelling=self.ranking.spelling)
        encoded = self.embedder.encode_query(query)
        ranking = rank(state, query, encoded, self.ranking, only)  # other articles' passages rank below
        if only is not None:
            k = min(k, int(only.sum()))
        top = ranking.best(k)
        terms = QueryTerms.of(query, state)  # one tokenizing and one idf lookup for every hit
        marks = highlights(state, top, query, ranking.sentence_scores, terms)
        scores = ranking.scores[top].tolist()  # Python numbers at once: a hundred hits, not one by one
        hits = [
            Hit.of(state.passages[idx], score, rank, marked)
            for rank, (idx, score, marked) in enumerate(zip(top.tolist(), scores, marks, strict=True), 1)
        ]

        def evidence() -> Evidence:
            spelling = self.ranking.spelling
            asked_query = None if asked is None else state.query_text(what_is_asked(asked), spelling=spelling)
            return gather(state, text, query, encoded, ranking, asked_query)

        return hits, evidence


def interleaved(lists: list[list[Hit]], k: int) -> list[Hit]:
    """The hits of several questions' lists taken in turn (each one's first, then each one's second),
    each passage once, ranked anew, at most `k`; one list comes back as it is."""
    if len(lists) == 1:
        return lists[0][:k]
    out: list[Hit] = []
    seen: set[str] = set()
    for place in range(max((len(hits) for hits in lists), default=0)):
        for hits in lists:
            if place < len(hits) and hits[place].passage_id not in seen:
                seen.add(hits[place].passage_id)
                out.append(replace(hits[place], rank=len(out) + 1))
    return out[:k]


def merged_answer(question: str, answers: list[Answer], k: int) -> Answer:
    """One answer to a message of several questions, from each question's own: answered when the
    article answers any of them, with the passages of those it answers taken in turn in the order they
    were asked (the confidence is the first one's); what the others lack is named as missing, so the
    reply can say which part the article does not answer. When it answers none, the nearest passages
    of each, in turn."""
    answered = [a for a in answers if a.answered]
    chosen = answered or answers
    lacking = [w for a in answers if not a.answered for w in a.missing]
    hits = interleaved([a.hits for a in chosen], k)
    return Answer(question, bool(answered), chosen[0].confidence, list(dict.fromkeys(lacking)), hits)


_default: Retriever | None = None
_default_lock = threading.Lock()


def default_retriever() -> Retriever:
    """The process-wide retriever behind `retrieve()`, configured from the environment."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Retriever()
        return _default


def retrieve(
    question: str,
    k: int = 3,
    *,
    min_score: float | None = _DEFAULT,
    article: str | None = None,
    log: QuestionLog | None = None,
) -> list[Hit]:
    """The article's passages that answer `question`, best first; [] when nothing does.

    The first call loads the model and the index (building it when missing or stale); later calls
    reuse them. Configure with ARTICLE_QA_MODEL / ARTICLE_QA_CORPUS / ARTICLE_QA_INDEX, or use a
    `Retriever` directly. Nothing is logged unless a `QuestionLog` is given (`log=`).
    """
    text = clean_question(question)  # errors before any model is loaded
    check_k(k)
    started = time.perf_counter()
    hits = default_retriever().search(text, k, min_score=min_score, article=article)
    if log is not None:
        took = round(1000 * (time.perf_counter() - started), 2)
        shown = [h.passage_id for h in hits]
        score = hits[0].score if hits else 0.0
        log.record(Entry(text, bool(hits), score, [], shown, took, "python", article))
    return hits


def ask(question: str, k: int = 3, *, article: str | None = None, log: QuestionLog | None = None) -> Answer:
    """Whether the article answers `question`: an `Answer` with `answered`, `confidence`, `missing`
    and `hits` (the answer, or related reading when there is none). Errors as `retrieve`; `article`
    asks one article of the corpus (its title or file name). Nothing is logged unless a `QuestionLog`
    is given (`log=`)."""
    clean_question(question)
    check_k(k)
    started = time.perf_counter()
    answer = default_retriever().ask(question, k, article=article)
    if log is not None:
        log.record(Entry(answer.question, answer.answered, round(answer.confidence, 4), list(answer.missing),
                         [h.passage_id for h in answer.hits], round(1000 * (time.perf_counter() - started), 2),
                         "python", article))  # fmt: skip
    return answer


__all__ = ["DEFAULT_MIN_SCORE", "Answer", "Hit", "IndexSettings", "RankSettings", "Retriever", "ask", "retrieve"]
