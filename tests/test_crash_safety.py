"""A build killed halfway leaves the previous index intact and usable (SIGKILL during writes)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from article_qa.index import PassageIndex, VectorIndex
from article_qa.passages import Passage

WRITER = """
import sys, numpy as np
from pathlib import Path
from article_qa.index import PassageIndex, VectorIndex
from article_qa.passages import Passage
target, n = Path(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
while True:  # rewrite the index again and again until killed
    v = rng.standard_normal((n, 64)).astype("float32")
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ps = [Passage(f"d:{i}", "x" * 50, "d.txt", None, i + 1, 0, 50) for i in range(n)]
    PassageIndex(ps, VectorIndex.fit(v), np.zeros((0, 64), "float32"), {"format_version": 1, "dim": 64,
                 "passages": n}).save(target)
    print("saved", flush=True)
"""


def first_index(path: Path, n: int) -> None:
    v = np.eye(n, 64, dtype=np.float32)
    ps = [Passage(f"d:{i}", "x" * 50, "d.txt", None, i + 1, 0, 50) for i in range(n)]
    PassageIndex(ps, VectorIndex.fit(v), np.zeros((0, 64), np.float32), {"format_version": 1, "dim": 64,
                 "passages": n}).save(path)  # fmt: skip


def test_killed_writer_never_leaves_a_broken_index(tmp_path: Path):
    target = tmp_path / "index"
    first_index(target, 20_000)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    for delay in (0.3, 0.7, 1.1, 1.6, 2.2):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), "20000"], env=env, stdout=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        index = PassageIndex.load(target)  # the old or a complete new one, never a half-written one
        assert len(index.passages) == len(index.vectors) == 20_000
