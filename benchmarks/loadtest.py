"""Load test of the chat page over loopback: `make loadtest` (``python -m benchmarks.loadtest``).

Starts `python app.py` on a free 127.0.0.1 port, then N concurrent users, each its own `gradio_client`
Client, ask a mix of the development questions through `/chat` and `/retrieve` for a fixed time.
Reports requests served, errors, throughput and p50/p95/p99 latency. With ``--log both`` (the default)
the same load runs twice, once with the owner's question log off and once with it on (a scratch
database), so the log's cost shows side by side, and the rows the log holds are counted. Then it
floods the queue past its limit at once and reports how the surplus is answered (a quick "queue is
full, try again" rather than a hang). Every loop is bounded in count and time, and all traffic stays
on this machine.
"""

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench import percentiles
from tests.support import ROOT, running_app


def _client(url: str):
    from gradio_client import Client

    # ssl_verify=False: plain http on loopback; it saves the client a TLS context per call.
    return Client(url, verbose=False, analytics_enabled=False, ssl_verify=False, download_files=False)


def _post(url: str, question: str) -> dict[str, Any]:
    """One question to ``POST /api/ask``; an HTTP error raises."""
    import urllib.request

    body = json.dumps({"question": question, "k": 3}).encode()
    request = urllib.request.Request(f"{url}api/ask", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _users(
    url: str, users: int, seconds: float, questions: list[str], api: str = "gradio", endpoint: str = "both"
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(n: int) -> None:
        client = _client(url) if api == "gradio" else None
        i = n
        while time.monotonic() < stop and i < n + 100_000:
            q = questions[i % len(questions)]
            t0 = time.perf_counter()
            try:
                if client is None:
                    _post(url, q)
                elif endpoint == "chat" or (endpoint == "both" and i % 2):
                    client.predict(q, api_name="/chat")
                else:
                    client.predict(q, 3, api_name="/retrieve")
                with lock:
                    latencies.append(1000 * (time.perf_counter() - t0))
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
            i += users

    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    wall = time.perf_counter() - t0
    return {
        "api": api if api == "json" else f"gradio {endpoint}",
        "users": users,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "requests_per_s": round(len(latencies) / wall, 1),
        "latency_ms": percentiles(latencies) if latencies else None,
    }


def _flood(url: str, requests: int, questions: list[str]) -> dict[str, Any]:
    """Submit `requests` jobs at once; count answers, 'queue full' refusals, and anything else."""
    clients = [_client(url) for _ in range(max(1, requests // 40))]  # a Client runs 40 jobs at most
    outcome: dict[str, int] = {"answered": 0, "refused_busy": 0, "other_error": 0, "timed_out": 0}
    refusal_ms: list[float] = []
    samples: list[str] = []  # what the other errors said
    lock = threading.Lock()

    def one(i: int) -> None:
        t0 = time.perf_counter()
        try:
            job = clients[i % len(clients)].submit(questions[i % len(questions)], api_name="/chat")
            job.result(timeout=120)
            kind = "answered"
        except TimeoutError:
            kind = "timed_out"
        except Exception as exc:  # noqa: BLE001 - sorted into refusals and other errors
            busy = "queue is full" in str(exc).lower() or "busy" in str(exc).lower()
            kind = "refused_busy" if busy else "other_error"
            if kind == "other_error":
                with lock:
                    samples.append(f"{type(exc).__name__}: {exc}"[:300])
        with lock:
            outcome[kind] += 1
            if kind == "refused_busy":
                refusal_ms.append(1000 * (time.perf_counter() - t0))

    with ThreadPoolExecutor(max_workers=min(requests, 200)) as pool:
        list(pool.map(one, range(requests)))
    return {
        "submitted": requests,
        **outcome,
        "refusal_ms": percentiles(refusal_ms) if refusal_ms else None,
        "error_samples": sorted(set(samples))[:5],
    }


def warm_p50_ms(questions: list[str]) -> float:
    """A warm in-process question's p50 (query cache cleared each time), on this machine now: what
    the served rate is set against (efficiency = served per second / (cores / warm p50))."""
    from article_qa import Retriever
    from benchmarks.bench import percentiles

    retriever = Retriever(ROOT / "corpus", ROOT / "index", save=False)
    retriever.search(questions[0])
    times = []
    for q in questions:
        retriever.embedder.query_cache.clear()
        t0 = time.perf_counter()
        retriever.search(q)
        times.append(1000 * (time.perf_counter() - t0))
    return percentiles(times)["p50"]


def run(
    users: int | list[int] = 16,
    seconds: float = 30.0,
    flood: int = 300,
    output: Path | None = None,
    log: str = "on",
    api: str = "gradio",
    endpoint: str = "both",
) -> dict[str, Any]:
    """The load (with the question log off, on, or both in turn; at each number of users), then the
    flood (log on, through Gradio's queue)."""
    import tempfile

    from article_qa.evaluation import load_questions
    from article_qa.questions_log import entries

    questions = [q.question for q in load_questions(ROOT / "eval" / "dev.jsonl")]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    counts = users if isinstance(users, list) else [users]
    modes = ["off", "on"] if log == "both" else [log]
    cores = os.cpu_count() or 1
    result: dict[str, Any] = {"warm_p50_ms": round(warm_p50_ms(questions), 2), "cores": cores}
    with tempfile.TemporaryDirectory() as scratch:
        for mode in modes:
            db = Path(scratch) / f"questions-{mode}.sqlite"
            env = {"ARTICLE_QA_LOG": "off" if mode == "off" else str(db)}
            loads = []
            with running_app(env=env) as (url, _):
                _client(url).predict(questions[0], api_name="/chat")  # warm
                for n in counts:
                    load = _users(url, n, seconds, questions, api, endpoint)
                    load["efficiency"] = round(load["requests_per_s"] / (cores / (result["warm_p50_ms"] / 1000)), 3)
                    loads.append(load)
                if flood and mode == modes[-1]:
                    result["flood"] = _flood(url, flood, questions)
            if mode == "on":
                time.sleep(1.0)  # the writer commits what is queued; the server stopped, the file is whole
                loads[-1]["logged_rows"] = len(entries(db))
            for load in loads:
                _print_load(load, mode)
            key = "load" if mode == modes[-1] else f"load_log_{mode}"
            result[key] = loads[-1]
            result[f"{key}_by_users"] = loads
    if "flood" in result:
        f = result["flood"]
        print(
            f"flood of {f['submitted']} at once: {f['answered']} answered, {f['refused_busy']} refused as busy"
            f" (p50 {f['refusal_ms']['p50'] if f['refusal_ms'] else '-'} ms), {f['other_error']} other errors,"
            f" {f['timed_out']} timed out"
        )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2))
    return result


def _print_load(load: dict[str, Any], mode: str) -> None:
    lat = load["latency_ms"] or {"p50": 0, "p95": 0, "p99": 0}
    logged = f", {load['logged_rows']} rows logged" if "logged_rows" in load else ""
    print(
        f"{load['api']}, question log {mode}: {load['users']} users, {load['seconds']} s: {load['requests']} "
        f"requests, {load['errors']} errors, {load['requests_per_s']} req/s, latency ms p50 {lat['p50']:.0f} / "
        f"p95 {lat['p95']:.0f} / p99 {lat['p99']:.0f}, efficiency {load['efficiency']}{logged}"
    )
    if load["error_samples"]:
        print("  errors:", *load["error_samples"], sep="\n    ")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.loadtest", description=__doc__.splitlines()[0])
    p.add_argument("--users", default="16", help="concurrent users; several runs with 16,64")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--flood", type=int, default=300, help="requests sent at once past the queue limit (0: none)")
    p.add_argument("--output", default="bench/loadtest.json")
    p.add_argument("--log", choices=("on", "off", "both"), default="both", help="the question log during the load")
    p.add_argument("--api", choices=("gradio", "json"), default="gradio",
                   help="gradio: /chat and /retrieve through gradio_client; json: POST /api/ask")  # fmt: skip
    p.add_argument("--endpoint", choices=("both", "retrieve", "chat"), default="both",
                   help="with --api gradio: half /chat and half /retrieve, or one of them")  # fmt: skip
    args = p.parse_args(argv)
    users = [int(u) for u in str(args.users).split(",")]
    result = run(users=users, seconds=args.seconds, flood=args.flood, output=Path(args.output), log=args.log,
                 api=args.api, endpoint=args.endpoint)  # fmt: skip
    return 1 if result["load"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
