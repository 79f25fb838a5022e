"""Vector search over passages with FAISS, and the index directory on disk.

`VectorIndex` takes vectors, not texts: it is tested with random arrays and no model. `PassageIndex`
ties a `VectorIndex` to its passages, the sentence vectors used for highlighting and the passages'
token vectors used for late interaction, and saves them as a directory:

    manifest.json     format version, model and its fingerprint, dimension, index settings, corpus
                      hashes, counts, versions
    passages.jsonl    one `Passage` per line, in vector order
    passages.faiss    the FAISS index of the passage vectors
    sentences.npy     one unit vector per sentence, in passage order (float32, no pickle); empty
                      when the index has no sentence vectors
    tokens.npz        the passages' content-token ids, unit vectors (float16) and counts per passage
                      (numpy arrays, no pickle); absent when token scoring is off

Writing goes to a temporary directory that replaces the old one only when it is complete; such
directories left by a killed writer are swept once they are an hour old. Loading
checks every file against the manifest and raises `IndexFormatError` naming the file and the fix.
Whether an index is stale for a given corpus and settings is decided by the caller, who compares
manifests (`stale_reasons`). Nothing here embeds or ranks.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .passages import Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
VECTORS = "passages.faiss"
SENTENCES = "sentences.npy"
TOKENS = "tokens.npz"
# Manifest keys that must match for an index to be used as it is.
FINGERPRINT_KEYS = ("format_version", "model", "model_fingerprint", "settings", "corpus")
# Up to this many vectors search is exact (about 6 ms at 50k on 2 cores, below a question's model time);
# above it, HNSW (M=32, efSearch 64: recall@10 0.965 at 0.5 ms on 100k clustered vectors). See the README.
HNSW_THRESHOLD = 50_000
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 64


class IndexFormatError(RuntimeError):
    """An index directory that cannot be used as it is; the message names the file and the fix."""


def _faiss():
    import faiss

    faiss.omp_set_num_threads(1)  # torch has the cores; parallel FAISS on tiny searches only costs
    return faiss


class VectorIndex:
    """Inner-product search over unit-length vectors (cosine similarity)."""

    def __init__(self, faiss_index: Any):
        self._index = faiss_index

    @classmethod
    def fit(cls, vectors: np.ndarray, *, hnsw_threshold: int = HNSW_THRESHOLD) -> VectorIndex:
        """An index over `vectors` (n, dim): exact while n <= hnsw_threshold, HNSW above."""
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] == 0:
            raise ValueError(f"vectors must be a 2-D array (n, dim); got shape {vectors.shape}")
        dim = vectors.shape[1]
        if len(vectors) > hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index)

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self._index).__name__ else "flat"

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row ids (each (nq, k')), best first, with k' = min(k, len(self))."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if queries.shape[1] != self.dim:
            raise ValueError(f"query dimension {queries.shape[1]} does not match the index ({self.dim})")
        k = min(k, len(self))
        if k < 1:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self._index.search(queries, k)

    def reconstruct_all(self) -> np.ndarray:
        """The stored vectors, (n, dim)."""
        return self._index.reconstruct_n(0, len(self))

    def save(self, path: str | Path) -> None:
        _faiss().write_index(self._index, str(path))

    @classmethod
    def load(cls, path: str | Path) -> VectorIndex:
        faiss = _faiss()
        try:
            return cls(faiss.read_index(str(path)))
        except Exception as exc:  # noqa: BLE001 - reported to the user as one clear message
            raise IndexFormatError(
                f"{path} is not a readable FAISS index ({str(exc).splitlines()[0][:120]}); "
                "rebuild it with `article-qa build`"
            ) from None


@dataclass
class TokenMatrix:
    """The content tokens of every passage, concatenated in passage order: word-piece ids, unit vectors
    (stored as float16) and how many rows belong to each passage."""

    ids: np.ndarray  # (T,) int32
    vectors: np.ndarray  # (T, dim) float16
    counts: np.ndarray  # (n_passages,) int64

    def __post_init__(self) -> None:
        self.ids = np.ascontiguousarray(self.ids, dtype=np.int32)
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float16)
        self.counts = np.ascontiguousarray(self.counts, dtype=np.int64)
        if self.vectors.ndim != 2 or len(self.ids) != len(self.vectors) or int(self.counts.sum()) != len(self.ids):
            raise IndexFormatError(
                f"token arrays do not hold together: {len(self.ids)} ids, vectors of shape {self.vectors.shape}, "
                f"counts summing to {int(self.counts.sum())}; rebuild the index"
            )
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)])  # row range of each passage

    @classmethod
    def concat(cls, ids: list[np.ndarray], vectors: list[np.ndarray], dim: int) -> TokenMatrix:
        """One matrix from per-passage token ids and vectors, in passage order."""
        return cls(
            np.concatenate([np.zeros(0, np.int32), *ids]),
            np.concatenate([np.zeros((0, dim), np.float16), *(np.asarray(v, np.float16) for v in vectors)]),
            np.array([len(i) for i in ids], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def passage(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The token ids and vectors of passage `i`."""
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.ids[a:b], self.vectors[a:b]


@dataclass
class PassageIndex:
    """Passages, their vectors, the per-sentence vectors used for highlighting, and (optionally) the
    passages' token vectors used for late interaction."""

    passages: list[Passage]
    vectors: VectorIndex
    sentence_vectors: np.ndarray
    manifest: dict[str, Any] = field(default_factory=dict)
    tokens: TokenMatrix | None = None

    def __post_init__(self) -> None:
        if len(self.passages) != len(self.vectors):
            raise IndexFormatError(f"{len(self.passages)} passages but {len(self.vectors)} vectors; rebuild the index")
        n_sent = sum(len(p.sentences) for p in self.passages)
        # No sentence vectors at all (0 rows) is allowed: sentence scoring is then off.
        if self.sentence_vectors.shape not in ((n_sent, self.vectors.dim), (0, self.vectors.dim)):
            raise IndexFormatError(
                f"{n_sent} sentences of dim {self.vectors.dim} but sentence vectors of shape "
                f"{self.sentence_vectors.shape}; rebuild the index"
            )
        if self.tokens is not None and (
            len(self.tokens.counts) != len(self.passages) or self.tokens.vectors.shape[1] != self.vectors.dim
        ):
            raise IndexFormatError(
                f"token vectors for {len(self.tokens.counts)} passages of dim {self.tokens.vectors.shape[1]}, "
                f"but {len(self.passages)} passages of dim {self.vectors.dim}; rebuild the index"
            )
        # Row range of each passage's sentences in sentence_vectors (derived, never stored).
        counts = np.array([len(p.sentences) for p in self.passages], dtype=np.int64)
        self.sentence_offsets = np.concatenate([[0], np.cumsum(counts)])

    def save(self, directory: str | Path) -> None:
        """Write the index to `directory`, replacing what is there only once all files are written."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        _sweep_leftovers(directory)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
        try:
            with open(tmp / PASSAGES, "w", encoding="utf-8") as f:
                for p in self.passages:
                    f.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
            self.vectors.save(tmp / VECTORS)
            np.save(tmp / SENTENCES, self.sentence_vectors.astype(np.float32), allow_pickle=False)
            if self.tokens is not None:
                with open(tmp / TOKENS, "wb") as f:
                    np.savez(f, ids=self.tokens.ids, vectors=self.tokens.vectors, counts=self.tokens.counts)
            # The manifest goes last: a directory without one is never taken for an index.
            with open(tmp / MANIFEST, "w", encoding="utf-8") as f:
                json.dump(self.manifest, f, indent=2, ensure_ascii=False, sort_keys=True)
                f.write("\n")
            for name in os.listdir(tmp):
                with open(tmp / name, "rb") as f:
                    os.fsync(f.fileno())
            os.chmod(tmp, 0o755)
            _replace_dir(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: str | Path) -> PassageIndex:
        """Read and check an index directory; `IndexFormatError` says what is wrong and how to fix it."""
        directory = Path(directory)
        _recover(directory)
        manifest = read_manifest(directory)
        dim = manifest.get("dim")
        try:
            passages = [_passage(json.loads(line)) for line in (directory / PASSAGES).read_text("utf-8").splitlines()]
        except FileNotFoundError:
            raise IndexFormatError(f"{directory / PASSAGES} is missing; rebuild with `article-qa build`") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexFormatError(
                f"{directory / PASSAGES} is damaged ({exc}); rebuild with `article-qa build`"
            ) from None
        if not (directory / VECTORS).is_file():
            raise IndexFormatError(f"{directory / VECTORS} is missing; rebuild with `article-qa build`")
        vectors = VectorIndex.load(directory / VECTORS)
        try:
            sentence_vectors = np.load(directory / SENTENCES, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexFormatError(
                f"{directory / SENTENCES} is missing or damaged ({exc}); rebuild with `article-qa build`"
            ) from None
        tokens = None
        if manifest.get("tokens"):
            try:
                with np.load(directory / TOKENS, allow_pickle=False) as npz:
                    tokens = TokenMatrix(npz["ids"], npz["vectors"], npz["counts"])
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                raise IndexFormatError(
                    f"{directory / TOKENS} is missing or damaged ({exc}); rebuild with `article-qa build`"
                ) from None
            if len(tokens) != manifest["tokens"]:
                raise IndexFormatError(
                    f"{directory / TOKENS} holds {len(tokens)} tokens, the manifest says {manifest['tokens']}; "
                    "rebuild with `article-qa build`"
                )
        if vectors.dim != dim or manifest.get("passages") != len(passages) or len(vectors) != len(passages):
            raise IndexFormatError(
                f"{directory} does not hold together: manifest says {manifest.get('passages')} passages "
                f"of dim {dim}, {PASSAGES} has {len(passages)}, {VECTORS} has {len(vectors)} of dim "
                f"{vectors.dim}; rebuild with `article-qa build`"
            )
        return cls(passages, vectors, sentence_vectors, manifest, tokens)


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The manifest of an index directory, checked for a known format version."""
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise IndexFormatError(f"{path} is missing; build the index with `article-qa build`") from None
    except OSError as exc:
        raise IndexFormatError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexFormatError(f"{path} is not valid JSON ({exc}); rebuild with `article-qa build`") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise IndexFormatError(
            f"{path} has format version {version!r}, this version reads {FORMAT_VERSION}; "
            "rebuild with `article-qa build`"
        )
    return manifest


def stale_reasons(saved: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Why an index built with manifest `saved` does not serve `expected`; empty when it does.

    >>> stale_reasons({"model": "a", "corpus": {}}, {"model": "b", "corpus": {}})
    ["model changed: 'a' -> 'b'"]
    """
    reasons = []
    for key in FINGERPRINT_KEYS:
        old, new = saved.get(key), expected.get(key)
        if old == new:
            continue
        if key == "corpus" and isinstance(old, dict) and isinstance(new, dict):
            reasons += [f"corpus file added: {n}" for n in sorted(new.keys() - old.keys())]
            reasons += [f"corpus file removed: {n}" for n in sorted(old.keys() - new.keys())]
            reasons += [f"corpus file changed: {n}" for n in sorted(old.keys() & new.keys()) if old[n] != new[n]]
        elif key == "settings" and isinstance(old, dict) and isinstance(new, dict):
            reasons += [
                f"setting {s} changed: {old.get(s)!r} -> {new.get(s)!r}"
                for s in sorted(old.keys() | new.keys())
                if old.get(s) != new.get(s)
            ]
        else:
            reasons.append(f"{key} changed: {old!r} -> {new!r}")
    return reasons


def _passage(record: dict[str, Any]) -> Passage:
    record["sentences"] = tuple(tuple(s) for s in record.get("sentences", ()))
    return Passage(**record)


def _replace_dir(new: Path, target: Path) -> None:
    """Put directory `new` where `target` is; the old one is kept aside until the swap is done."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


LEFTOVER_AGE_S = 3600  # a temporary folder this old belongs to a writer that was killed


def _sweep_leftovers(target: Path) -> None:
    """Remove temporary folders that killed writers left beside `target` (an hour old or more; a
    younger one may belong to a build running now)."""
    now = time.time()
    for path in target.parent.glob(f".{target.name}.tmp-*"):
        try:
            if path.is_dir() and now - path.stat().st_mtime >= LEFTOVER_AGE_S:
                shutil.rmtree(path)
                log.info("removed %s, left by an interrupted build", path)
        except OSError:
            pass  # another process removed it, or it cannot be removed: harmless either way


def _recover(target: Path) -> None:
    """Bring back the previous index if a swap was cut off between its two renames."""
    old = target.with_name(f".{target.name}.old")
    if not target.exists() and (old / MANIFEST).is_file():
        log.warning("%s was missing; restoring the previous index from %s", target, old)
        os.rename(old, target)
