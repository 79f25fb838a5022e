"""The embedding module without loading a model: backends, ONNX eligibility, normalisation, laziness."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from article_qa.embedding import (
    EncodedQuery,
    ModelError,
    SentenceTransformerEmbedder,
    Tokens,
    normalize,
    onnx_supported,
)


def write_model(folder, pooling):
    folder.mkdir()
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({f"pooling_mode_{pooling}": True}))
    (folder / "tokenizer.json").write_text("{}")
    return folder


def test_onnx_only_for_mean_pooling_folders(tmp_path):
    assert onnx_supported(write_model(tmp_path / "mean", "mean_tokens"))
    assert not onnx_supported(write_model(tmp_path / "cls", "cls_token"))
    assert not onnx_supported(tmp_path / "missing")


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ModelError, match="backend must be one of onnx, torch"):
        SentenceTransformerEmbedder(backend="tpu")


def test_bundled_aliases_share_one_name():
    names = {SentenceTransformerEmbedder(m).name for m in (None, "bundled", "all-MiniLM-L6-v2")}
    assert names == {"sentence-transformers/all-MiniLM-L6-v2"}


def test_normalize():
    v = normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(v, [[0.6, 0.8], [0.0, 0.0]]) and v.dtype == np.float32


def test_import_loads_no_heavy_library():
    heavy = "('torch', 'transformers', 'gradio', 'sentence_transformers', 'onnxruntime', 'faiss')"
    code = f"import sys, article_qa; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


class Yielding(str):
    """A question whose hashing lets other threads run, so a thread switch lands between the cache's
    look-up and its reordering, the worst moment (as it may, rarely, with plain strings)."""

    def __hash__(self) -> int:
        time.sleep(0)
        return str.__hash__(self)


def test_query_cache_is_safe_under_concurrent_eviction(monkeypatch):
    """The chat page runs two searches at once: they evict and reuse cache entries, and none may fail
    (an unlocked OrderedDict raised KeyError here, 4-5 times a run)."""
    import threading

    embedder = SentenceTransformerEmbedder(cache_size=2)
    answer = EncodedQuery(np.ones(4, np.float32), Tokens(np.zeros(0, np.int32), np.zeros((0, 4), np.float32)))
    monkeypatch.setattr(embedder, "_run_query", lambda text: answer)
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            for i in range(2000):
                assert embedder.encode_query(Yielding(f"question {(i * 7 + n) % 5}")) is answer
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(embedder.query_cache) <= 2


def test_fingerprint_follows_the_weights_not_the_name(tmp_path):
    folder = write_model(tmp_path / "model", "mean_tokens")
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights one")
    first = SentenceTransformerEmbedder(str(folder)).fingerprint
    assert first.startswith(str(folder) + "@")
    assert SentenceTransformerEmbedder(str(folder)).fingerprint == first  # same weights, same fingerprint
    (folder / "model.safetensors").write_bytes(b"weights two")
    assert SentenceTransformerEmbedder(str(folder)).fingerprint != first


def test_the_weights_digest_is_remembered_by_path_size_and_time(tmp_path, monkeypatch):
    """Hashing the weights is remembered in the cache folder for files that have settled; a changed
    size or time hashes again, and a cache that cannot be written only costs the hashing."""
    import os

    from article_qa import embedding

    monkeypatch.setenv("ARTICLE_QA_CACHE", str(tmp_path / "cache"))
    folder = write_model(tmp_path / "model", "mean_tokens")
    weights = folder / "model.safetensors"
    weights.write_bytes(b"weights one")
    hashed = []
    real = embedding._hash_weights
    monkeypatch.setattr(embedding, "_hash_weights", lambda d: hashed.append(d) or real(d))
    fresh = embedding._weights_digest(folder)
    assert embedding._weights_digest(folder) == fresh and len(hashed) == 2  # just written: not remembered
    old = time.time_ns() - 10**10
    os.utime(weights, ns=(old, old))
    settled = embedding._weights_digest(folder)
    assert settled == fresh and embedding._weights_digest(folder) == fresh and len(hashed) == 3  # remembered
    weights.write_bytes(b"weights two")  # the same size, a new time
    os.utime(weights, ns=(old + 1, old + 1))
    assert embedding._weights_digest(folder) != fresh and len(hashed) == 4
    (tmp_path / "cache").chmod(0o500)
    try:
        monkeypatch.setenv("ARTICLE_QA_CACHE", str(tmp_path / "cache" / "no"))
        assert embedding._weights_digest(folder) == real(folder)
    finally:
        (tmp_path / "cache").chmod(0o700)


def test_content_tokens_are_those_holding_a_letter_or_digit():
    from article_qa.embedding import content_token_mask

    tokens = ["[CLS]", "<s>", "the", "##s", ",", "_", "__a", "é", "٣", "²", "\u0301", "…", "[x", "<b>c", "[]"]
    vocab = {t: i for i, t in enumerate(tokens)}
    special = {"[CLS]", "<s>", "[]"}  # bracketed whole: a special token, letters or not
    want = [any(c.isalnum() for c in t) and t not in special for t in tokens]
    assert content_token_mask(vocab).tolist() == want


def test_a_graph_the_optimiser_cannot_fuse_stays_as_it_was(tmp_path):
    """`fuse_onnx` on a graph that is not BERT-shaped (and a folder without config.json) leaves the file
    byte for byte as it was, and raises nothing."""
    import onnx
    from onnx import TensorProto, helper

    from article_qa.embedding import fuse_onnx

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])],
    )  # fmt: skip
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph), str(path))
    before = path.read_bytes()
    fuse_onnx(path, tmp_path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["relu.onnx"]
