"""`article-qa report`: counts, unanswered questions grouped by meaning, rated-down answers, most asked,
text, JSON, CSV and the chart; on a log the tests write."""

from __future__ import annotations

import csv
import io
import json
import time

import numpy as np
import pytest

from article_qa import cli
from article_qa.passages import Passage
from article_qa.questions_log import Entry, QuestionLog, entries
from article_qa.report import as_csv, as_text, build_report, chart, group_unanswered, parse_duration

from .conftest import FakeEmbedder

PASSAGES = [
    Passage("art:1", "Ketamine infusions cost money.", "art.md", "Cost", 1, 0, 30),
    Passage("art:2", "Studies of alcohol use.", "art.md", "Findings", 2, 31, 54),
]


class Axes:
    """An embedder whose vectors are given: each question's text maps to a direction."""

    def __init__(self, directions: dict[str, list[float]]):
        self.directions = directions

    def encode(self, texts: list[str]) -> np.ndarray:
        v = np.array([self.directions[t] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _log(now: float) -> list[Entry]:
    rows = [
        Entry("Can ketamine treat PTSD?", False, 0.1, ["PTSD"], ["art:2"], asked_at=now - 3 * 86400),
        Entry("can ketamine treat ptsd", False, 0.1, ["PTSD"], ["art:2"], asked_at=now - 2 * 86400),
        Entry("Is ketamine good for post-traumatic stress?", False, 0.2, ["PTSD", "stress"], ["art:2"], asked_at=now),
        Entry("Does insurance pay for it?", False, 0.1, ["insurance"], ["art:1"], asked_at=now),
        Entry("Does ketamine help alcohol use?", True, 0.95, [], ["art:2"], asked_at=now, rating=1),
        Entry("How much does it cost?", True, 0.9, [], ["art:1"], asked_at=now, rating=-1),
    ]
    return rows


EMBED = Axes({
    "Can ketamine treat PTSD?": [1, 0.1, 0], "Is ketamine good for post-traumatic stress?": [0.9, 0.2, 0.1],
    "Does insurance pay for it?": [0, 0.1, 1],
})  # fmt: skip


def test_groups_by_meaning_with_counts_missing_words_and_nearest_section():
    groups = group_unanswered(_log(time.time()), EMBED, {p.passage_id: p for p in PASSAGES}, threshold=0.8)
    assert [g.count for g in groups] == [3, 1]
    ptsd, insurance = groups
    assert (
        ptsd.example == "Can ketamine treat PTSD?" and ptsd.missing == ["ptsd"] and ptsd.nearest_section == "Findings"
    )
    assert insurance.questions == ["Does insurance pay for it?"] and insurance.nearest_section == "Cost"


def test_the_report_counts_ratings_most_asked_and_days():
    now = time.time()
    report = build_report(_log(now), EMBED, PASSAGES, threshold=0.8)
    assert report["questions"] == 6 and report["answered"] == 2 and report["rated_down"] == 1
    assert report["rated_up"] == 1 and report["most_asked"] == [{"question": "Can ketamine treat PTSD?", "count": 2}]
    down = report["rated_down_answers"][0]
    assert down["question"] == "How much does it cost?" and down["passages"][0]["citation"].startswith("Cost, ¶1")
    points = report["timeline"]["points"]
    assert report["timeline"]["bucket"] == "day" and sum(d["questions"] for d in points) == 6 and len(points) == 3
    text = as_text(report)
    assert "3 x 'Can ketamine treat PTSD?'" in text and "missing: ptsd" in text and "Answers rated down: 1" in text
    json.dumps(report)  # JSON-ready


def test_csv_has_a_row_per_question_with_its_group():
    rows = _log(time.time())
    groups = group_unanswered(rows, EMBED, {p.passage_id: p for p in PASSAGES}, threshold=0.8)
    table = list(csv.DictReader(io.StringIO(as_csv(rows, {}, groups))))
    assert len(table) == 6 and table[0]["unanswered_group"] == "1" and table[3]["unanswered_group"] == "2"
    assert table[5]["rating"] == "-1" and table[4]["unanswered_group"] == ""


def test_the_chart_is_a_png(tmp_path):
    report = build_report(_log(time.time()), EMBED, PASSAGES, threshold=0.8)
    path = chart(report, tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_report_on_the_command_line(tmp_path, monkeypatch, capsys):
    db = tmp_path / "q.sqlite"
    qlog = QuestionLog(db)
    now = time.time()
    for e in [*_log(now), Entry("ancient question", True, 0.9, asked_at=now - 200 * 86400)]:
        qlog.record(e)
    qlog.close()
    monkeypatch.setattr("article_qa.embedding.load_embedder", lambda model=None: FakeEmbedder())
    args = ["report", "--log", str(db), "--corpus", str(tmp_path / "none")]
    assert cli.main([*args, "--since", "30d", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 6
    assert cli.main([*args, "--csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 8  # a header and seven questions
    assert cli.main([*args, "--prune", "90d", "--chart", str(tmp_path / "c.png")]) == 0
    out, err = capsys.readouterr()
    assert "pruned 1 questions" in err and (tmp_path / "c.png").is_file() and "6 questions" in out
    assert len(entries(db)) == 6
    assert cli.main(["report", "--log", str(tmp_path / "missing.sqlite")]) == 2
    assert "no question log" in capsys.readouterr().err


def test_spans_are_read_as_people_write_them():
    assert parse_duration("2w").days == 14
    with pytest.raises(ValueError, match="7d"):
        parse_duration("seven days")


@pytest.mark.model
def test_the_real_model_groups_paraphrases_and_keeps_subjects_apart(real_retriever):
    """Questions written for this test (not those the threshold was chosen on): four subjects, each
    asked three ways, each naming its subject (a terse "how many will I need?" stays a group of its own)."""
    subjects = [
        ["Is ketamine safe during pregnancy?", "can pregnant women have ketamine", "ketamine while expecting a baby"],
        ["Can I drive home after a ketamine infusion?", "is driving ok after ketamine treatment",
         "ketamine and driving a car afterwards"],
        ["How many ketamine sessions are needed?", "number of ketamine treatments required",
         "how many ketamine infusions will I need"],
        ["Is ketamine therapy available in Canada?", "can I get ketamine treatment in canada",
         "ketamine clinics canada"],
    ]  # fmt: skip
    rows = [Entry(q, False, 0.1, asked_at=time.time()) for s in subjects for q in s]
    groups = group_unanswered(rows, real_retriever.embedder, {})
    together = [set(g.questions) for g in groups]
    for s in subjects:
        holding = [g for g in together if g & set(s)]
        assert len(holding) == 1 and holding[0] <= set(s), (s, together)
