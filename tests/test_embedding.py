"""The embedding module without loading a model: backends, ONNX eligibility, normalisation, laziness."""

import json
import subprocess
import sys

import numpy as np
import pytest

from article_qa.embedding import ModelError, SentenceTransformerEmbedder, encode_in_chunks, normalize, onnx_supported


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


def test_chunked_encoding_resumes_from_its_cache(tmp_path):
    from .conftest import FakeEmbedder

    texts = [f"text number {i}" for i in range(50)]
    first = FakeEmbedder()
    a = encode_in_chunks(first, texts, chunk=8, cache=tmp_path)
    assert first.calls == 7 and a.shape == (50, 64)
    # as if the build had stopped after three chunks: drop the rest of the cache
    files = sorted(tmp_path.rglob("*.npy"), key=lambda p: p.stat().st_mtime)
    for f in files[3:]:
        f.unlink()
    again = FakeEmbedder()
    b = encode_in_chunks(again, texts, chunk=8, cache=tmp_path)
    assert again.calls == 4 and np.array_equal(a, b)
