"""VectorIndex on random arrays; PassageIndex save/load, atomic replace and damage detection."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from article_qa.embedding import normalize
from article_qa.index import IndexFormatError, PassageIndex, TokenMatrix, VectorIndex, stale_reasons
from article_qa.passages import Passage


def random_unit(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    return normalize(np.random.default_rng(seed).standard_normal((n, dim)))


def make_tokens(n: int, dim: int = 16) -> TokenMatrix:
    counts = [3 + i % 4 for i in range(n)]
    ids = [np.arange(c, dtype=np.int32) + 100 * i for i, c in enumerate(counts)]
    return TokenMatrix.concat(ids, [random_unit(c, dim, 10 + i) for i, c in enumerate(counts)], dim)


def make_index(n: int = 5, dim: int = 16, tokens: bool = True) -> PassageIndex:
    passages = [
        Passage(f"doc:{i + 1}", f"Sentence {i}. More {i}.", "doc.txt", None, i + 1, 0, 1, sentences=((0, 1), (1, 2)))
        for i in range(n)
    ]
    matrix = make_tokens(n, dim) if tokens else None
    return PassageIndex(
        passages,
        VectorIndex.fit(random_unit(n, dim)),
        random_unit(2 * n, dim, 1),
        {"format_version": 1, "dim": dim, "passages": n, "tokens": len(matrix) if matrix else 0},
        matrix,
    )


def test_each_vector_finds_itself():
    v = random_unit(50)
    index = VectorIndex.fit(v)
    scores, ids = index.search(v, 3)
    assert ids[:, 0].tolist() == list(range(50))
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first


def test_k_larger_than_index_and_wrong_dim():
    index = VectorIndex.fit(random_unit(3))
    _scores, ids = index.search(random_unit(1), 10)
    assert ids.shape == (1, 3)
    with pytest.raises(ValueError, match="dimension"):
        index.search(np.ones((1, 5), np.float32), 1)
    with pytest.raises(ValueError, match="2-D"):
        VectorIndex.fit(np.ones(4, np.float32))


def test_hnsw_above_threshold_recalls_exact_neighbours():
    v = random_unit(2000, 32)
    approx = VectorIndex.fit(v, hnsw_threshold=1000)
    exact = VectorIndex.fit(v)
    assert approx.kind == "hnsw" and exact.kind == "flat"
    q = random_unit(20, 32, 7)
    _, a = approx.search(q, 10)
    _, e = exact.search(q, 10)
    recall = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a, e, strict=True)])
    assert recall >= 0.9


def test_save_load_round_trip(tmp_path: Path):
    index = make_index()
    index.save(tmp_path / "idx")
    loaded = PassageIndex.load(tmp_path / "idx")
    assert loaded.passages == index.passages
    q = random_unit(4, 16, 3)
    assert np.array_equal(loaded.vectors.search(q, 3)[1], index.vectors.search(q, 3)[1])
    assert np.array_equal(loaded.sentence_vectors, index.sentence_vectors)
    assert np.array_equal(loaded.tokens.ids, index.tokens.ids) and np.array_equal(loaded.tokens.counts, [3, 4, 5, 6, 3])
    assert loaded.tokens.vectors.dtype == np.float16 and np.array_equal(loaded.tokens.vectors, index.tokens.vectors)
    assert loaded.tokens.offsets.tolist() == [0, 3, 7, 12, 18, 21]
    assert json.loads((tmp_path / "idx" / "manifest.json").read_text())["passages"] == 5
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary leftovers


def test_an_index_without_token_vectors_has_no_tokens_file(tmp_path: Path):
    make_index(tokens=False).save(tmp_path / "idx")
    assert not (tmp_path / "idx" / "tokens.npz").exists()
    assert PassageIndex.load(tmp_path / "idx").tokens is None


def test_token_arrays_must_hold_together():
    with pytest.raises(IndexFormatError, match="do not hold together"):
        TokenMatrix(np.arange(4), random_unit(4), np.array([2, 1]))
    with pytest.raises(IndexFormatError, match="token vectors for 3 passages"):
        PassageIndex(make_index().passages, make_index().vectors, make_index().sentence_vectors, {}, make_tokens(3))


def test_failed_save_keeps_the_old_index(tmp_path: Path, monkeypatch):
    make_index(3).save(tmp_path / "idx")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(VectorIndex, "save", boom)
    with pytest.raises(OSError):
        make_index(4).save(tmp_path / "idx")
    assert len(PassageIndex.load(tmp_path / "idx").passages) == 3
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_leftovers_of_killed_writers_are_swept_but_not_fresh_ones(tmp_path: Path):
    old, fresh = tmp_path / ".idx.tmp-old", tmp_path / ".idx.tmp-fresh"
    for d in (old, fresh):
        d.mkdir()
        (d / "passages.jsonl").write_text("half written")
    os.utime(old, (0, 0))  # as if from a build killed long ago
    make_index().save(tmp_path / "idx")
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a build running now
    assert len(PassageIndex.load(tmp_path / "idx").passages) == 5


def test_swap_cut_between_renames_is_recovered(tmp_path: Path):
    make_index(3).save(tmp_path / "idx")
    os.rename(tmp_path / "idx", tmp_path / ".idx.old")  # as if killed after the first rename
    assert len(PassageIndex.load(tmp_path / "idx").passages) == 3


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "not valid JSON"),
        (lambda d: (d / "manifest.json").write_text('{"format_version": 99}'), "format version 99"),
        (lambda d: (d / "passages.faiss").write_bytes(b"garbage"), "not a readable FAISS index"),
        (lambda d: (d / "passages.faiss").write_bytes((d / "passages.faiss").read_bytes()[:100]), "FAISS"),
        (lambda d: (d / "passages.faiss").unlink(), "passages.faiss is missing"),
        (lambda d: (d / "passages.jsonl").write_text("{}\n"), "passages.jsonl is damaged"),
        (
            lambda d: (d / "passages.jsonl").write_text((d / "passages.jsonl").read_text().split("\n", 1)[1]),
            "does not hold together",
        ),
        (lambda d: (d / "sentences.npy").write_bytes(b"x"), "sentences.npy"),
        (lambda d: (d / "tokens.npz").write_bytes(b"PK\x03\x04 not a zip"), "tokens.npz is missing or damaged"),
        (lambda d: (d / "tokens.npz").unlink(), "tokens.npz is missing or damaged"),
        (
            lambda d: (d / "manifest.json").write_text(
                (d / "manifest.json").read_text().replace('"tokens": 21', '"tokens": 20')
            ),
            "holds 21 tokens, the manifest says 20",
        ),
    ],
)
def test_damaged_index_is_refused_with_the_file_named(tmp_path: Path, damage, message):
    make_index().save(tmp_path / "idx")
    damage(tmp_path / "idx")
    with pytest.raises(IndexFormatError, match=message):
        PassageIndex.load(tmp_path / "idx")


def test_stale_reasons():
    saved = {"format_version": 1, "model": "m", "settings": {"a": 1}, "corpus": {"x.txt": "1", "y.txt": "2"}}
    assert stale_reasons(saved, dict(saved)) == []
    new = {"format_version": 1, "model": "n", "settings": {"a": 2}, "corpus": {"x.txt": "9", "z.txt": "3"}}
    assert stale_reasons(saved, new) == [
        "model changed: 'm' -> 'n'",
        "setting a changed: 1 -> 2",
        "corpus file added: z.txt",
        "corpus file removed: y.txt",
        "corpus file changed: x.txt",
    ]
