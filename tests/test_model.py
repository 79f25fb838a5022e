"""Tier 2: the bundled all-MiniLM-L6-v2 on the shipped article and index (loads torch)."""

from pathlib import Path

import pytest

from article_qa.evaluation import evaluate, load_questions

from .conftest import ROOT

pytestmark = pytest.mark.model

# Reached on eval/dev.jsonl with the default settings (see README); a small margin below.
DEV_FLOOR = {"hit@1": 0.84, "hit@3": 0.94, "mrr": 0.89, "highlight@1": 0.80}


def test_control_group_question_cites_the_cocaine_study_first(real_retriever):
    hits = real_retriever.search("Which drug did the control group get in the cocaine study?")
    assert hits, "the article answers this"
    assert "a single IV ketamine or midazolam session" in hits[0].text
    assert hits[0].citation == "Findings From Key Research, ¶10 (ketamine-for-addiction.txt)"


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I bake sourdough bread?", "Who won the 2018 World Cup?"],
)
def test_off_topic_questions_get_an_empty_list(real_retriever, question):
    assert real_retriever.search(question) == []


@pytest.mark.parametrize(
    "question, phrase, within",
    [
        ("Does ketamine help with cocaine addiction?", "cocaine use dysfunction signifies ketamine may profit", 3),
        ("What are the side effects of ketamine infusions?", "There are dangers and negative effects", 1),
        ("Is ketamine approved by the FDA for depression?", "was given FDA approval for despair therapy", 3),
        ("Can people get addicted to ketamine itself?", "has abuse potential", 1),
        ("What percent of the ketamine group stayed abstinent at 14 days?", "48 p.c of individuals", 1),
        ("how long did benefits last with the higher heroin dose", "lasted till no less than 24 weeks", 1),
    ],
)
def test_questions_in_plain_words_find_the_answer(real_retriever, question, phrase, within):
    hits = real_retriever.search(question, k=within)
    assert any(phrase in h.text for h in hits), [h.citation for h in hits]


def test_numeric_question_highlights_the_sentence_with_the_number(real_retriever):
    hit = real_retriever.search("What percent of the ketamine group stayed abstinent at 14 days?", k=1)[0]
    assert "48 p.c" in hit.highlight
    assert hit.start <= hit.highlight_start < hit.highlight_end <= hit.end


def test_dev_set_scores_do_not_slide_back(real_retriever):
    m = evaluate(real_retriever, load_questions(ROOT / "eval" / "dev.jsonl"))
    for key, floor in DEV_FLOOR.items():
        assert m[key] >= floor, f"{key} fell to {m[key]} (floor {floor})"
    assert m["abstain_offtopic"] == 1.0
    assert m["empty_answerable"] <= 0.02  # answerable questions turned away


def test_onnx_questions_match_torch_and_rank_the_same(real_retriever):
    from article_qa.embedding import load_embedder

    questions = [q.question for q in load_questions(ROOT / "eval" / "dev.jsonl")]
    onnx, torch = load_embedder(backend="onnx"), load_embedder(backend="torch")
    for q in questions[:40]:
        a, b = onnx.encode_query(q), torch.encode_query(q)
        assert float(a.vector @ b.vector) > 0.99999, q
        ta, tb = a.tokens, b.tokens
        assert ta.ids.tolist() == tb.ids.tolist() and len(ta.ids) > 0, q
        assert float((ta.vectors * tb.vectors).sum(1).min()) > 0.9999, q
    assert onnx.backend == "onnx"
    # the model's threads wait busy between its operators; the products' sessions sleep when idle
    from article_qa.ranking import _gemm_session

    def spins(session) -> str:
        return session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning")

    assert spins(onnx._onnx_encoder().session) == "1"
    assert spins(_gemm_session(False)) == spins(_gemm_session(True)) == "0"
    tokens = torch.encode_with_tokens(["Ketamine (IV) cut craving, 48 p.c. abstinent!"])[1][0]
    vocab = {i: t for t, i in torch._load().tokenizer.get_vocab().items()}
    words = [vocab[int(i)] for i in tokens.ids]
    assert words[:5] == ["ke", "##tam", "##ine", "iv", "cut"] and "48" in words and "[CLS]" not in words
    assert all(any(c.isalnum() for c in w) for w in words)  # punctuation and special tokens left out
    from article_qa import Retriever

    on_torch = Retriever(real_retriever.corpus_dir, real_retriever.index_dir, embedder=torch, save=False)
    for q in questions:
        top = [h.passage_id for h in real_retriever.search(q, 3, min_score=None)]
        assert top == [h.passage_id for h in on_torch.search(q, 3, min_score=None)], q


@pytest.mark.parametrize(
    "question, missing",
    [
        ("Can ketamine treat PTSD?", "PTSD"),
        ("How much does ketamine therapy for addiction cost?", "cost"),
        ("Is ketamine safe during pregnancy?", "pregnancy"),
    ],
)
def test_absent_questions_are_not_answered_and_say_what_is_missing(real_retriever, question, missing):
    answer = real_retriever.ask(question)
    assert not answer.answered and answer.hits, "related passages are still offered"
    assert missing in answer.missing
    assert real_retriever.search(question) == []


def test_answerable_question_is_answered_with_confidence(real_retriever):
    answer = real_retriever.ask("Which drug did the control group get in the cocaine study?")
    assert answer.answered and answer.confidence >= real_retriever.judge.threshold and not answer.missing
    assert answer.hits[0].citation == "Findings From Key Research, ¶10 (ketamine-for-addiction.txt)"


def test_abstention_does_not_slide_back(real_retriever):
    """On the development questions the judge was fitted on, and on the check set it never saw."""
    dev = evaluate(real_retriever, load_questions(ROOT / "eval" / "dev.jsonl"))
    assert dev["empty_answerable"] <= 0.02 and dev["abstain_offtopic"] == 1.0 and dev["abstain_absent"] >= 0.6
    check = evaluate(real_retriever, load_questions(ROOT / "eval" / "check.jsonl"))
    assert check["empty_answerable"] <= 0.02 and check["abstain_offtopic"] == 1.0 and check["abstain_absent"] >= 0.7


def test_builds_on_onnx_match_torch():
    """Passages embedded in batches through ONNX Runtime equal torch's (vectors and token vectors)."""
    from article_qa.embedding import load_embedder
    from article_qa.passages import read_document, split_document

    from .conftest import ARTICLE

    texts = [p.text for p in split_document(read_document(ARTICLE))]
    onnx, torch = load_embedder(backend="onnx"), load_embedder(backend="torch")
    (vo, to), (vt, tt) = onnx.encode_with_tokens(texts), torch.encode_with_tokens(texts)
    assert onnx.backend == "onnx" and float(abs(vo - vt).max()) < 1e-5
    assert float(abs(onnx.encode(texts) - vt).max()) < 1e-5
    for a, b in zip(to, tt, strict=True):
        assert a.ids.tolist() == b.ids.tolist()
        assert float((a.vectors * b.vectors).sum(1).min()) > 0.9999


def test_the_exported_graph_is_fused_and_reads_like_the_plain_one(tmp_path):
    """`export_onnx` fuses attention, layer norms and GELU; the fused graph's hidden states equal a plain
    export's (the same weights through `torch.onnx.export` alone) to 1e-5."""
    import numpy as np
    import onnx
    import onnxruntime as ort

    from article_qa import embedding

    model_dir = Path(embedding.bundled_model_path())
    fused = embedding.export_onnx(model_dir, tmp_path / "fused.onnx")
    ops = {n.op_type for n in onnx.load(str(fused)).graph.node}
    assert {"Attention", "SkipLayerNormalization"} <= ops
    real = embedding.fuse_onnx
    try:
        embedding.fuse_onnx = lambda path, model_dir: None  # the same export, unfused
        plain = embedding.export_onnx(model_dir, tmp_path / "plain.onnx")
    finally:
        embedding.fuse_onnx = real
    assert "Attention" not in {n.op_type for n in onnx.load(str(plain)).graph.node}
    ids = np.array([[101, 2054, 2003, 28537, 2005, 1029, 102]], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    run = [ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run for p in (fused, plain)]
    a, b = (r(None, feeds)[0] for r in run)
    assert float(abs(a - b).max()) < 1e-5
