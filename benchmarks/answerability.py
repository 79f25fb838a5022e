"""How well the product knows when the article does not answer: `make answerability-report`.

Prints, for the README:

- each question set of the article: false abstention (answerable questions turned away), absent and
  off-topic abstention, and the AUROC of the confidence;
- a reliability table: for each confidence band, how often the first passage really answered, and
  how often the article answered at all (all article sets pooled);
- SQuAD 2.0 (``--squad FILE``, each article a corpus of its own): the shipped judge's AUROC and its
  curve (unanswerable abstention at a given false abstention), and the same signals refitted on SQuAD
  cross-validated by article (five folds of two articles; the cut chosen on the training folds for 5%
  false abstention, then applied to the held-out articles).

Run from the project folder: ``python -m benchmarks.answerability [--squad FILE] [--output JSON]``.
Nothing here changes the shipped judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from article_qa import Retriever
from article_qa.answerability import Evidence, Judge, fit
from article_qa.evaluation import auroc, collect_evidence, load_questions, load_squad
from article_qa.retrieval import clean_question
from benchmarks import RELIABILITY_BANDS
from tests.support import ROOT

SETS = {"dev": True, "dev-absent": True, "readers-a": True, "readers-b": True, "heldout": False, "check": False}


def article_report(retriever: Retriever) -> dict:
    judge, cut = retriever.judge, retriever.ranking.min_score
    rows, pooled = [], []
    for name, tuned in SETS.items():
        questions = load_questions(ROOT / "eval" / f"{name}.jsonl")
        data = collect_evidence(retriever, questions)
        said_no = [e.top_score < cut or judge.probability(e) < judge.threshold for e, _, _ in data]
        row = {"set": name, "tuned_on": tuned}
        for label, pick in (
            ("answerable", lambda q: q.answerable),
            ("absent", lambda q: not q.answerable and q.kind != "off-topic"),
            ("off-topic", lambda q: q.kind == "off-topic"),
        ):
            chosen = [n for n, q in zip(said_no, questions, strict=True) if pick(q)]
            row[label] = len(chosen)
            row[f"{label}_abstained"] = round(sum(chosen) / len(chosen), 4) if chosen else None
        p = [judge.probability(e) for e, _, _ in data]
        yes = [x for x, (_, a, _) in zip(p, data, strict=True) if a]
        no = [x for x, (_, a, _) in zip(p, data, strict=True) if not a]
        row["auroc"] = round(auroc(yes, no), 4) if yes and no else None
        rows.append(row)
        pooled += [(judge.probability(e), a, ok, e.top_score >= cut) for e, a, ok in data]
    bands = []
    for lo, hi in RELIABILITY_BANDS:
        inside = [(a, ok) for p, a, ok, relevant in pooled if lo <= p < hi and relevant]
        bands.append({
            "band": f"{lo:.1f}-{min(hi, 1.0):.1f}",
            "questions": len(inside),
            "first_passage_answers": round(sum(ok for _, ok in inside) / len(inside), 3) if inside else None,
            "article_answers": round(sum(a for a, _ in inside) / len(inside), 3) if inside else None,
        })  # fmt: skip
    return {"threshold": judge.threshold, "sets": rows, "reliability": bands}


def squad_evidence(path: Path, retriever_of) -> list[tuple[str, Evidence, bool, bool]]:
    """(article, evidence, answerable, first passage is the answering paragraph) for every question."""
    out = []
    for article in load_squad(path):
        with tempfile.TemporaryDirectory() as scratch:
            corpus = Path(scratch) / "corpus"
            corpus.mkdir()
            (corpus / "article.txt").write_text(article.text, "utf-8")
            retriever = retriever_of(corpus, Path(scratch) / "index")
            retriever.build()
            for _, question, gold in article.questions:
                hits, evidence = retriever._rank(clean_question(question), 1)
                out.append(
                    (article.title, evidence, gold is not None, gold is not None and hits[0].paragraph == gold + 1)
                )
        print(f"  {article.title}: {len(article.questions)} questions", file=sys.stderr, flush=True)
    return out


def curve(p_answerable: list[float], p_unanswerable: list[float]) -> list[dict]:
    """Unanswerable abstention at each false-abstention level, cutting on the probability."""
    out = []
    yes = np.sort(np.array(p_answerable))
    no = np.array(p_unanswerable)
    for budget in (0.01, 0.02, 0.05, 0.10, 0.20):
        cut = yes[min(int(budget * len(yes)), len(yes) - 1)]
        out.append({"false_abstention": budget, "unanswerable_abstention": round(float((no < cut).mean()), 4)})
    return out


def squad_report(path: Path, retriever_of, judge: Judge, cut: float) -> dict:
    rows = squad_evidence(path, retriever_of)
    shipped = [judge.probability(e) if e.top_score >= cut else 0.0 for _, e, _, _ in rows]
    yes = [p for p, (_, _, a, _) in zip(shipped, rows, strict=True) if a]
    no = [p for p, (_, _, a, _) in zip(shipped, rows, strict=True) if not a]
    report = {"shipped": {"auroc": round(auroc(yes, no), 4), "curve": curve(yes, no)}}
    titles = sorted({t for t, *_ in rows}, key=[t for t, *_ in rows].index)
    folds = [titles[i : i + 2] for i in range(0, len(titles), 2)]
    held_p, held_a, per_fold = [], [], []
    for fold in folds:
        train = [r for r in rows if r[0] not in fold]
        test = [r for r in rows if r[0] in fold]
        refit = fit([e for _, e, _, _ in train], [a for *_, a, _ in train], [a for *_, a, _ in train],
                    false_abstention=0.05)  # fmt: skip
        p = [refit.probability(e) for _, e, _, _ in test]
        a = [r[2] for r in test]
        said_no = [x < refit.threshold for x in p]
        yes_p = [x for x, y in zip(p, a, strict=True) if y]
        no_p = [x for x, y in zip(p, a, strict=True) if not y]
        turned_away = sum(n and y for n, y in zip(said_no, a, strict=True)) / max(1, sum(a))
        abstained = sum(n and not y for n, y in zip(said_no, a, strict=True)) / max(1, a.count(False))
        per_fold.append(
            {
                "articles": fold,
                "auroc": round(auroc(yes_p, no_p), 4),
                "false_abstention": round(turned_away, 4),
                "unanswerable_abstention": round(abstained, 4),
            }
        )
        held_p += p
        held_a += a
    yes = [x for x, y in zip(held_p, held_a, strict=True) if y]
    no = [x for x, y in zip(held_p, held_a, strict=True) if not y]
    report["refit_by_article"] = {
        "auroc_pooled": round(auroc(yes, no), 4),
        "false_abstention_mean": round(float(np.mean([f["false_abstention"] for f in per_fold])), 4),
        "unanswerable_abstention_mean": round(float(np.mean([f["unanswerable_abstention"] for f in per_fold])), 4),
        "folds": per_fold,
        "curve": curve(yes, no),
    }
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.answerability", description=__doc__.splitlines()[0])
    p.add_argument("--squad", default=None, help="a SQuAD 2.0 JSON file (each article a corpus of its own)")
    p.add_argument("--output", default="bench/answerability.json")
    args = p.parse_args(argv)
    retriever = Retriever(ROOT / "corpus", ROOT / "index", save=False)
    result = {"article": article_report(retriever)}
    print(json.dumps(result["article"], indent=1))
    if args.squad:
        embedder = retriever.embedder
        result["squad"] = squad_report(
            Path(args.squad),
            lambda corpus, index: Retriever(corpus, index, embedder=embedder, save=False),
            retriever.judge,
            retriever.ranking.min_score,
        )
        print(json.dumps(result["squad"], indent=1))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
