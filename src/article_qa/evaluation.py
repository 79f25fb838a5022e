"""Measure retrieval quality: on a question set for the article, and on a BEIR folder.

Question sets are JSON Lines, one object per question:

    {"id": "a01", "question": "...", "gold": ["a short verbatim phrase of the answer"], "kind": "fact"}

A hit answers when its text contains any gold phrase, so labels survive a change of splitter. A
question with ``"gold": []`` has no answer in the article; the right reply to it is an empty list.

BEIR folders (``corpus.jsonl``, ``queries.jsonl``, ``qrels/test.tsv``) are indexed with the same
pipeline, one passage per document (title + text), and scored by nDCG@10 and recall@100.
This module only measures; it changes no setting.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .answerability import Evidence
from .build import IndexSettings
from .embedding import Embedder
from .passages import Passage, sentence_spans
from .ranking import RankSettings
from .retrieval import Retriever, clean_question
from .sources import file_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: tuple[str, ...]
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


def load_questions(path: str | Path) -> list[Question]:
    """Read a question set; a line that is not a question object is an error naming the line."""
    questions = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            questions.append(Question(str(obj["id"]), obj["question"], tuple(obj["gold"]), obj.get("kind", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question object ({exc})") from None
    return questions


def evaluate(
    retriever: Retriever, questions: list[Question], *, k: int = 3, min_score: float | None = None
) -> dict[str, Any]:
    """hit@1, hit@3, MRR (answerable), abstention rates, and the misses, as a dict. The abstention
    figures use `min_score` (default: the retriever's calibrated cut). `highlight@1` is the share
    of questions answered first whose marked sentence holds (or lies within) the gold phrase."""
    cut = retriever.ranking.min_score if min_score is None else min_score
    ranks: list[int | None] = []
    abstained_right = offtopic_right = absent_right = 0
    wrongly_empty = marked = 0
    misses = []
    confidence: dict[bool, list[float]] = {True: [], False: []}
    unanswerable = [q for q in questions if not q.answerable]
    for q in questions:
        answer = retriever.ask(q.question, k)
        hits = [h for h in answer.hits if h.score >= cut] if answer.answered else []
        confidence[q.answerable].append(answer.confidence)
        if not q.answerable:
            abstained_right += not hits
            offtopic_right += q.kind == "off-topic" and not hits
            absent_right += q.kind != "off-topic" and not hits
            if hits:
                misses.append({"id": q.id, "question": q.question, "got": hits[0].passage_id})
            continue
        if not hits:
            wrongly_empty += 1
            misses.append({"id": q.id, "question": q.question, "abstained": True, "confidence": answer.confidence})
        ranked = retriever.search(q.question, k=len(retriever.passages), min_score=None)
        rank = next((h.rank for h in ranked if any(g in h.text for g in q.gold)), None)
        ranks.append(rank)
        if rank == 1:  # is the marked sentence the one holding the answer?
            top = ranked[0]
            marked += any(g in top.highlight or top.highlight in g for g in q.gold if g in top.text)
        if rank != 1:
            misses.append({"id": q.id, "question": q.question, "rank": rank, "got": ranked[0].passage_id})
    n = len(ranks)
    return {
        "answerable": n,
        "unanswerable": len(unanswerable),
        **rank_metrics(ranks),
        "abstain_unanswerable": _share(abstained_right, len(unanswerable)),
        "abstain_offtopic": _share(offtopic_right, sum(1 for q in unanswerable if q.kind == "off-topic")),
        "abstain_absent": _share(absent_right, sum(1 for q in unanswerable if q.kind != "off-topic")),
        "empty_answerable": _share(wrongly_empty, n),
        "confidence_auroc": round(auroc(confidence[True], confidence[False]), 4) if unanswerable and n else None,
        "highlight@1": _share(marked, sum(r == 1 for r in ranks)),
        "misses": misses,
    }


def rank_metrics(ranks: list[int | None]) -> dict[str, float]:
    """hit@1, hit@3 and MRR from the rank at which each question's answer came (None: not found).

    >>> rank_metrics([1, 2, None, 4])
    {'hit@1': 0.25, 'hit@3': 0.5, 'mrr': 0.4375}
    """
    n = len(ranks)
    return {
        "hit@1": _share(sum(r == 1 for r in ranks), n),
        "hit@3": _share(sum(r is not None and r <= 3 for r in ranks), n),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else 0.0,
    }


def collect_evidence(retriever: Retriever, questions: list[Question]) -> list[tuple[Evidence, bool, bool]]:
    """For each question: the answerability evidence, whether the article answers it, and whether the
    first passage holds the answer (what `answerability.fit` learns from)."""
    out = []
    for q in questions:
        hits, evidence = retriever._rank(clean_question(q.question), 1)
        out.append((evidence, q.answerable, q.answerable and any(g in hits[0].text for g in q.gold)))
    return out


def _share(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


# ----- BEIR -------------------------------------------------------------------------------------
def load_beir_queries(folder: str | Path, split: str = "test"):
    """Queries {id: text} and qrels {qid: {docid: grade}} of a BEIR folder (documents: `beir_passages`)."""
    folder = Path(folder)
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[str(q["_id"])] = q["text"]
    qrels: dict[str, dict[str, int]] = {}
    for i, line in enumerate((folder / "qrels" / f"{split}.tsv").read_text("utf-8").splitlines()):
        parts = line.split("\t")
        if i == 0 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # header
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return {q: queries[q] for q in qrels if q in queries}, qrels


def ndcg_at(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    """nDCG@k with graded relevance (BEIR / pytrec_eval convention).

    >>> round(ndcg_at(["a", "b"], {"b": 1}), 4)
    0.6309
    """
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def beir_passages(folder: str | Path, limit: int | None = None) -> list[Passage]:
    """The documents of a BEIR folder as passages, one each (title + text), in file order."""
    docs = {}
    with open(Path(folder) / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[str(d["_id"])] = ((d.get("title") or "").strip() + "\n" + (d.get("text") or "").strip()).strip()
            if limit is not None and len(docs) >= limit:
                break
    return [
        Passage(passage_id=i, text=t, source=i, section=None, paragraph=n, start=0, end=len(t),
                sentences=sentence_spans(t))
        for n, (i, t) in enumerate(docs.items(), 1)
    ]  # fmt: skip


BEIR_TOKEN_BUDGET = 2_000_000  # SciFact's 5,183 abstracts hold about 1.1 million content tokens


def beir_settings(
    lexical_weight: float = 0.3, sentence_weight: float = 0.0, token_weight: float | None = None
) -> tuple[IndexSettings, RankSettings]:
    """The pipeline's settings for a BEIR folder: documents have no sections and no synonyms file,
    queries are not spell-corrected, and nothing is highlighted (so no sentence vectors unless
    `sentence_weight` asks for them; no token vectors when `token_weight` is 0)."""
    token_weight = RankSettings.token_weight if token_weight is None else token_weight
    index = IndexSettings(
        context="none", vocabulary=False, sentence_vectors=sentence_weight > 0, token_vectors=token_weight > 0
    )
    ranking = RankSettings(
        lexical_weight=lexical_weight, sentence_weight=sentence_weight, token_weight=token_weight, spelling=False
    )
    return index, ranking


def evaluate_beir(
    folder: str | Path,
    embedder: Embedder,
    settings: tuple[IndexSettings, RankSettings] | None = None,
    token_budget: int | None = BEIR_TOKEN_BUDGET,
) -> dict[str, Any]:
    """Index a BEIR folder with the retrieval pipeline (one passage per document) and score it.
    `token_budget` caps the tokens kept for late interaction (None: no cap; all is held in memory)."""
    queries, qrels = load_beir_queries(folder)
    passages = beir_passages(folder)
    ids = [p.passage_id for p in passages]
    t0 = time.perf_counter()
    index_settings, ranking = settings or beir_settings()
    retriever = Retriever.from_passages(passages, embedder, index_settings, ranking, token_budget=token_budget)
    build = time.perf_counter() - t0
    ndcgs, recalls = [], []
    t0 = time.perf_counter()
    for qid, qtext in queries.items():
        ranked = [h.passage_id for h in retriever.search(qtext, k=100, min_score=None)]
        ndcgs.append(ndcg_at(ranked, qrels[qid]))
        relevant = {d for d, g in qrels[qid].items() if g > 0}
        recalls.append(len(relevant & set(ranked)) / len(relevant) if relevant else 0.0)
    search = time.perf_counter() - t0
    return {
        "documents": len(ids),
        "queries": len(queries),
        "ndcg@10": round(float(np.mean(ndcgs)), 4),
        "recall@100": round(float(np.mean(recalls)), 4),
        "build_seconds": round(build, 1),
        "passages_per_second": round(len(ids) / build, 1),
        "query_ms": round(1000 * search / max(1, len(queries)), 2),
    }


# ----- SQuAD 2.0 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SquadArticle:
    """One SQuAD 2.0 article as a reader's corpus: its text file, and each question with the paragraph
    that answers it (its index among the article's paragraphs; None when unanswerable)."""

    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[tuple[str, str, int | None], ...]  # (id, question, answering paragraph)

    @property
    def text(self) -> str:
        """The article as a corpus file: title line, blank line, paragraphs separated by blank lines."""
        return self.title.replace("_", " ") + "\n\n" + "\n\n".join(self.paragraphs) + "\n"


def load_squad(path: str | Path, limit: int | None = None) -> list[SquadArticle]:
    """The articles of a SQuAD 2.0 JSON file. A newline inside a paragraph is a chemical subscript
    ("O\\n2"): it is dropped, and runs of spaces are folded."""
    data = json.loads(Path(path).read_text("utf-8"))["data"][:limit]
    articles = []
    for article in data:
        paragraphs, questions = [], []
        for i, p in enumerate(article["paragraphs"]):
            paragraphs.append(" ".join(p["context"].replace("\n", "").split()))
            for q in p["qas"]:
                questions.append((str(q["id"]), q["question"], None if q.get("is_impossible") else i))
        articles.append(SquadArticle(article["title"], tuple(paragraphs), tuple(questions)))
    return articles


def auroc(positive: list[float], negative: list[float]) -> float:
    """The probability that a random positive scores above a random negative (ties count half).

    >>> auroc([0.9, 0.8], [0.1, 0.8])
    0.875
    """
    if not positive or not negative:
        return float("nan")
    scores = np.concatenate([positive, negative])
    order = scores.argsort(kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # average ranks of ties
        same = scores == value
        ranks[same] = ranks[same].mean()
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def evaluate_squad(
    path: str | Path, embedder: Embedder, *, limit: int | None = None, together: bool = False
) -> dict[str, Any]:
    """Each SQuAD 2.0 article indexed on its own, as a reader would, and asked its questions: hit@1,
    hit@3, MRR (answerable questions, the answering paragraph's rank), false abstention (answerable
    ones the product says the article does not answer), unanswerable abstention, and the AUROC of the
    confidence between answerable and unanswerable questions; overall and per article.

    With `together`, all the articles make one corpus and every question is asked of all of them: the
    right article must be found as well as the right paragraph."""
    t0 = time.perf_counter()
    articles = load_squad(path, limit)
    rows, per_article, passages = [], [], 0
    for group in [articles] if together else [[a] for a in articles]:
        asked, n = _ask_squad(group, embedder)
        passages += n
        for article, mine in asked:
            rows += mine
            per_article.append({"title": article.title, **_squad_metrics(mine)})
    return {
        **_squad_metrics(rows),
        "articles": len(articles),
        "passages": passages,
        "together": together,
        "seconds": round(time.perf_counter() - t0, 1),
        "per_article": per_article,
    }


def _ask_squad(
    articles: list[SquadArticle], embedder: Embedder
) -> tuple[list[tuple[SquadArticle, list[dict[str, Any]]]], int]:
    """One corpus of these articles, each article's questions asked of it: for each article, a row a
    question (the rank of its answering paragraph in that article, whether it was answered, the
    confidence); and the corpus's passage count."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        corpus.mkdir()
        for article in articles:
            (corpus / file_name(article.title, ".txt")).write_text(article.text, "utf-8")
        retriever = Retriever(corpus, Path(scratch) / "index", embedder=embedder, save=False)
        built = retriever.build().passages
        n = len(built)
        # a paragraph longer than the model reads is cut into pieces that share its number
        paragraphs = len({(p.source, p.paragraph) for p in built})
        if paragraphs != sum(len(a.paragraphs) for a in articles):
            raise ValueError(f"{paragraphs} paragraphs indexed for {sum(len(a.paragraphs) for a in articles)}")
        out = []
        for article in articles:
            source, mine = file_name(article.title, ".txt"), []
            for qid, question, gold in article.questions:
                answer = retriever.ask(question, min(n, 100))
                found = list(dict.fromkeys((h.source, h.paragraph - 1) for h in answer.hits))  # ranked paragraphs
                rank = found.index((source, gold)) + 1 if gold is not None and (source, gold) in found else None
                mine.append({"id": qid, "answerable": gold is not None, "rank": rank,
                             "answered": answer.answered, "confidence": answer.confidence})  # fmt: skip
            out.append((article, mine))
    return out, n


def _squad_metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    n = len(answerable)
    return {
        "answerable": n,
        "unanswerable": len(unanswerable),
        **rank_metrics([r["rank"] for r in answerable]),
        "false_abstention": _share(sum(not r["answered"] for r in answerable), n),
        "abstain_unanswerable": _share(sum(not r["answered"] for r in unanswerable), len(unanswerable)),
        "confidence_auroc": round(
            auroc([r["confidence"] for r in answerable], [r["confidence"] for r in unanswerable]), 4
        ),
    }
