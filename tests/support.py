"""Helpers the tests and the benchmarks share: odd inputs, a free port, `python app.py` running.

Not part of the package: it lives beside the tests, and `benchmarks/` imports it from here.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
# Odd and hostile input, as readers and programs send it: (label, question, k).
BAD_INPUTS: list[tuple[str, Any, Any]] = [
    ("empty string", "", 3),
    ("whitespace", " \t\n ", 3),
    ("None", None, 3),
    ("int", 12, 3),
    ("list", ["ketamine"], 3),
    ("bytes", b"ketamine", 3),
    ("1 MB question", "ketamine craving " * (MB // 17), 3),
    ("control chars and NUL", "keta\x00mine\x07 \x1b[31mcraving", 3),
    ("only NUL bytes", "\x00\x00", 3),
    ("invalid surrogates", "ketamine \ud800\udfff\udc00 craving", 3),
    ("emoji", "💊 ketamine 🍸 alcohol?", 3),
    ("Spanish", "¿La ketamina ayuda con la adicción al alcohol?", 3),
    ("Chinese", "氯胺酮能治疗成瘾吗？", 3),
    ("Arabic", "هل يمكن استخدام الكيتامين لعلاج الإدمان؟", 3),
    ("punctuation only", "?!?...;;", 3),
    ("HTML and script", "<script>alert(1)</script><img src=x onerror=alert(1)>", 3),
    ("Markdown and link", "**bold** [click](javascript:alert(1)) `code` # heading", 3),
    ("k = 0", "ketamine", 0),
    ("k negative", "ketamine", -1),
    ("k huge", "ketamine", 10**9),
    ("k float", "ketamine", 2.5),
    ("k string", "ketamine", "3"),
    ("k None", "ketamine", None),
]


def app_env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 180.0, env: dict[str, str] | None = None) -> Iterator[tuple[str, float]]:
    """`python app.py` on a free loopback port (with `env` added to its environment): yields its URL
    and the seconds it took to answer HTTP 200, and stops it afterwards."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=ROOT,
        env={**app_env(), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > timeout:
                    raise RuntimeError("app.py did not start") from None
                time.sleep(0.1)
        yield url, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


BEIR_DOCS = {
    "d1": ("Ketamine and alcohol", "Ketamine infusions lowered heavy drinking days in alcohol use disorder."),
    "d2": ("Cocaine trial", "A single ketamine session cut cocaine craving and use against midazolam."),
    "d3": ("Heroin", "Higher ketamine doses kept heroin users abstinent for longer."),
    "d4": ("Side effects", "Dissociation and raised blood pressure are the usual side effects of ketamine."),
    "d5": ("Unrelated", "The capital of France is Paris, on the river Seine."),
}
BEIR_QUERIES = {"q1": "drinking days alcohol", "q2": "cocaine craving midazolam", "q3": "river Seine Paris"}
BEIR_QRELS = {"q1": {"d1": 1}, "q2": {"d2": 2, "d3": 1}, "q3": {"d5": 1}}


def write_beir(folder: Path) -> Path:
    """A tiny BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) of the five documents above."""
    import json

    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, (t, x) in BEIR_DOCS.items()), "utf-8"
    )
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": i, "text": q}) + "\n" for i, q in BEIR_QUERIES.items()), "utf-8"
    )
    rows = [f"{q}\t{d}\t{g}" for q, docs in BEIR_QRELS.items() for d, g in docs.items()]
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(rows) + "\n", "utf-8")
    return folder
