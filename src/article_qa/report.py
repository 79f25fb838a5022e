"""`article-qa report`: what readers asked, what the articles could not answer, what readers rated down.

Reads the owner's question log (`questions_log`) and tells:

- counts: questions, the share answered, thumbs up and down, questions per endpoint;
- the questions the articles could not answer, grouped by meaning: each is embedded with the product's
  own model, and joins the first group (most asked first) whose centroid it reaches with a cosine of
  `GROUP_THRESHOLD`, else opens a group; each group with its count, an example, the missing words its
  questions share and the section nearest to them: what to write next;
- the answers rated down, with the passages they quoted;
- the questions asked most often.

As text for the terminal, JSON, or CSV (one row per question, with its group) for a spreadsheet, and a
chart of questions per day (per hour or minute for a young log) with the share answered (PNG,
matplotlib). This module writes nothing but that chart; pruning old rows is `questions_log.prune`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .passages import Passage
from .questions_log import Entry

# Chosen on 21 hand-written questions about the shipped article in 6 subjects (with the bundled MiniLM):
# at 0.70 to a group's centroid the questions that name their subject group by subject (one of 21 put
# in another subject's group), while terse ones that do not ("is it expensive") stay alone; at 0.60
# and below most subjects merge, since every question about one article shares its subject.
GROUP_THRESHOLD = 0.70
_DURATION = re.compile(r"^(\d+)\s*([hdw])$")


def parse_duration(text: str) -> datetime.timedelta:
    """`7d`, `24h`, `2w` as a time span; a ValueError for anything else.

    >>> parse_duration("7d"), parse_duration("12h")
    (datetime.timedelta(days=7), datetime.timedelta(seconds=43200))
    """
    m = _DURATION.match(text.strip().lower())
    if not m:
        raise ValueError(f"expected a span like 7d, 24h or 2w, not {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    return {"h": datetime.timedelta(hours=n), "d": datetime.timedelta(days=n), "w": datetime.timedelta(weeks=n)}[unit]


def normalized(question: str) -> str:
    """A question as counted for "most asked": case, punctuation and spacing aside.

    >>> normalized("  Can Ketamine treat PTSD?? ")
    'can ketamine treat ptsd'
    """
    return " ".join(re.sub(r"[^\w\s]", " ", question.casefold()).split())


@dataclass
class Group:
    """Unanswered questions that ask the same thing."""

    count: int
    example: str
    questions: list[str]
    missing: list[str]
    nearest_section: str | None
    entry_ids: list[str] = field(default_factory=list)


def group_unanswered(entries: list[Entry], embedder: Any, passages: dict[str, Passage],
                     threshold: float = GROUP_THRESHOLD) -> list[Group]:  # fmt: skip
    """The unanswered questions grouped by meaning, the largest group first."""
    unanswered = [e for e in entries if not e.answered]
    if not unanswered:
        return []
    by_text: dict[str, list[Entry]] = {}
    for e in unanswered:
        by_text.setdefault(normalized(e.question), []).append(e)
    texts = sorted(by_text, key=lambda t: (-len(by_text[t]), t))  # most asked first, then alphabetical
    vectors = np.asarray(embedder.encode([by_text[t][0].question for t in texts]), dtype=np.float32)
    vector_of = dict(zip(texts, vectors, strict=True))
    centroids: list[np.ndarray] = []
    members: list[list[str]] = []
    lacking = {t: {w.casefold() for e in by_text[t] for w in e.missing} for t in texts}
    for text, vector in zip(texts, vectors, strict=True):
        best, best_sim = -1, threshold
        for g, centroid in enumerate(centroids):
            sim = float(centroid @ vector)
            first = lacking[members[g][0]]
            # what is missing names the subject: "quit smoking" and "gambling" are two gaps, not one
            if sim >= best_sim and (lacking[text] & first or not (lacking[text] or first)):
                best, best_sim = g, sim
        if best < 0:
            centroids.append(vector.copy())
            members.append([text])
        else:
            members[best].append(text)
            total = sum(vector_of[t] * len(by_text[t]) for t in members[best])
            centroids[best] = total / max(float(np.linalg.norm(total)), 1e-12)
    groups = []
    for texts_in in members:
        rows = [e for t in texts_in for e in by_text[t]]
        missing = Counter(w.casefold() for e in rows for w in dict.fromkeys(e.missing))
        shared = [w for w, n in missing.most_common() if 2 * n > len(rows)][:5]  # words most of its questions lack
        sections = Counter(
            passages[e.passages[0]].section or "Introduction" for e in rows if e.passages and e.passages[0] in passages
        )
        groups.append(
            Group(
                count=len(rows),
                example=by_text[texts_in[0]][0].question,
                questions=[by_text[t][0].question for t in texts_in],
                missing=shared,
                nearest_section=sections.most_common(1)[0][0] if sections else None,
                entry_ids=[e.id for e in rows],
            )
        )
    return sorted(groups, key=lambda g: (-g.count, g.example))


def build_report(entries: list[Entry], embedder: Any, passages: list[Passage], since: float | None = None,
                 threshold: float = GROUP_THRESHOLD, most: int = 10,
                 groups: list[Group] | None = None) -> dict[str, Any]:  # fmt: skip
    """Everything `article-qa report` says, as a JSON-ready dict (`groups`: the unanswered questions
    already grouped, when the caller has them)."""
    by_id = {p.passage_id: p for p in passages}
    answered = sum(e.answered for e in entries)
    if groups is None:
        groups = group_unanswered(entries, embedder, by_id, threshold)
    down = []
    for e in entries:
        if e.rating == -1:
            quoted = [by_id[p] for p in e.passages if p in by_id]
            down.append({
                "question": e.question, "asked_at": _iso(e.asked_at), "answered": e.answered,
                "passages": [{"citation": p.citation, "text": p.text} for p in quoted],
            })  # fmt: skip
    asked = Counter(normalized(e.question) for e in entries)
    example = {}
    for e in entries:
        example.setdefault(normalized(e.question), e.question)
    return {
        "since": _iso(since) if since else None,
        "questions": len(entries),
        "answered": answered,
        "answered_share": round(answered / len(entries), 4) if entries else None,
        "rated_up": sum(e.rating == 1 for e in entries),
        "rated_down": sum(e.rating == -1 for e in entries),
        "endpoints": dict(Counter(e.endpoint for e in entries).most_common()),
        "median_ms": round(float(np.median([e.took_ms for e in entries])), 1) if entries else None,
        "group_threshold": threshold,
        "unanswered_groups": [{k: v for k, v in asdict(g).items() if k != "entry_ids"} for g in groups],
        "rated_down_answers": down,
        "most_asked": [{"question": example[q], "count": n} for q, n in asked.most_common(most) if n > 1],
        "timeline": timeline(entries),
    }


def timeline(entries: list[Entry]) -> dict[str, Any]:
    """Questions and answered ones per day (UTC), or per hour or minute when the log spans less than
    three days or hours, so that a new page's first questions still make a chart."""
    if not entries:
        return {"bucket": "day", "points": []}
    span = entries[-1].asked_at - entries[0].asked_at
    bucket, fmt = ("day", "%Y-%m-%d") if span >= 3 * 86400 else ("hour", "%Y-%m-%d %H:00") if span >= 3 * 3600 else (
        "minute", "%Y-%m-%d %H:%M")  # fmt: skip
    points: dict[str, list[int]] = {}
    for e in entries:
        key = datetime.datetime.fromtimestamp(e.asked_at, datetime.UTC).strftime(fmt)
        points.setdefault(key, [0, 0])
        points[key][0] += 1
        points[key][1] += e.answered
    return {
        "bucket": bucket,
        "points": [{"at": k, "questions": q, "answered": a} for k, (q, a) in sorted(points.items())],
    }


def _iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat(timespec="seconds")


def as_text(report: dict[str, Any], shown: int = 12) -> str:
    """The report for a terminal: at most `shown` groups and rated-down answers (JSON and CSV have all)."""
    n = report["questions"]
    since = f" since {report['since']}" if report["since"] else ""
    if not n:
        return f"No questions logged{since}."
    lines = [
        f"{n} questions{since}: {report['answered']} answered ({report['answered_share']:.0%}), "
        f"{n - report['answered']} not; rated up {report['rated_up']}, down {report['rated_down']}; "
        f"median {report['median_ms']} ms",
        "asked through: " + ", ".join(f"{k} {v}" for k, v in report["endpoints"].items()),
        "",
    ]
    near = [g for g in report["unanswered_groups"] if g["nearest_section"]]
    off = [g for g in report["unanswered_groups"] if not g["nearest_section"]]
    unanswered = sum(g["count"] for g in near)
    rule = f"same meaning: cosine >= {report['group_threshold']} to the group, a missing word shared"
    lines.append(f"On the articles' subject but not answered: {unanswered} questions in {len(near)} groups ({rule})")
    for g in near[:shown]:
        extra = []
        if g["missing"]:
            extra.append("missing: " + ", ".join(g["missing"]))
        if g["nearest_section"]:
            extra.append(f"nearest: {g['nearest_section']}")
        lines.append(f"  {g['count']:>4} x {g['example']!r}" + (f"  ({'; '.join(extra)})" if extra else ""))
        for other in g["questions"][1:3]:
            lines.append(f"         also {other!r}")
    if len(near) > shown:
        lines.append(f"  ... and {len(near) - shown} more groups ({sum(g['count'] for g in near[shown:])} questions)")
    if off:
        examples = ", ".join(repr(g["example"]) for g in off[:4])
        lines.append(
            f"Off-topic (nothing near in the articles): {sum(g['count'] for g in off)} questions, e.g. {examples}"
        )
    down = report["rated_down_answers"]
    lines += ["", f"Answers rated down: {len(down)}"]
    for d in down[:shown]:
        lines.append(f"  {d['question']!r}")
        for p in d["passages"][:1]:
            lines.append(f"      quoted {p['citation']}: {' '.join(p['text'].split())[:110]}…")
    if len(down) > shown:
        lines.append(f"  ... and {len(down) - shown} more (--json or --csv for all)")
    lines += ["", "Asked most often:"]
    lines += [f"  {m['count']:>4} x {m['question']!r}" for m in report["most_asked"]] or ["  (no question asked twice)"]
    return "\n".join(lines)


def as_csv(entries: list[Entry], report: dict[str, Any], groups: list[Group] | None = None) -> str:
    """One row per question, with the group number of an unanswered one, for a spreadsheet."""
    group_of: dict[str, int] = {}
    for number, g in enumerate(groups or [], 1):
        for entry_id in g.entry_ids:
            group_of[entry_id] = number
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["asked_at", "question", "article", "answered", "confidence", "missing", "passages", "took_ms",
                     "endpoint", "rating", "unanswered_group"])  # fmt: skip
    for e in entries:
        writer.writerow([_iso(e.asked_at), e.question, e.article or "", int(e.answered), e.confidence,
                         "; ".join(e.missing), " ".join(e.passages), e.took_ms, e.endpoint,
                         "" if e.rating is None else e.rating, group_of.get(e.id, "")])  # fmt: skip
    return out.getvalue()


def chart(report: dict[str, Any], path: str | Path) -> Path:
    """Questions per day, hour or minute (answered and not, stacked) and the share answered, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = report["timeline"]["points"]
    bucket = report["timeline"]["bucket"]
    labels = [d["at"][5:10] if bucket == "day" else d["at"][11:] for d in days]
    answered = [d["answered"] for d in days]
    not_answered = [d["questions"] - d["answered"] for d in days]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    x = np.arange(len(days))
    ax.bar(x, answered, color="#4c9a2a", label="answered")
    ax.bar(x, not_answered, bottom=answered, color="#d9822b", label="not answered")
    ax.set_ylabel(f"questions per {bucket}")
    ax.set_xticks(x, labels, rotation=45 if len(days) > 10 else 0, ha="right" if len(days) > 10 else "center")
    share = ax.twinx()
    share.plot(x, [a / max(1, q["questions"]) for a, q in zip(answered, days, strict=True)], color="#1f4e79",
               marker="o", label="share answered")  # fmt: skip
    share.set_ylim(0, 1.05)
    share.set_ylabel("share answered")
    handles = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    ax.legend(handles, ["answered", "not answered", "share answered"], loc="upper left", fontsize=8, frameon=False)
    when = days[0]["at"][:10] + ("" if bucket == "day" else " (UTC)")
    ax.set_title(f"{report['questions']} questions, {report['answered_share']:.0%} answered, from {when}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
