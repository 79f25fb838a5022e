"""Questions asked the way people ask about their own situation: `python -m benchmarks.situations FILE`.

ConditionalQA's GOV.UK pages (``../shared/benchmarks/conditionalqa/dev-part.json.gz``), each page an
article of its own, made as its README says (the title, each heading a ``## `` line, each paragraph a
paragraph, each list item a ``- `` line). Every answerable question is asked three times, as one chat
message with the scenario first, as one with the question first and the scenario after it, and as the
bare question, and the report says for each: hit@1 (the
first passage overlaps one of the question's evidence elements), hit@3, and how often the answer says
the page does not answer (a false decline). The pages are small; these figures sit beside the sets
nothing was chosen on.
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

_TAG = re.compile(r"<[^>]+>")


def page_markdown(document: dict[str, Any]) -> str:
    """A ConditionalQA page as an article: its title, headings as sections, paragraphs, list items.

    >>> page_markdown({"title": "Guide", "contents": ["<h1>Intro</h1>", "<p>Text &amp; more.</p>", "<li>One</li>"]})
    '# Guide\\n\\n## Intro\\n\\nText & more.\\n\\n- One\\n'
    """
    parts = [f"# {document['title']}"]
    for element in document["contents"]:
        text = " ".join(html.unescape(_TAG.sub(" ", element)).split())
        if not text:
            continue
        if re.match(r"<h[1-6]", element):
            parts.append(f"## {text}")
        elif element.startswith("<li"):
            parts.append(f"- {text}")
        else:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def _fold(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).casefold().split())


def overlaps(passage: str, evidences: list[str]) -> bool:
    """Whether a passage and one of the evidence elements overlap (one holds the other)."""
    p = _fold(passage)
    return any((e := _fold(ev)) and (e in p or p in e) for ev in evidences)


def evaluate(path: Path, embedder: Any) -> dict[str, Any]:
    from article_qa import Retriever

    data = json.load(gzip.open(path))
    by_url = {d["url"]: d for d in data["documents"]}
    questions = [q for q in data["questions"] if not q["not_answerable"] and q["evidences"]]
    rows: dict[str, list[dict[str, Any]]] = {"situation": [], "question first": [], "bare": []}
    with tempfile.TemporaryDirectory() as scratch:
        for n, url in enumerate(sorted({q["url"] for q in questions})):
            folder = Path(scratch) / f"page{n}"
            folder.mkdir()
            (folder / "page.md").write_text(page_markdown(by_url[url]), "utf-8")
            retriever = Retriever(folder, Path(scratch) / f"index{n}", embedder=embedder)
            for q in (q for q in questions if q["url"] == url):
                asked = (
                    ("situation", f"{q['scenario']} {q['question']}"),
                    ("question first", f"{q['question']} {q['scenario']}"),
                    ("bare", q["question"]),
                )
                for kind, text in asked:
                    answer = retriever.ask(text, 3)
                    ranked = retriever.search(text, 3, min_score=None)
                    ranks = [h.rank for h in ranked if overlaps(h.text, q["evidences"])]
                    rows[kind].append({"id": q["id"], "declined": not answer.answered,
                                       "rank": ranks[0] if ranks else None, "missing": answer.missing,
                                       "confidence": answer.confidence})  # fmt: skip
    out: dict[str, Any] = {"questions": len(questions)}
    for kind, got in rows.items():
        n = len(got)
        out[kind] = {
            "hit@1": round(sum(r["rank"] == 1 for r in got) / n, 3),
            "hit@3": round(sum(r["rank"] is not None for r in got) / n, 3),
            "false_decline": round(sum(r["declined"] for r in got) / n, 3),
            "missing_named": round(sum(bool(r["missing"]) for r in got) / n, 3),
            "rows": got,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.situations", description=__doc__.splitlines()[0])
    p.add_argument("path", nargs="?", default="../shared/benchmarks/conditionalqa/dev-part.json.gz")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    from article_qa.embedding import load_embedder

    result = evaluate(Path(args.path), load_embedder(None))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['questions']} answerable questions, each page an article of its own")
    print("| asked as | hit@1 | hit@3 | false decline | a word named missing |")
    print("|---|---|---|---|---|")
    for kind in ("situation", "question first", "bare"):
        r = result[kind]
        print(f"| {kind} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r['false_decline']:.3f} | {r['missing_named']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
