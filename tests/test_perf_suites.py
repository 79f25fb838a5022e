"""Smoke runs of the benchmark suite and the load test: they run and report sane numbers.

How fast is not asserted here (that is what `make bench` and `make loadtest` print); only that the
suites work, that no request fails under concurrent users, and that every request of a flood is
either answered or refused as busy, none hanging or failing otherwise. The build benchmark reads a
tiny BEIR folder the test writes, not the shared benchmark data.
"""

import json

import pytest

from benchmarks import bench, loadtest

from .support import BEIR_DOCS, write_beir

pytestmark = pytest.mark.model


def test_quick_bench_runs_and_writes_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    squad = tmp_path / "squad.json"
    articles = [{"title": f"Topic {i}", "paragraphs": [{"context": f"Paragraph {j} about topic {i}, with a few words.",
                 "qas": []} for j in range(3)]} for i in range(3)]  # fmt: skip
    squad.write_text(json.dumps({"data": articles}))
    bench.run(quick=True, output=out, scifact=write_beir(tmp_path / "beir"), squad=squad)
    results = json.loads(out.read_text())
    warm = results["warm"]
    assert warm["retrieve_ms"]["p50"] > 0 and warm["torch_encode_ms"]["p50"] > 0
    assert warm["late_interaction_ms"]["p50"] > 0 and warm["late_interaction_ms"]["n"] == 20
    # in alternated blocks and interleaved question by question, every development question once each
    assert warm["retrieve_ms"]["n"] == warm["interleaved"]["torch_encode_ms"]["n"] == 20
    assert warm["interleaved"]["ratio_p50"] > 0
    assert results["cold"]["import_article_qa_s"] > 0 and results["app"]["app_ready_s"] > 0
    assert results["build"]["build_article"]["passages"] == 24
    assert (
        results["build"]["build_scifact_onnx"]["passages"]
        == results["build"]["build_scifact_torch"]["passages"]
        == len(BEIR_DOCS)
    )
    scifact = results["build"]["build_scifact_onnx"]  # its queries are timed too, on the default backend
    assert scifact["queries"] == 3 and scifact["query_ms_p50"] > 0 and 0.5 < scifact["ndcg_at_10"] <= 1.0
    assert "queries" not in results["build"]["build_scifact_torch"]
    assert len(results["bad_input"]) > 20
    added = results["add_article"]
    assert (added["passages_before"], added["passages_after"]) == (6, 9) and added["add_one_s"] > 0
    printed = capsys.readouterr().out
    assert "warm retrieve() ms p50/p95/p99" in printed and "of which late interaction" in printed
    assert "(alternated blocks)" in printed and "interleaved question by question" in printed
    assert "stage: encode (model) ms p50/p95/p99" in printed and "stage: answerability" in printed
    assert "long question (" in printed and "long question p50 / warm question p50" in printed
    assert "build_scifact_onnx: 3 queries, 100 hits each, ms p50/p99, nDCG@10" in printed


def test_short_load_test_has_no_errors_and_refuses_a_flood(tmp_path):
    result = loadtest.run(users=4, seconds=4, flood=160, output=tmp_path / "lt.json", endpoint="retrieve")
    assert result["load"]["requests"] > 0 and result["load"]["api"] == "gradio retrieve"
    assert result["load"]["errors"] == 0, result["load"]["error_samples"]
    flood = result["flood"]
    assert flood["other_error"] == 0 and flood["timed_out"] == 0, flood["error_samples"]
    # every request is answered or refused as busy; how many of each depends on this machine's speed.
    # That a flood past the queue limit is refused at once is asserted, without timing, in test_ui.
    assert flood["answered"] + flood["refused_busy"] == 160
    # every question served during the load was logged (the warm-up question and the flood's answers too)
    assert result["load"]["logged_rows"] >= result["load"]["requests"]


def test_short_load_on_the_json_endpoint(tmp_path):
    result = loadtest.run(users=[2, 4], seconds=3, flood=0, output=tmp_path / "lt.json", api="json")
    loads = result["load_by_users"]
    assert [x["users"] for x in loads] == [2, 4] and all(x["api"] == "json" for x in loads)
    assert all(x["requests"] > 0 and x["errors"] == 0 for x in loads), [x["error_samples"] for x in loads]
    assert result["warm_p50_ms"] > 0 and loads[-1]["efficiency"] > 0
    assert loads[-1]["logged_rows"] >= sum(x["requests"] for x in loads)  # every answer logged, endpoint "api"
