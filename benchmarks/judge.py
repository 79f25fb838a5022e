"""Fit the answerability judge on many articles, and check it on articles it never saw: `make judge`.

Questions a document does not answer are rare in public data, so they are made the way readers meet
them: an article loses some of its paragraphs, and the questions written about the lost ones (whose
answer text appears nowhere in what is left) are asked of what is left; the questions about the
paragraphs that stay are the answerable ones.

- SQuAD 2.0's ten development articles: every fourth paragraph removed; SQuAD's own unanswerable
  questions about the paragraphs that stay are added as the hardest kind ("squad-unanswerable").
- ConditionalQA's GOV.UK pages, asked as people ask (the situation, then the question): the evidence of
  every third question removed from its page.
- The shipped article's development sets (answerable, absent and off-topic questions).
- SciFact's 300 test claims over its 5,183 abstracts, each abstract an article: the gold abstracts of
  every second claim removed. Its README says to measure with it, not to train: it is checked on,
  never fitted on.

Every article is one group: five folds by article (the shipped article a group of its own), each fold's
judge fitted on the others, its cut set for `BUDGET` false declines on its own training articles. The
held-out predictions give the per-source table, the reliability bands and the cut of the shipped judge,
which is then fitted on everything. `confidence` is fitted as "the first passage answers". Run from
the project folder: ``python -m benchmarks.judge [--write] [--output bench/judge.json]``; with
``--write`` it replaces ``src/article_qa/answerability.json``.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from article_qa import Retriever
from article_qa.answerability import JUDGE_FILE, Evidence, Judge, fit
from article_qa.evaluation import auroc, load_questions
from article_qa.retrieval import clean_question
from benchmarks import RELIABILITY_BANDS
from benchmarks.situations import overlaps, page_markdown
from tests.support import ROOT

SHARED = ROOT.parent / "shared" / "benchmarks"
BUDGET = 0.03  # the share of answerable questions the judge may turn away
FIT_SETS = ["dev", "dev-absent", "readers-a", "readers-b"]  # the shipped article's, fitted on
CHECK_SETS = ["heldout", "check"]  # the shipped article's, never fitted on (near duplicates removed)


def _row(source: str, group: str, kind: str, evidence: Evidence, first_answers: bool, answerable: bool,
         question: str) -> dict[str, Any]:  # fmt: skip
    return {"source": source, "group": group, "kind": kind, "evidence": evidence, "first": first_answers,
            "answerable": answerable, "question": question}  # fmt: skip


def _fold_text(text: str) -> str:
    return " ".join(text.casefold().split())


def squad_rows(path: Path, embedder: Any) -> list[dict[str, Any]]:
    data = json.loads(path.read_text("utf-8"))["data"]
    rows = []
    for article in data:
        paragraphs = [" ".join(p["context"].replace("\n", "").split()) for p in article["paragraphs"]]
        removed = {i for i in range(len(paragraphs)) if i % 4 == 1}
        kept = [i for i in range(len(paragraphs)) if i not in removed]
        number = {i: n + 1 for n, i in enumerate(kept)}
        title = article["title"].replace("_", " ")
        text = title + "\n\n" + "\n\n".join(paragraphs[i] for i in kept) + "\n"
        folded = _fold_text(text)
        with tempfile.TemporaryDirectory() as scratch:
            corpus = Path(scratch) / "corpus"
            corpus.mkdir()
            (corpus / "article.txt").write_text(text, "utf-8")
            r = Retriever(corpus, Path(scratch) / "index", embedder=embedder)
            for i, p in enumerate(article["paragraphs"]):
                for q in p["qas"]:
                    answers = [a["text"] for a in q.get("answers", [])]
                    if q.get("is_impossible"):
                        if i in removed:
                            continue
                        kind, answerable = "squad-unanswerable", False
                    elif i in removed:
                        if not answers or any(_fold_text(a) in folded for a in answers):
                            continue  # the answer is still somewhere in what is left
                        kind, answerable = "paragraph-removed", False
                    else:
                        kind, answerable = "answerable", True
                    hits, evidence = r._rank(clean_question(q["question"]), 1)
                    first = answerable and hits[0].paragraph == number[i]
                    rows.append(_row("squad", title, kind, evidence, first, answerable, q["question"]))
        print(f"  squad {title}: {sum(x['group'] == title for x in rows)} questions", file=sys.stderr, flush=True)
    return rows


def conditional_rows(path: Path, embedder: Any) -> list[dict[str, Any]]:
    data = json.load(gzip.open(path))
    by_url = {d["url"]: d for d in data["documents"]}
    questions = [q for q in data["questions"] if not q["not_answerable"] and q["evidences"]]
    rows = []
    for n, url in enumerate(sorted({q["url"] for q in questions})):
        asked = [q for q in questions if q["url"] == url]
        gone = {e for q in asked[1::3] for e in q["evidences"]}
        page = dict(by_url[url], contents=[c for c in by_url[url]["contents"] if c not in gone])
        text = page_markdown(page)
        folded = _fold_text(html.unescape(text))
        with tempfile.TemporaryDirectory() as scratch:
            corpus = Path(scratch) / "corpus"
            corpus.mkdir()
            (corpus / "page.md").write_text(text, "utf-8")
            r = Retriever(corpus, Path(scratch) / "index", embedder=embedder)
            for q in asked:
                present = [e for e in q["evidences"] if e not in gone]
                answers = [a[0] for a in q["answers"] if a and a[0]]
                if present and len(present) == len(q["evidences"]):
                    answerable = True
                elif not present and not any(_fold_text(a) in folded for a in answers):
                    answerable = False
                else:
                    continue
                message = f"{q['scenario']} {q['question']}"
                hits, evidence = r._rank(clean_question(message), 1)
                first = answerable and overlaps(hits[0].text, q["evidences"])
                kind = "answerable" if answerable else "evidence-removed"
                rows.append(_row("conditionalqa", f"gov.uk {n}", kind, evidence, first, answerable, message))
    return rows


def scifact_rows(folder: Path, embedder: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """SciFact's claims asked of its abstracts (each abstract an article) once the gold abstracts of
    every second claim are removed: a claim whose gold abstracts are all gone is absent, one whose gold
    abstracts all stay is answerable, and its first passage answers when it is one of them. The
    product's own ranking settings (sentence vectors, the speller off: claims hold gene names)."""
    from article_qa.build import IndexSettings
    from article_qa.evaluation import beir_passages, load_beir_queries
    from article_qa.ranking import RankSettings

    queries, qrels = load_beir_queries(folder)
    claims = list(queries)[:limit]
    gold = {q: {d for d, g in qrels[q].items() if g > 0} for q in claims}
    gone = {d for q in claims[1::2] for d in gold[q]}
    passages = [p for p in beir_passages(folder) if p.source not in gone]
    settings = IndexSettings(context="none", vocabulary=False)
    r = Retriever.from_passages(passages, embedder, settings, RankSettings(spelling=False), token_budget=None)
    rows = []
    for q in claims:
        if not gold[q] or (gold[q] & gone and gold[q] - gone):
            continue  # some of its abstracts stay, some are gone: neither kind
        answerable = not gold[q] & gone
        hits, evidence = r._rank(clean_question(queries[q]), 1)
        first = answerable and hits[0].source in gold[q]
        kind = "answerable" if answerable else "abstract-removed"
        rows.append(_row("scifact", f"scifact {q}", kind, evidence, first, answerable, queries[q]))
    print(f"  scifact: {len(rows)} claims over {len(passages)} abstracts", file=sys.stderr, flush=True)
    return rows


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2)


def near_duplicate(a: str, b: str) -> bool:
    """The same question, or nearly (content words overlapping 80% or more).

    >>> near_duplicate("Does ketamine help cocaine addiction?", "does ketamine help with cocaine addiction")
    True
    """
    x, y = content_words(a), content_words(b)
    return bool(x and y) and len(x & y) / len(x | y) >= 0.8


def article_rows(embedder: Any, sets: list[str], source: str) -> list[dict[str, Any]]:
    r = Retriever(ROOT / "corpus", ROOT / "index", embedder=embedder, save=False)
    rows = []
    for name in sets:
        for q in load_questions(ROOT / "eval" / f"{name}.jsonl"):
            hits, evidence = r._rank(clean_question(q.question), 1)
            first = q.answerable and any(g in hits[0].text for g in q.gold)
            kind = "answerable" if q.answerable else (q.kind or "absent")
            rows.append(_row(source, "ketamine", kind, evidence, first, q.answerable, q.question))
    return rows


def _fit(rows: list[dict[str, Any]]) -> Any:
    return fit([r["evidence"] for r in rows], [r["first"] for r in rows], [r["answerable"] for r in rows],
               false_abstention=BUDGET, notes={"label": "the first passage answers"})  # fmt: skip


def fitted_on(row: dict[str, Any], hardest: bool) -> bool:
    """Whether a row is fitted on: SQuAD's own unanswerable questions only with `hardest`."""
    return hardest or row["kind"] != "squad-unanswerable"


def cross_validate(rows: list[dict[str, Any]], folds: int = 5, hardest: bool = False) -> list[float]:
    """Each row's probability from a judge fitted on the other folds' articles (folds by article)."""
    groups = sorted({r["group"] for r in rows})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    held = [0.0] * len(rows)
    for k in range(folds):
        train = [r for r in rows if fold_of[r["group"]] != k and fitted_on(r, hardest)]
        judge = _fit(train)
        for i, r in enumerate(rows):
            if fold_of[r["group"]] == k:
                held[i] = judge.probability(r["evidence"])
    return held


def table(rows: list[dict[str, Any]], p: list[float], cut: float, relevance: float) -> list[dict[str, Any]]:
    """Per source and kind: declined when absent, declined although answerable, AUROC, and the plain
    top-score cut at the same false-decline rate."""
    out = []
    for source in sorted({r["source"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["source"] == source]
        yes = [i for i in idx if rows[i]["answerable"]]
        for kind in sorted({rows[i]["kind"] for i in idx if not rows[i]["answerable"]}):
            no = [i for i in idx if rows[i]["kind"] == kind]
            declined = lambda i: p[i] < cut or rows[i]["evidence"].top_score < relevance  # noqa: E731
            false = sum(declined(i) for i in yes) / len(yes)
            scores = sorted(rows[i]["evidence"].top_score for i in yes)
            base_cut = scores[min(int(false * len(scores)), len(scores) - 1)]
            out.append({
                "source": source, "kind": kind, "absent": len(no), "answerable": len(yes),
                "declined_absent": round(sum(declined(i) for i in no) / len(no), 3),
                "declined_answerable": round(false, 3),
                "auroc": round(auroc([p[i] for i in yes], [p[i] for i in no]), 3),
                "cosine_cut_declined_absent": round(
                    sum(rows[i]["evidence"].top_score < base_cut for i in no) / len(no), 3),
                "cosine_auroc": round(auroc([rows[i]["evidence"].top_score for i in yes],
                                           [rows[i]["evidence"].top_score for i in no]), 3),
            })  # fmt: skip
    return out


def reliability(rows: list[dict[str, Any]], p: list[float]) -> list[dict[str, Any]]:
    out = []
    for lo, hi in RELIABILITY_BANDS:
        chosen = [i for i in range(len(rows)) if lo <= p[i] < hi]
        n = max(1, len(chosen))
        out.append({"band": f"{lo:.1f}-{min(hi, 1.0):.1f}", "questions": len(chosen),
                    "first_answers": round(sum(rows[i]["first"] for i in chosen) / n, 3),
                    "article_answers": round(sum(rows[i]["answerable"] for i in chosen) / n, 3)})  # fmt: skip
    return out


def shipped_reliability(
    rows: list[dict[str, Any]], check: list[dict[str, Any]], shipped: Judge, scifact: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The shipped judge's bands on articles it was never fitted on (it was fitted on the shipped
    article's development sets only): SQuAD with paragraphs removed, the same with SQuAD's own
    unanswerable questions, the GOV.UK pages, the shipped article's check sets, and SciFact."""
    groups = {
        "squad, paragraph removed": [r for r in rows if r["source"] == "squad" and r["kind"] != "squad-unanswerable"],
        "squad, with its own unanswerable": [r for r in rows if r["source"] == "squad"],
        "conditionalqa": [r for r in rows if r["source"] == "conditionalqa"],
        "ketamine check sets": check,
        **({"scifact, abstracts removed": list(scifact)} if scifact else {}),
    }
    return {name: reliability(rs, [shipped.probability(r["evidence"]) for r in rs]) for name, rs in groups.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.judge", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the shipped judge")
    parser.add_argument("--output", default="bench/judge.json")
    parser.add_argument("--hardest", action="store_true", help="also fit on SQuAD's own unanswerable questions")
    parser.add_argument("--no-scifact", action="store_true", help="leave out the SciFact check (a build of minutes)")
    args = parser.parse_args(argv)
    from article_qa.embedding import load_embedder
    from article_qa.ranking import RankSettings

    embedder = load_embedder(None)
    rows = squad_rows(SHARED / "squad2" / "dev-articles.json", embedder)
    rows += conditional_rows(SHARED / "conditionalqa" / "dev-part.json.gz", embedder)
    rows += article_rows(embedder, FIT_SETS, "ketamine")
    check = article_rows(embedder, CHECK_SETS, "ketamine-check")
    fitted_questions = [r["question"] for r in rows if r["source"] == "ketamine"]
    dropped = [r for r in check if any(near_duplicate(r["question"], q) for q in fitted_questions)]
    check = [r for r in check if r not in dropped]
    scifact = [] if args.no_scifact else scifact_rows(SHARED / "scifact", embedder)
    held = cross_validate(rows, hardest=args.hardest)
    yes = np.sort([p for p, r in zip(held, rows, strict=True) if r["answerable"]])
    cut = float(yes[min(int(BUDGET * len(yes)), len(yes) - 1)])  # set on held-out articles
    judge = _fit([r for r in rows if fitted_on(r, args.hardest)])
    judge = type(judge)(judge.features, judge.mean, judge.scale, judge.weights, judge.bias, cut,
                        {**judge.notes, "cut": f"{BUDGET:.0%} false declines on held-out articles",
                         "rows": len(rows), "check_near_duplicates_removed": len(dropped)})  # fmt: skip
    relevance = RankSettings().min_score
    shipped = Judge.load(JUDGE_FILE)
    result = {
        "rows": len(rows),
        "articles": len({r["group"] for r in rows}),
        "check_near_duplicates_removed": len(dropped),
        "cut": round(cut, 4),
        "held_out": table(rows, held, cut, relevance),
        "judge_before": table(rows, [shipped.probability(r["evidence"]) for r in rows], shipped.threshold, relevance),
        "reliability_held_out": reliability(rows, held),
        "ketamine_check": table(check, [judge.probability(r["evidence"]) for r in check], cut, relevance),
        # never fitted on by either judge: the refit (fitted on everything above) and the shipped one
        "scifact_check": scifact
        and table(scifact, [judge.probability(r["evidence"]) for r in scifact], cut, relevance),
        "scifact_shipped": scifact
        and table(scifact, [shipped.probability(r["evidence"]) for r in scifact], shipped.threshold, relevance),
        "reliability_shipped": shipped_reliability(rows, check, shipped, scifact),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items()}, indent=1))
    if args.write:
        judge.save(JUDGE_FILE)
        print(f"wrote {JUDGE_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
