"""Golden outputs: the ranking gives exactly what it gave when these files were recorded.

- `golden/fake-dev-scores.json`: every passage's fused score for every development question on the
  fake embedder (to 1e-6), and the top three hits with their marked sentences;
- `golden/real-top3.json`: the top three passage ids, scores and marked sentences of every question of
  the four question sets on the real model (tier 2).

A change that means to move rankings records them again, on purpose, in the same commit:
``python -m tests.test_golden --write`` (add ``--real`` for the real-model file).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from article_qa import Retriever
from article_qa.evaluation import load_questions
from article_qa.ranking import rank
from article_qa.retrieval import clean_question

from .conftest import CORPUS, INDEX, ROOT, FakeEmbedder

GOLDEN = Path(__file__).resolve().parent / "golden"
SETS = ("dev", "heldout", "readers-a", "readers-b")


def fake_outputs(retriever: Retriever) -> dict[str, dict]:
    state = retriever._ready()
    out = {}
    for q in load_questions(ROOT / "eval" / "dev.jsonl"):
        query = state.query_text(clean_question(q.question), spelling=retriever.ranking.spelling)
        scores = rank(state, query, retriever.embedder.encode_query(query), retriever.ranking).scores
        hits = retriever.search(q.question, 3, min_score=None)
        out[q.id] = {
            "scores": [float(s) for s in scores],
            "top3": [[h.passage_id, h.highlight_start, h.highlight_end] for h in hits],
        }
    return out


def real_outputs(retriever: Retriever) -> dict[str, list]:
    out = {}
    for name in SETS:
        for q in load_questions(ROOT / "eval" / f"{name}.jsonl"):
            hits = retriever.search(q.question, 3, min_score=None)
            out[f"{name}/{q.id}"] = [[h.passage_id, h.score, h.highlight_start, h.highlight_end] for h in hits]
    return out


def test_fake_embedder_scores_and_highlights_are_unchanged(corpus_copy, tmp_path):
    golden = json.loads((GOLDEN / "fake-dev-scores.json").read_text("utf-8"))
    now = fake_outputs(Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder()))
    assert now.keys() == golden.keys()
    for qid, want in golden.items():
        np.testing.assert_allclose(now[qid]["scores"], want["scores"], atol=1e-6, err_msg=qid)
        assert now[qid]["top3"] == want["top3"], qid


@pytest.mark.model
def test_real_model_top3_is_unchanged(real_retriever):
    golden = json.loads((GOLDEN / "real-top3.json").read_text("utf-8"))
    now = real_outputs(real_retriever)
    assert now.keys() == golden.keys()
    moved = [k for k in golden if [h[0] for h in now[k]] != [h[0] for h in golden[k]]]
    assert moved == [], f"{len(moved)} questions' top 3 changed: {moved[:5]}"
    for k, want in golden.items():
        for (_, score, *marked), (_, golden_score, *golden_marked) in zip(now[k], want, strict=True):
            assert score == pytest.approx(golden_score, abs=2e-4), k
            assert marked == golden_marked, k


def _dump(data: dict) -> str:
    return "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()) + "\n}\n"


if __name__ == "__main__":  # pragma: no cover - records the files anew
    if "--write" not in sys.argv:
        sys.exit("python -m tests.test_golden --write [--real]: records the golden files anew")
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(CORPUS, Path(d) / "corpus")
        fake = Retriever(Path(d) / "corpus", Path(d) / "index", embedder=FakeEmbedder())
        (GOLDEN / "fake-dev-scores.json").write_text(_dump(fake_outputs(fake)), "utf-8")
    if "--real" in sys.argv:
        (GOLDEN / "real-top3.json").write_text(_dump(real_outputs(Retriever(CORPUS, INDEX, save=False))), "utf-8")
    print(f"wrote {GOLDEN}")
