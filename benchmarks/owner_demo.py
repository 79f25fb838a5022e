"""The owner's loop, end to end: `make owner-demo` (``python -m benchmarks.owner_demo``).

Starts `python app.py` with the question log in a file of its own, asks every question of the given
sets through the page's `/chat` endpoint (as readers would, one after another), stops the page, then
plays readers who rate: an answer whose first passage lacks the set's gold phrase is rated down, and
one in four of the answers that hold it is rated up (thumbs go through `QuestionLog.rate`, as the
page's like event does). Last, `article-qa report` is printed for that log, and its chart written.
All traffic stays on this machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tests.support import ROOT, running_app

SETS = ["eval/dev.jsonl", "eval/heldout.jsonl", "eval/readers-a.jsonl", "eval/readers-b.jsonl"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.owner_demo", description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", default=SETS)
    p.add_argument("--log", default="bench/owner-demo.sqlite", help="the question log to write (replaced)")
    p.add_argument("--chart", default="docs/report-chart.png")
    args = p.parse_args(argv)

    from gradio_client import Client

    from article_qa import cli
    from article_qa.evaluation import load_questions
    from article_qa.passages import read_corpus, split_corpus
    from article_qa.questions_log import QuestionLog, entries

    db = Path(args.log)
    db.parent.mkdir(parents=True, exist_ok=True)
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    questions = [q for path in args.sets for q in load_questions(ROOT / path)]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with running_app(env={"ARTICLE_QA_LOG": str(db.resolve())}) as (url, _):
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        for q in questions:
            client.predict(q.question, api_name="/chat")
    gold = {q.question: q.gold for q in questions}
    passages = {p.passage_id: p for p in split_corpus(read_corpus(ROOT / "corpus"))}
    qlog = QuestionLog(db)
    right_seen = down = up = 0
    for e in entries(db):
        if not e.answered or not e.passages or not gold.get(e.question):
            continue
        first = passages[e.passages[0]].text.casefold()
        if not any(g.casefold() in first for g in gold[e.question]):
            qlog.rate(e.id, -1)
            down += 1
        else:
            right_seen += 1
            if right_seen % 4 == 0:
                qlog.rate(e.id, 1)
                up += 1
    qlog.close()
    print(f"asked {len(questions)} questions through /chat; rated {down} answers down and {up} up\n", file=sys.stderr)
    return cli.main(["report", "--log", str(db), "--chart", args.chart])


if __name__ == "__main__":
    sys.exit(main())
