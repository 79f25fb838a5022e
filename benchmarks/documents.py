"""Real documents brought in as a user would: `make eval-docs`.

Each document (a saved web page or a PDF) is added with `article_qa.sources.add` into a folder of its
own, indexed, and asked its questions (JSON Lines: ``{"doc", "question", "answer"}``, ``answer`` a short
verbatim span of the document, or null for an on-topic question the document does not answer). For each
document it reports:

- passages, and the problems found in them: markup a reader would see (``**``, tags, entities,
  ``[edit]``, footnote markers), ligature characters, page furniture (a run of six or more words that
  stands on a third or more of a PDF's pages, a short passage alone on three nearby pages, or a page
  number alone) and PDF passages without a page;
- answers found: the share of answerable questions whose answer span is in some passage at all (an
  extraction that loses or garbles text loses these);
- answer first / in the top three: the passage holding the answer span ranked first / in the top three;
- declined: absent questions the answer says the document does not answer, and answerable ones declined.

Spans are matched after NFKC, case folding, and white space and hyphens at line ends folded away, so
the figures measure the text, not its typography. `python -m benchmarks.documents DOCS QUESTIONS
[--json] [--out FILE] [--limit N]`; with no shared folder at hand the tests run it on fixtures of their own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import RELIABILITY_BANDS

# Markup a reader would see: Markdown bold, an HTML tag (by its name: a manual's "<stdio.h>", a type's
# "Result<T, E>" and a spec's XML example are the document's own text), an entity, a wiki's marks.
MARKUP = re.compile(
    r"\*\*\w[^*\n]{0,80}?\S\*\*|</?(?:a|b|i|u|em|strong|sup|sub|span|div|p|br|img|table|tr|td|th|ul|ol|li|h[1-6]|"
    r"small|font|center|figure|figcaption|section|article|nav|header|footer|iframe|script|style|blockquote|pre|code)"
    r"(?:\s[^>]{0,40})?/?>|&[a-z]{2,6};|&#\d+;|\[edit\]|\\\[|\[citation needed\]"
)
# reStructuredText's own marks: a role, an inline literal, a reference, a directive or target, a substitution.
RST_MARKUP = re.compile(r":[\w:.+-]+:`|``\S|\w`__?(?!\w)|^\.\. (?:[\w:-]+::|_)|(?<![\w|])\|\w[\w -]*\|(?![\w|])", re.M)
FOOTNOTE = re.compile(r"\[\d{1,3}\]")  # a web page's footnote marker (in a paper, "[11]" is a printed citation)
LIGATURES = re.compile("[\ufb00-\ufb06]")
# A figure's or a table's caption read into a paragraph ("...with mul- Figure 1: Retriever accuracy").
CAPTION_INSIDE = re.compile(r"\S\s+(?:Figure|FIGURE|Fig\.|Table|TABLE)\s+(?:\d+|[IVXL]+):\s+[A-Z]")
UNKNOWN_GLYPH = "\ufffd"  # a glyph the PDF gives no character for (a formula's epsilon, say)
PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}$", re.IGNORECASE)


def fold(text: str) -> str:
    """Text for matching an answer span: NFKC, case-folded, hyphenated line breaks and white space folded.

    >>> fold("The  de\ufb01nition of dual-\\nencoders") == fold("the definition of dual-encoders")
    True
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text)
    return " ".join(re.sub(r"[\u00ad\u2060]", "", text).split())


def _loose(text: str) -> str:
    return fold(text).replace("-", "")


def contains(passage: str, answer: str) -> bool:
    """Whether the passage holds the answer span (hyphens at line ends may be kept or joined)."""
    return fold(answer) in fold(passage) or _loose(answer) in _loose(passage)


def page_of(passage: Any) -> int:
    """The page a passage stands on: its `page`, or a "Page N" section (as PDFs were once split), or 0."""
    page = getattr(passage, "page", None)
    if page is None and re.fullmatch(r"Page \d+", passage.section or ""):
        page = int(passage.section[5:])
    return page or 0


def furniture(passages: list[Any], pages: int) -> int:
    """Passages holding page furniture: a page number alone, a run of six words repeated on a third
    or more of the document's pages (a running header or footer left inside the text), or a short
    passage that stands alone on three nearby pages (a chapter's running header)."""
    if pages < 3:
        return sum(bool(PAGE_NUMBER.match(p.text.strip())) for p in passages)
    where: dict[tuple[str, ...], set[int]] = {}
    for p in passages:
        words = fold(p.text).split()
        for i in range(len(words) - 5):
            where.setdefault(tuple(words[i : i + 6]), set()).add(page_of(p))
    repeated = {gram for gram, on in where.items() if len(on) >= max(3, pages / 3)}
    # a short passage standing alone on three pages or more, each within two of the next: a chapter's
    # running header over its pages ("Using and understanding the Valgrind core")
    alone: dict[str, list[int]] = {}
    for p in passages:
        if len(p.text.split()) <= 12 and not getattr(p, "code", False):
            alone.setdefault(fold(p.text), []).append(page_of(p))
    running = {text for text, on in alone.items() if _near_run(sorted(set(on)))}
    count = 0
    for p in passages:
        words = fold(p.text).split()
        grams = {tuple(words[i : i + 6]) for i in range(len(words) - 5)}
        count += bool(grams & repeated) or bool(PAGE_NUMBER.match(p.text.strip())) or fold(p.text) in running
    return count


def _near_run(pages: list[int]) -> bool:
    """Whether three of the (sorted) pages follow one another, each at most two after the one before.

    >>> _near_run([3, 5, 6]), _near_run([3, 9, 20])
    (True, False)
    """
    run = 1
    for a, b in itertools.pairwise(pages):
        run = run + 1 if 0 < b - a <= 2 else 1
        if run >= 3:
            return True
    return False


def evaluate_document(path: Path, questions: list[dict[str, Any]], embedder: Any, work: Path) -> dict[str, Any]:
    """Add one document into a folder of its own, index it and ask it its questions."""
    from article_qa import Retriever, sources
    from article_qa.passages import read_corpus, split_code, split_corpus
    from article_qa.sources import add

    folder = work / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    added = add(str(path), folder)
    passages = split_corpus(read_corpus(folder))
    source = added.read_text("utf-8")
    is_pdf = path.suffix.lower() == ".pdf"
    kind = sources.read_source(str(path))[2]  # as add read it
    pages = len({getattr(p, "page", None) for p in passages}) if is_pdf else 0
    if is_pdf:
        pages = max(pages, len(re.findall(r"<!-- page \d+ -->|^## Page \d+$", source, re.M)))
    sections_text = [p.section or "" for p in passages]
    prose = [split_code(p.text)[0] for p in passages if not p.code]  # code is verbatim (a joined block too)

    def markup(text: str) -> bool:  # a PDF's or a plain text's "<a>" is its own example, not leaked markup
        if path.suffix.lower() in (".rst", ".rest") and RST_MARKUP.search(text):
            return True
        return kind not in ("pdf", "text") and bool(MARKUP.search(text) or FOOTNOTE.search(text))

    row: dict[str, Any] = {
        "doc": path.name,
        "title": passages[0].title if passages else None,
        "passages": len(passages),
        "sections": len(set(sections_text)),
        "markup": sum(markup(t) for t in prose + sections_text),
        "ligatures": sum(bool(LIGATURES.search(t)) for t in [p.text for p in passages] + sections_text),
        "furniture": furniture(passages, pages),
        "no_page": sum(getattr(p, "page", None) is None for p in passages) if is_pdf else 0,
        "captions_inside": sum(bool(CAPTION_INSIDE.search(p.text)) for p in passages),
        "unknown_glyphs": sum(UNKNOWN_GLYPH in p.text for p in passages),
    }
    retriever = Retriever(folder, work / f"{path.stem}.index", embedder=embedder)
    answerable = [q for q in questions if q.get("answer")]
    absent = [q for q in questions if not q.get("answer")]
    found = first = top3 = declined_answerable = declined_absent = 0
    misses = []
    # (answered by the document, confidence, first score, the first passage holds the answer)
    judged: list[tuple[bool, float, float, bool]] = []
    for q in answerable:
        found += any(contains(p.text, q["answer"]) for p in passages)
        hits = retriever.search(q["question"], 3, min_score=None)
        ranks = [h.rank for h in hits if contains(h.text, q["answer"])]
        first += bool(ranks and ranks[0] == 1)
        top3 += bool(ranks)
        answer = retriever.ask(q["question"], 3)
        declined_answerable += not answer.answered
        judged.append((True, answer.confidence, hits[0].score if hits else 0.0, bool(ranks and ranks[0] == 1)))
        if not (ranks and ranks[0] == 1):
            misses.append({"question": q["question"], "got": hits[0].citation if hits else None})
    for q in absent:
        answer = retriever.ask(q["question"], 3)
        declined_absent += not answer.answered
        # declined or not, the first hit is the first-ranked passage (related reading when declined)
        judged.append((False, answer.confidence, answer.hits[0].score if answer.hits else 0.0, False))
    row.update(
        answerable=len(answerable),
        absent=len(absent),
        answer_found=found,
        answer_first=first,
        answer_top3=top3,
        declined_absent=declined_absent,
        declined_answerable=declined_answerable,
        misses=misses,
        judged=judged,
    )
    return row


def evaluate(docs: Path, questions_file: Path, embedder: Any, limit: int | None = None) -> dict[str, Any]:
    """Every document of `docs` named in the question file, each in a folder of its own."""
    questions = [json.loads(line) for line in questions_file.read_text("utf-8").splitlines() if line.strip()]
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        by_doc.setdefault(q["doc"], []).append(q)
    rows = []
    names = list(by_doc)[:limit]
    seen = Counter(Path(name).name for name in names)
    with tempfile.TemporaryDirectory() as scratch:
        for i, name in enumerate(names):  # each in a folder of its own, whatever its file is called
            row = evaluate_document(docs / name, by_doc[name], embedder, Path(scratch) / f"{i:03d}")
            if seen[Path(name).name] > 1:  # two FAQs called faq.html: named with their folder
                row["doc"] = "/".join((docs / name).parts[-2:])
            rows.append(row)
    total: Counter[str] = Counter()
    for row in rows:
        total.update({k: v for k, v in row.items() if isinstance(v, int)})
    judged = [j for row in rows for j in row["judged"]]
    return {
        "documents": rows,
        "total": dict(total),
        "separation": separation(judged),
        "reliability": reliability(judged),
    }


def reliability(judged: list[tuple[bool, float, float, bool]]) -> list[dict[str, Any]]:
    """For each band of the judge's confidence (the page's words: "very likely" from 0.9, "probably"
    from 0.7, "possibly" above the cut), how many questions fell in it and how often the first passage
    held the answer.

    >>> reliability([(True, 0.95, 0.6, True), (True, 0.92, 0.5, False), (False, 0.1, 0.3, False)])[0]
    {'band': '0.9-1.0', 'questions': 2, 'first_answers': 0.5}
    """
    out = []
    for lo, hi in RELIABILITY_BANDS:
        inside = [j for j in judged if lo <= j[1] < hi]
        share = round(sum(j[3] for j in inside) / len(inside), 3) if inside else None
        out.append({"band": f"{lo:.1f}-{min(hi, 1.0):.1f}", "questions": len(inside), "first_answers": share})
    return out


def separation(judged: list[tuple[bool, float, float, bool]]) -> dict[str, float]:
    """How well the judge's confidence, and the first passage's score alone, tell the questions a
    document answers from those it does not (AUROC over all documents together).

    >>> separation([(True, 0.9, 0.5, True), (False, 0.2, 0.6, False)])
    {'confidence_auroc': 1.0, 'score_auroc': 0.0}
    """
    from article_qa.evaluation import auroc

    yes, no = [j for j in judged if j[0]], [j for j in judged if not j[0]]
    return {
        "confidence_auroc": round(auroc([j[1] for j in yes], [j[1] for j in no]), 3),
        "score_auroc": round(auroc([j[2] for j in yes], [j[2] for j in no]), 3),
    }


def table(result: dict[str, Any]) -> str:
    """The per-document table as Markdown."""
    head = (
        "| document | passages | markup | ligatures | furniture | PDF passages without a page "
        "| captions inside paragraphs | passages with an unknown glyph "
        "| answers found | answer first | top three | absent declined | answerable declined |"
    )
    lines = [head, "|---" * 13 + "|"]
    for row in [*result["documents"], {"doc": "**all**", **result["total"]}]:
        n = row["answerable"]
        lines.append(
            f"| {row['doc']} | {row['passages']} | {row['markup']} | {row['ligatures']} | {row['furniture']} "
            f"| {row['no_page']} | {row['captions_inside']} | {row['unknown_glyphs']} | {row['answer_found']}/{n} "
            f"| {row['answer_first']}/{n} | {row['answer_top3']}/{n} "
            f"| {row['declined_absent']}/{row['absent']} | {row['declined_answerable']}/{n} |"
        )
    if result.get("separation"):
        sep = result["separation"]
        lines.append(f"\nanswered or not, AUROC: the judge's confidence {sep['confidence_auroc']}, "
                     f"the first passage's score alone {sep['score_auroc']}")  # fmt: skip
    if result.get("reliability"):
        lines.append("\n| confidence | questions | the first passage holds the answer |\n|---|---|---|")
        for band in result["reliability"]:
            share = "" if band["first_answers"] is None else f"{band['first_answers']:.3f}"
            lines.append(f"| {band['band']} | {band['questions']} | {share} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents", description=__doc__.split("\n")[0])
    parser.add_argument("docs", help="the folder of documents (the question file's 'doc' paths are inside it)")
    parser.add_argument("questions", help="JSON Lines: doc, question, answer (null when not answered)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", help="also write the JSON here")
    parser.add_argument("--limit", type=int, default=None, help="the first N documents only")
    parser.add_argument("--model", default=None, help="a sentence-transformers name or path (default: bundled)")
    args = parser.parse_args(argv)
    from article_qa.embedding import load_embedder

    result = evaluate(Path(args.docs), Path(args.questions), load_embedder(args.model), args.limit)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
