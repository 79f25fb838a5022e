"""The benchmark code for asking as people ask and for refitting the judge, on tiny files written here
(a SQuAD-style article and a ConditionalQA-style page), with the fake embedder."""

from __future__ import annotations

import gzip
import json

from benchmarks import judge, situations

from .conftest import FakeEmbedder

TOPICS = ["coffee", "tea", "cocoa", "juice", "water", "milk", "soda", "broth"]


def squad_file(tmp_path):
    paragraphs = []
    for i, topic in enumerate(TOPICS):
        context = f"The {topic} paragraph says {topic} was first sold in {1900 + i} by a shop in town number {i}."
        qas = [
            {"id": f"{i}a", "question": f"When was {topic} first sold?", "is_impossible": False,
             "answers": [{"text": str(1900 + i), "answer_start": 0}]},
            {"id": f"{i}b", "question": f"Who banned {topic} in {2000 + i}?", "is_impossible": True, "answers": []},
        ]  # fmt: skip
        paragraphs.append({"context": context, "qas": qas})
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": [{"title": "Drinks", "paragraphs": paragraphs}]}))
    return path


def conditional_file(tmp_path):
    contents = ["<h1>Apply</h1>"] + [
        f"<p>You can claim {t} support if you live alone and care for {t}.</p>" for t in TOPICS
    ]
    questions = [
        {"url": "u", "scenario": f"I live alone with my {t} plants.", "question": f"Can I claim {t} support?",
         "not_answerable": False, "answers": [[f"{t} support", []]], "evidences": [contents[i + 1]], "id": f"q{i}"}
        for i, t in enumerate(TOPICS[:6])
    ]  # fmt: skip
    path = tmp_path / "cqa.json.gz"
    with gzip.open(path, "wt") as f:
        json.dump({"documents": [{"url": "u", "title": "Support", "contents": contents}], "questions": questions}, f)
    return path


def test_situations_asks_each_question_three_ways(tmp_path):
    result = situations.evaluate(conditional_file(tmp_path), FakeEmbedder())
    assert result["questions"] == 6
    for kind in ("situation", "question first", "bare"):
        assert len(result[kind]["rows"]) == 6 and 0 <= result[kind]["hit@1"] <= result[kind]["hit@3"] <= 1


def test_judge_data_removes_paragraphs_and_evidence(tmp_path):
    rows = judge.squad_rows(squad_file(tmp_path), FakeEmbedder())
    kinds = {r["kind"] for r in rows}
    assert kinds == {"answerable", "paragraph-removed", "squad-unanswerable"}
    removed = [r for r in rows if r["kind"] == "paragraph-removed"]
    assert len(removed) == 2 and not any(r["answerable"] for r in removed)  # paragraphs 1 and 5 of 8
    assert not any(r["kind"] == "squad-unanswerable" and r["question"].startswith("Who banned tea") for r in rows)
    cqa = judge.conditional_rows(conditional_file(tmp_path), FakeEmbedder())
    assert sorted(r["kind"] for r in cqa).count("evidence-removed") == 2 and len(cqa) == 6
    held = judge.cross_validate(rows + cqa, folds=2)
    assert len(held) == len(rows) + len(cqa) and all(0 <= p <= 1 for p in held)
    shipped = judge.Judge.load()
    bands = judge.shipped_reliability(rows + cqa, rows[:3], shipped)
    assert set(bands) == {"squad, paragraph removed", "squad, with its own unanswerable", "conditionalqa",
                          "ketamine check sets"}  # fmt: skip
    squad_only = [r for r in rows if r["kind"] != "squad-unanswerable"]
    assert sum(b["questions"] for b in bands["squad, paragraph removed"]) == len(squad_only)
    assert sum(b["questions"] for b in bands["conditionalqa"]) == len(cqa)


def scifact_folder(tmp_path):
    """Six claims over eight abstracts; claim 4 shares its gold with claim 1 and claim 6 has two."""
    folder = tmp_path / "scifact"
    (folder / "qrels").mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w") as f:
        for i, topic in enumerate(TOPICS):
            f.write(json.dumps({"_id": f"d{i}", "title": f"{topic} study", "text": f"Drinking {topic} lowers risk."}))
            f.write("\n")
    claims = {"1": "coffee lowers risk", "2": "tea lowers risk", "3": "cocoa lowers risk",
              "4": "coffee drinking lowers risk", "5": "juice lowers risk",
              "6": "water and milk lower risk"}  # fmt: skip
    gold = {"1": ["d0"], "2": ["d1"], "3": ["d2"], "4": ["d0"], "5": ["d3"], "6": ["d4", "d5"]}
    (folder / "queries.jsonl").write_text("".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in claims.items()))
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t1" for q, ds in gold.items() for d in ds]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return folder


def test_judge_scifact_check_removes_every_second_claims_abstracts(tmp_path):
    rows = judge.scifact_rows(scifact_folder(tmp_path), FakeEmbedder())
    # claims 2, 4 and 6 lose their gold (d1, d0, d4 and d5); claim 1 loses d0 too, as claim 4's gold
    kinds = {r["question"]: r["kind"] for r in rows}
    assert kinds == {"tea lowers risk": "abstract-removed", "coffee drinking lowers risk": "abstract-removed",
                     "water and milk lower risk": "abstract-removed", "coffee lowers risk": "abstract-removed",
                     "cocoa lowers risk": "answerable", "juice lowers risk": "answerable"}  # fmt: skip
    assert all(r["source"] == "scifact" and r["first"] <= r["answerable"] for r in rows)
    bands = judge.shipped_reliability(rows, rows[:1], judge.Judge.load(), rows)
    assert sum(b["questions"] for b in bands["scifact, abstracts removed"]) == len(rows)
