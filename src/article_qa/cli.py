"""The `article-qa` command: build, ask, eval, eval-beir, serve.

A thin layer over the library: it parses arguments, configures logging and prints results. Every
option also has an environment variable (ARTICLE_QA_MODEL, ARTICLE_QA_CORPUS, ARTICLE_QA_INDEX,
ARTICLE_QA_HOST, ARTICLE_QA_PORT). Errors a user can fix are printed as one line, with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import textwrap
from pathlib import Path

from .build import IndexSettings
from .embedding import ModelError
from .evaluation import BEIR_TOKEN_BUDGET
from .index import IndexFormatError
from .passages import CorpusError
from .ranking import RankSettings
from .retrieval import Hit, Retriever
from .sources import SourceError
from .vocabulary import VocabularyError

log = logging.getLogger("article_qa")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="corpus folder (env ARTICLE_QA_CORPUS, default ./corpus)")
    common.add_argument("--index", help="index folder (env ARTICLE_QA_INDEX; default: the corpus's own, "
                        "index/ beside corpus/, else CORPUS/.index)")  # fmt: skip
    common.add_argument("--model", help="sentence-transformers name or path (env ARTICLE_QA_MODEL)")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")
    p = argparse.ArgumentParser(prog="article-qa", description="Answers questions with the article's own passages.")
    sub = p.add_subparsers(dest="command", required=True)
    ad = sub.add_parser("add", parents=[common], help="bring an article into a folder of your own (--corpus)")
    ad.add_argument(
        "source",
        nargs="+",
        help="web pages (.html, .mhtml), PDFs, Word (.docx) and OpenDocument (.odt) texts, PowerPoint decks "
        "(.pptx), EPUB books, e-mails (.eml), text files (.md, .txt, .rst, .adoc, a README), http(s) URLs, or a "
        "folder (its documents, subfolders too)",
    )
    b = sub.add_parser("build", parents=[common], help="build the index (when missing or stale)")
    b.add_argument("--force", action="store_true", help="rebuild even when the index is fresh")
    a = sub.add_parser("ask", parents=[common], help="print the passages that answer a question")
    a.add_argument("question")
    a.add_argument("-k", type=int, default=3, help="how many passages at most (default 3)")
    a.add_argument("--min-score", type=float, default=None, help="relevance cut (default: calibrated)")
    a.add_argument("--all", action="store_true", help="no relevance cut: always k passages")
    a.add_argument("--json", action="store_true", help="print hits as JSON")
    a.add_argument("--article", default=None, help="ask only this article of the corpus (its title or file name)")
    e = sub.add_parser("eval", parents=[common], help="hit@1, hit@3, MRR and abstention on a question set")
    e.add_argument("questions", nargs="?", default="eval/dev.jsonl")
    e.add_argument("--json", action="store_true")
    e.add_argument("--misses", action="store_true", help="list the questions not answered first")
    e.add_argument("--min-score", type=float, default=None, help="relevance cut (default: calibrated)")
    e.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="try a setting (e.g. token_weight=0, context=none); an index setting builds an index in memory, "
        "index/ untouched",
    )
    eb = sub.add_parser("eval-beir", parents=[common], help="nDCG@10 and recall@100 on a BEIR folder")
    eb.add_argument("folder")
    eb.add_argument("--json", action="store_true")
    eb.add_argument("--lexical-weight", type=float, default=0.3, help="share of BM25 (default 0.3)")
    eb.add_argument("--sentence-weight", type=float, default=0.0, help="0 skips sentence vectors (default)")
    eb.add_argument("--token-weight", type=float, default=RankSettings.token_weight, help="share of late interaction")
    eb.add_argument("--token-budget", type=int, default=BEIR_TOKEN_BUDGET, help="most tokens kept for late interaction")
    sq = sub.add_parser("eval-squad", parents=[common], help="SQuAD 2.0 JSON, each article a corpus of its own")
    sq.add_argument("path", help="a SQuAD 2.0 JSON file")
    sq.add_argument("--json", action="store_true")
    sq.add_argument("--limit", type=int, default=None, help="the first N articles only")
    sq.add_argument("--together", action="store_true", help="all articles in one corpus, each question asked of all")
    f = sub.add_parser("fit-answerability", parents=[common], help="fit the answerability model on question sets")
    f.add_argument("questions", nargs="+", help="question sets (JSON Lines) with answerable and absent questions")
    f.add_argument("--false-abstention", type=float, default=0.02, help="share of answerable ones it may turn away")
    f.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic regression")
    f.add_argument("--out", default=None, help="where to write the JSON (default: the package's answerability.json)")
    r = sub.add_parser("report", parents=[common], help="what readers asked, what the articles could not answer")
    r.add_argument("--log", help="the question log (default: ARTICLE_QA_LOG, else questions.sqlite beside the index)")
    r.add_argument("--since", help="only questions of the last 7d, 24h, 2w, ...")
    r.add_argument("--json", action="store_true", help="the report as JSON")
    r.add_argument("--csv", action="store_true", help="one row per question, with its group, for a spreadsheet")
    r.add_argument("--chart", metavar="FILE.png", help="also draw questions per day and the share answered")
    r.add_argument("--prune", metavar="90d", help="delete the questions older than this, then report")
    r.add_argument("--threshold", type=float, default=None, help="cosine that joins a question to a group")
    s = sub.add_parser("serve", parents=[common], help="start the chat page")
    s.add_argument("--host", default=None, help="default 127.0.0.1 (env ARTICLE_QA_HOST)")
    s.add_argument("--port", type=int, default=None, help="default 7860 (env ARTICLE_QA_PORT)")
    s.add_argument("--share", action="store_true", help="also open a public share link")
    return p


def _retriever(args: argparse.Namespace) -> Retriever:
    return Retriever(args.corpus, args.index, args.model)


def cmd_add(args: argparse.Namespace) -> int:
    import os

    from .passages import read_document, split_document
    from .retrieval import index_for, project_corpus
    from .sources import add, document_files, is_url

    corpus = args.corpus or os.environ.get("ARTICLE_QA_CORPUS")
    if not corpus:
        raise ValueError("say which folder the article goes to, e.g. --corpus my-docs (created if missing)")
    shipped = project_corpus()
    if shipped is not None and Path(corpus).resolve() == shipped.resolve():
        raise ValueError(f"{corpus} holds the shipped article; bring yours into a folder of your own: --corpus my-docs")
    sources: list[str] = []
    for source in args.source:
        folder = Path(source).expanduser()
        if not is_url(source) and folder.is_dir():  # its documents, subfolders too; not its code or pictures
            kept, passed = document_files(folder)
            sources += [str(f) for f in kept]
            if passed:
                names = ", ".join(str(p.relative_to(folder)) for p in passed[:5]) + (", ..." if len(passed) > 5 else "")
                print(f"{folder}: passed over {len(passed)} file(s) that are code, settings or pictures ({names})")
        else:
            sources.append(source)
    added = failed = 0
    for source in sources:
        try:
            path = add(source, corpus)
        except SourceError as exc:  # the others are still added; each failure said on its own line
            print(f"article-qa add: {exc}", file=sys.stderr)
            failed += 1
            continue
        added += 1
        passages = split_document(read_document(path))
        title = passages[0].title if passages and passages[0].title else path.stem
        pages = {p.page for p in passages if p.page is not None}
        sections = {p.section for p in passages if p.section}
        extra = f", {len(pages)} pages" if pages else ""
        print(f"added {path}: {title!r}, {len(passages)} passages in {len(sections)} sections{extra}")
    if added:
        print(f"its index is {index_for(corpus)}/, built on first use; ask with: article-qa serve --corpus {corpus}")
    if failed and len(sources) > 1:
        print(f"article-qa add: {added} added, {failed} not added (see above)", file=sys.stderr)
    return 2 if failed else 0


def cmd_build(args: argparse.Namespace) -> int:
    r = _retriever(args)
    index = r.build() if args.force else r.load()
    print(f"{len(index.passages)} passages from {len(index.manifest['corpus'])} file(s), "
          f"model {index.manifest['model']}, index {r.index_dir}/")  # fmt: skip
    for p in index.passages:
        line = " ".join(p.text.split())
        print(f"  {p.passage_id:<28} {p.where[:36]:<36} {line[:60]}…")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .answerability import unanswered_part
    from .ui import code_part, plain_list

    r = _retriever(args)
    part: list[str] = []
    if args.all or args.min_score is not None:
        hits = r.search(args.question, args.k, min_score=None if args.all else args.min_score, article=args.article)
        related: list[Hit] = []
        why = "Nothing in the article answers that question."
    else:  # the judgement the chat page gives: the answer, or what the article lacks and what is nearest
        answer = r.ask(args.question, args.k, article=args.article)
        hits, related = (answer.hits, []) if answer.answered else ([], answer.hits)
        part = unanswered_part(answer.question, answer.missing) if answer.answered else []
        why = (
            f"The article doesn't mention {plain_list(answer.missing)}, so it can't answer that."
            if answer.missing
            else "Nothing in the article answers that question."
        )
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return 0
    if part:
        print(f"The article doesn't mention {plain_list(part)}, so this may answer only part of the question.\n")
    if not hits:
        print(why)
        if related:
            print("\nRelated, but not an answer:\n")
    for h in hits or related:
        print(f"[{h.rank}] {h.citation}  (relevance {h.score:.2f})")
        if h.code:  # a code block's lines as they stand
            print(textwrap.indent(h.text, "    ", lambda line: True) + "\n")
            continue
        part = code_part(h)  # a sentence and the short code block it leads into
        print(textwrap.indent(textwrap.fill(" ".join(h.text[: part[0] if part else None].split()), 96), "    "))
        if part:
            print(textwrap.indent(part[1], "      ", lambda line: True))
        print(f"    > {' '.join(h.highlight.split())}\n")
    return 0


def parse_settings(pairs: list[str]) -> tuple[IndexSettings, RankSettings]:
    """Index and ranking settings from NAME=VALUE pairs, each value read as the type of the field's
    default.

    >>> index, ranking = parse_settings(["token_weight=0", "vocabulary=false"])
    >>> ranking.token_weight, index.vocabulary, index.context
    (0.0, False, 'title+section+next')
    """
    values: list[dict[str, object]] = [{}, {}]
    defaults = (IndexSettings(), RankSettings())
    names = [*vars(defaults[0]), *vars(defaults[1])]
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        which = next((i for i, d in enumerate(defaults) if hasattr(d, name)), None)
        if not sep or which is None:
            raise ValueError(f"--set {pair!r}: expected NAME=VALUE with NAME one of {', '.join(names)}")
        kind = type(getattr(defaults[which], name))
        if kind is bool:
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"--set {pair!r}: {name} is true or false")
            values[which][name] = raw.lower() in ("true", "1")
        else:
            try:
                values[which][name] = kind(raw)
            except ValueError:
                raise ValueError(f"--set {pair!r}: {name} must be a {kind.__name__}") from None
    return IndexSettings(**{**vars(defaults[0]), **values[0]}), RankSettings(**{**vars(defaults[1]), **values[1]})


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, load_questions

    settings, ranking = parse_settings(args.set)
    if settings == IndexSettings():  # ranking settings only: the index on disk serves as it is
        retriever = Retriever(args.corpus, args.index, args.model, ranking=ranking)
    else:
        with tempfile.TemporaryDirectory() as scratch:  # an index for other settings never replaces index/
            retriever = Retriever(args.corpus, scratch, args.model, settings=settings, ranking=ranking, save=False)
            retriever.load()
    m = evaluate(retriever, load_questions(args.questions), min_score=args.min_score)
    if args.json:
        print(json.dumps(m if args.misses else {k: v for k, v in m.items() if k != "misses"}, indent=2))
        return 0
    print(f"questions: {m['answerable']} answerable, {m['unanswerable']} unanswerable ({args.questions})")
    print(
        "| hit@1 | hit@3 | MRR | unanswerable -> empty | off-topic -> empty | absent -> empty | answerable -> empty |"
    )
    print("|---|---|---|---|---|---|---|")
    print(f"| {m['hit@1']:.3f} | {m['hit@3']:.3f} | {m['mrr']:.3f} | {m['abstain_unanswerable']:.3f} "
          f"| {m['abstain_offtopic']:.3f} | {m['abstain_absent']:.3f} | {m['empty_answerable']:.3f} |")  # fmt: skip
    if m["confidence_auroc"] is not None:
        print(f"confidence tells answerable from not (AUROC): {m['confidence_auroc']:.3f}")
    print(f"marked sentence holds the answer (highlight@1): {m['highlight@1']:.3f}")
    if args.misses:
        for miss in m["misses"]:
            print(f"  miss {miss}")
    return 0


def cmd_eval_beir(args: argparse.Namespace) -> int:
    from .embedding import load_embedder
    from .evaluation import beir_settings, evaluate_beir

    embedder = load_embedder(args.model)
    settings = beir_settings(args.lexical_weight, args.sentence_weight, args.token_weight)
    m = evaluate_beir(args.folder, embedder, settings, token_budget=args.token_budget)
    if args.json:
        print(json.dumps(m, indent=2))
    else:
        for key, value in m.items():
            print(f"{key:>20}: {value}")
    return 0


def cmd_eval_squad(args: argparse.Namespace) -> int:
    from .embedding import load_embedder
    from .evaluation import evaluate_squad

    m = evaluate_squad(args.path, load_embedder(args.model), limit=args.limit, together=args.together)
    if args.json:
        print(json.dumps(m, indent=2))
        return 0
    keys = ("hit@1", "hit@3", "mrr", "false_abstention", "abstain_unanswerable", "confidence_auroc")
    where = "in one corpus" if m.get("together") else "each a corpus of its own"
    print(
        f"{m['articles']} articles {where}, {m['answerable']} answerable and {m['unanswerable']} unanswerable questions"
    )
    print("| article | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for row in [*m["per_article"], {"title": "**all**", **m}]:
        print(f"| {row['title']} | " + " | ".join(f"{row[k]:.3f}" for k in keys) + " |")
    return 0


def cmd_fit_answerability(args: argparse.Namespace) -> int:
    from .answerability import JUDGE_FILE, fit
    from .evaluation import collect_evidence, load_questions

    retriever = _retriever(args)
    data, counts = [], {}
    for path in args.questions:
        questions = load_questions(path)
        data += collect_evidence(retriever, questions)
        counts[path] = {
            "answerable": sum(q.answerable for q in questions),
            "unanswerable": sum(not q.answerable for q in questions),
        }
    evidence = [e for e, _, _ in data]
    answerable = [a for _, a, _ in data]
    notes = {"model": retriever.embedder.name, "sets": counts, "false_abstention_budget": args.false_abstention,
             "label": "the article answers the question", "l2": args.l2}  # fmt: skip
    judge = fit(evidence, answerable, answerable, false_abstention=args.false_abstention, l2=args.l2, notes=notes)
    out = args.out or JUDGE_FILE
    judge.save(out)
    said_no = [e.top_score < retriever.ranking.min_score or judge.probability(e) < judge.threshold for e in evidence]
    turned_away = sum(n and a for n, a in zip(said_no, answerable, strict=True)) / max(1, sum(answerable))
    abstained = sum(n and not a for n, a in zip(said_no, answerable, strict=True)) / max(1, answerable.count(False))
    print(
        f"fitted on {len(data)} questions ({sum(answerable)} answerable); threshold {judge.threshold:.3f}; wrote {out}"
    )
    print(f"on these questions: false abstention {turned_away:.3f}, unanswerable abstention {abstained:.3f}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from .embedding import load_embedder
    from .passages import read_corpus, split_corpus
    from .questions_log import entries, log_path, prune
    from .report import GROUP_THRESHOLD, as_csv, as_text, build_report, chart, group_unanswered, parse_duration
    from .retrieval import default_paths, index_for

    corpus = Path(args.corpus) if args.corpus else default_paths()[0]
    index = Path(args.index) if args.index else (index_for(corpus) if args.corpus else default_paths()[1])
    path = Path(args.log) if args.log else log_path(index)
    if path is None:
        raise ValueError("the question log is off (ARTICLE_QA_LOG=off); name one with --log FILE")
    if not path.is_file():
        raise ValueError(f"no question log at {path} yet: questions asked on the page are logged there")
    if args.prune:
        gone = prune(path, time.time() - parse_duration(args.prune).total_seconds())
        print(f"pruned {gone} questions older than {args.prune} from {path}", file=sys.stderr)
    since = time.time() - parse_duration(args.since).total_seconds() if args.since else None
    rows = entries(path, since)
    threshold = args.threshold if args.threshold is not None else GROUP_THRESHOLD
    embedder = load_embedder(args.model) if any(not e.answered for e in rows) else None
    passages = split_corpus(read_corpus(corpus)) if corpus.is_dir() else []
    groups = group_unanswered(rows, embedder, {p.passage_id: p for p in passages}, threshold)
    result = build_report(rows, embedder, passages, since, threshold, groups=groups)
    if args.chart:
        if rows:
            print(f"wrote {chart(result, args.chart)}", file=sys.stderr)
        else:
            print("no questions to chart", file=sys.stderr)
    if args.csv:
        sys.stdout.write(as_csv(rows, result, groups))
    elif args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(as_text(result))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .ui import launch

    launch(_retriever(args), host=args.host, port=args.port, share=args.share)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "urllib3", "sentence_transformers", "filelock", "faiss", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    commands = {
        "add": cmd_add,
        "build": cmd_build,
        "ask": cmd_ask,
        "eval": cmd_eval,
        "eval-beir": cmd_eval_beir,
        "serve": cmd_serve,
        "fit-answerability": cmd_fit_answerability,
        "eval-squad": cmd_eval_squad,
        "report": cmd_report,
    }
    try:
        return commands[args.command](args)
    except (
        CorpusError,
        IndexFormatError,
        ModelError,
        VocabularyError,
        SourceError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:
        print(f"article-qa {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
