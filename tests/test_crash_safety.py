"""A build killed while it writes leaves the previous index intact and usable (SIGKILL mid-write).

The writer stops at a chosen point of the write phase (before the FAISS file, at the first fsync, just
before the swap) and says so; only then is it killed. The temporary folder it leaves proves the kill
landed inside the write, and the index folder must still load whole.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from article_qa.index import PassageIndex, VectorIndex
from article_qa.passages import Passage

WRITER = """
import os, sys, time, numpy as np
from pathlib import Path
from article_qa import index as ix
from article_qa.passages import Passage
target, n, point = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def stop_here(original):
    def wrapper(*args, **kwargs):
        print("writing", flush=True)  # inside PassageIndex.save: the temporary folder exists
        time.sleep(60)  # killed here
        return original(*args, **kwargs)
    return wrapper

if point == "faiss":
    ix.VectorIndex.save = stop_here(ix.VectorIndex.save)
elif point == "fsync":
    ix.os.fsync = stop_here(os.fsync)
elif point == "swap":
    ix._replace_dir = stop_here(ix._replace_dir)
v = np.random.default_rng(0).standard_normal((n, 64)).astype("float32")
v /= np.linalg.norm(v, axis=1, keepdims=True)
ps = [Passage(f"d:{i}", "y" * 50, "d.txt", None, i + 1, 0, 50) for i in range(n)]
ix.PassageIndex(ps, ix.VectorIndex.fit(v), np.zeros((0, 64), "float32"), {"format_version": 1, "dim": 64,
                "passages": n}).save(target)
"""


def first_index(path: Path, n: int) -> None:
    v = np.eye(n, 64, dtype=np.float32)
    ps = [Passage(f"d:{i}", "x" * 50, "d.txt", None, i + 1, 0, 50) for i in range(n)]
    PassageIndex(ps, VectorIndex.fit(v), np.zeros((0, 64), np.float32), {"format_version": 1, "dim": 64,
                 "passages": n}).save(path)  # fmt: skip


@pytest.mark.parametrize("point", ["faiss", "fsync", "swap"])
def test_killed_writer_never_leaves_a_broken_index(tmp_path: Path, point: str):
    target = tmp_path / "index"
    first_index(target, 2_000)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), "2000", point], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    leftovers = list(tmp_path.glob(".index.tmp-*"))
    assert len(leftovers) == 1  # the kill landed inside the write
    index = PassageIndex.load(target)  # the previous index, whole
    assert len(index.passages) == len(index.vectors) == 2_000 and index.passages[0].text == "x" * 50
    shutil.rmtree(leftovers[0])
